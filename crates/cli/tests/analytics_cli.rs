//! `probity import caat`, `probity stats` and `probity export` run as the real binary on the
//! real CAAT data. The stats JSON (a contract: `total` and `rows`, each row with its keys and
//! `licences`, `value_gbp`, `refused`) is checked against an independent computation written
//! here straight from the CSV files.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

fn caat_dir() -> PathBuf {
    let dir = common::shared_data("caat-uk");
    assert!(
        dir.join("values-2008-2015q1.csv").is_file(),
        "real CAAT data not found at {}: these tests refuse to pass without it",
        dir.display()
    );
    dir
}

fn probity(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_probity"))
        .args(args)
        .env("PROBITY_LOG", "warn")
        .env_remove("PROBITY_DATABASE_URL")
        .output()
        .expect("run probity")
}

/// A new SQLite database in a directory of its own, the real data imported into it: the
/// directory, the database's URL and what the import printed.
fn imported() -> (tempfile::TempDir, String, Output) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("p.db").display());
    let src = caat_dir();
    let out = probity(&[
        "import",
        "caat",
        src.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, url, out)
}

/// One database with the real data imported, shared by the tests of this file.
fn db() -> &'static str {
    static DB: OnceLock<(tempfile::TempDir, String)> = OnceLock::new();
    &DB.get_or_init(|| {
        let (dir, url, out) = imported();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("96,311 value rows, 96,311 new"), "{text}");
        assert!(
            text.contains("63,408 licence groups (1,107 refused)"),
            "{text}"
        );
        assert!(text.contains("2008-01-02 to 2015-03-31"), "{text}");
        assert!(text.contains("RefusedWithoutValue"), "{text}");
        // The files beside the values, every row new, counted from the files here.
        let n = |f: &str| {
            let d = read(f).len().to_string();
            let mut out = String::new();
            for (i, c) in d.chars().enumerate() {
                if i > 0 && (d.len() - i).is_multiple_of(3) {
                    out.push(',');
                }
                out.push(c);
            }
            out
        };
        let also = format!(
            "also new:      {} incorporation destinations, {} trade sources, {} licence \
             footnotes, {} destination notes",
            n("destinations.csv"),
            n("sources.csv"),
            n("footnotes_licence.csv"),
            n("footnotes_region.csv")
        );
        assert!(text.contains(&also), "{also} not in {text}");
        // The statistics table is kept beside the database for the next start.
        let kept = dir.path().join("p.db.analytics");
        let snapshot = std::fs::read(&kept).expect("a snapshot beside the database");
        assert!(snapshot.starts_with(b"PRBTYSNP"), "{}", kept.display());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("statistics table kept in"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (dir, url)
    })
    .1
}

fn stats(args: &[&str]) -> Value {
    stats_of(db(), args)
}

/// `probity stats … --format json` on the database at `url`.
fn stats_of(url: &str, args: &[&str]) -> Value {
    let mut all = vec!["stats", "--database-url", url, "--format", "json"];
    all.extend_from_slice(args);
    let out = probity(&all);
    assert!(
        out.status.success(),
        "probity {all:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

// ---- An independent reading of the CSV files. ----

fn split_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            _ => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

fn read(name: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(caat_dir().join(name)).unwrap();
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty())
        .skip(1)
        .map(split_line)
        .collect()
}

struct V {
    group: u64,
    date: String,
    rating: String,
    value: i64,
    country: String,
    refused: bool,
}

fn values() -> Vec<V> {
    read("values-2008-2015q1.csv")
        .into_iter()
        .map(|r| V {
            group: r[0].parse().unwrap(),
            date: r[1].clone(),
            rating: r[2].clone(),
            value: r[4].parse().unwrap_or(0),
            country: r[5].clone(),
            refused: r[6] == "1",
        })
        .collect()
}

/// Military per ratings.csv; the stray lower-case `ml16` is ML16.
fn military(code: &str) -> bool {
    static FLAGS: OnceLock<HashMap<String, bool>> = OnceLock::new();
    let flags = FLAGS.get_or_init(|| {
        read("ratings.csv")
            .into_iter()
            .map(|r| (r[0].clone(), r[1] == "1"))
            .collect()
    });
    flags
        .get(&code.to_ascii_uppercase())
        .or_else(|| flags.get(code))
        .copied()
        .unwrap_or(false)
}

fn military_total(keep: impl Fn(&V) -> bool) -> (i64, usize) {
    let rows: Vec<V> = values()
        .into_iter()
        .filter(|v| military(&v.rating) && keep(v))
        .collect();
    let groups: BTreeSet<u64> = rows.iter().map(|v| v.group).collect();
    (rows.iter().map(|v| v.value).sum(), groups.len())
}

fn total(j: &Value) -> (i64, usize) {
    (
        j["total"]["value_gbp"].as_i64().unwrap(),
        j["total"]["licences"].as_u64().unwrap() as usize,
    )
}

#[test]
fn military_value_to_saudi_arabia_in_2012() {
    let want = military_total(|v| v.country == "Saudi Arabia" && v.date.starts_with("2012-"));
    let j = stats(&[
        "--destination",
        "Saudi Arabia",
        "--from",
        "2012-01-01",
        "--to",
        "2012-12-31",
        "--military",
    ]);
    assert_eq!(total(&j), want);
    assert_eq!(want, (111_721_756, 91));
    assert_eq!(j["rows"], Value::Array(vec![]));
    // The ISO code gives the same answer.
    let j = stats(&[
        "--destination",
        "SA",
        "--from",
        "2012-01-01",
        "--to",
        "2012-12-31",
        "--military",
    ]);
    assert_eq!(total(&j), want);
}

#[test]
fn military_licences_to_israel_september_to_december_2014() {
    let want = military_total(|v| {
        v.country == "Israel" && v.date.as_str() >= "2014-09-01" && v.date.as_str() <= "2014-12-31"
    });
    let j = stats(&[
        "--destination",
        "IL",
        "--from",
        "2014-09-01",
        "--to",
        "2014-12-31",
        "--military",
    ]);
    assert_eq!(total(&j), want);
    assert_eq!(want, (3_977_106, 32));
}

#[test]
fn refusals_to_israel_by_criterion_2008_2015() {
    let refused: BTreeSet<u64> = values()
        .into_iter()
        .filter(|v| v.country == "Israel" && v.refused)
        .map(|v| v.group)
        .collect();
    let mut cited: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
    for r in read("refusal-criteria.csv") {
        let g: u64 = r[0].parse().unwrap();
        if refused.contains(&g) {
            cited.entry(g).or_default().insert(r[1].clone());
        }
    }
    let mut want: BTreeMap<String, u64> = BTreeMap::new();
    for set in cited.values() {
        for c in set {
            *want.entry(c.clone()).or_default() += 1;
        }
    }
    let j = stats(&[
        "--destination",
        "Israel",
        "--from",
        "2008-01-01",
        "--to",
        "2015-12-31",
        "--decision",
        "refused",
        "--group-by",
        "criterion",
    ]);
    assert_eq!(
        j["total"]["refused"].as_u64().unwrap() as usize,
        refused.len()
    );
    assert_eq!(j["group_by"], serde_json::json!(["criterion"]));
    let got: BTreeMap<String, u64> = j["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| Some((r["criterion"].as_str()?.to_string(), r["refused"].as_u64()?)))
        .collect();
    assert_eq!(got, want);
    assert_eq!(refused.len(), 52);
}

fn top10(without: Option<u64>) -> Vec<(String, i64)> {
    let mut by: HashMap<String, i64> = HashMap::new();
    for v in values() {
        if Some(v.group) != without {
            *by.entry(v.country).or_default() += v.value;
        }
    }
    let mut v: Vec<(String, i64)> = by.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(10);
    v
}

#[test]
fn top_10_destinations_by_value_with_and_without_the_largest_licence() {
    let mut per_group: HashMap<u64, i64> = HashMap::new();
    for v in values() {
        *per_group.entry(v.group).or_default() += v.value;
    }
    let (&largest, _) = per_group
        .iter()
        .max_by_key(|(g, v)| (**v, std::cmp::Reverse(**g)))
        .unwrap();
    for (without, extra) in [
        (None, None),
        (Some(largest), Some(format!("caat:{largest}"))),
    ] {
        let mut args = vec![
            "--group-by",
            "destination-name",
            "--order",
            "value",
            "--limit",
            "10",
        ];
        if let Some(x) = extra.as_deref() {
            args.extend_from_slice(&["--exclude-licence", x]);
        }
        let j = stats(&args);
        let rows = j["rows"].as_array().unwrap();
        let got: Vec<(String, i64)> = rows
            .iter()
            .map(|r| {
                assert!(r["licences"].is_u64() && r["refused"].is_u64(), "{r}");
                (
                    r["published_name"].as_str().unwrap().to_string(),
                    r["value_gbp"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(got, top10(without), "without {without:?}");
    }
}

fn fails_with(args: &[&str], needle: &str) {
    let out = probity(args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?} should fail with exit code 2"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(needle),
        "{args:?}: expected {needle:?} in {err}"
    );
}

#[test]
fn bad_stats_flags_are_clear_errors_with_exit_code_2() {
    let url = db();
    let s = |extra: &[&str]| {
        let mut v = vec!["stats", "--database-url", url];
        v.extend_from_slice(extra);
        v.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let cases: [(&[&str], &str); 8] = [
        (
            &["--destination", "Atlantis"],
            "--destination: unknown country",
        ),
        (&["--from", "2015-01-01", "--to", "2014-01-01"], "reversed"),
        (
            &["--from", "2014-02-30"],
            "--from: \"2014-02-30\" is not a date",
        ),
        (&["--rating", "XX99"], "--rating: no rating starts with"),
        (
            &["--criterion", "9z"],
            "--criterion: unknown refusal criterion",
        ),
        (&["--group-by", "colour"], "--group-by: unknown dimension"),
        (&["--decision", "perhaps"], "--decision: unknown decision"),
        (&["--military", "--dual-use"], "cannot be used with"),
    ];
    for (extra, needle) in cases {
        let args = s(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        fails_with(&args, needle);
    }
}

#[test]
fn strict_import_of_bad_files_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("values.csv"),
        b"licence_group,date,rating,count,value,country,refused\r\n1,2012-01-02,ML10,1,100,Israel,0\r\n2,2012-01-03,ML10,1,1e3,Israel,0\r\n",
    )
    .unwrap();
    let db = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", db.path().join("p.db").display());
    let d = dir.path().to_str().unwrap();
    let out = probity(&["import", "caat", d, "--database-url", &url, "--strict"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nothing was written") && err.contains("values.csv:3"),
        "{err}"
    );
    let j = |args: &[&str]| -> Value {
        let mut v = vec!["stats", "--database-url", &url, "--format", "json"];
        v.extend_from_slice(args);
        serde_json::from_slice(&probity(&v).stdout).unwrap()
    };
    assert_eq!(j(&[])["total"]["licences"], 0);
    // Without --strict the good row goes in and the bad one is reported.
    let out = probity(&["import", "caat", d, "--database-url", &url]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("BadNumber") && text.contains("values.csv:3"),
        "{text}"
    );
    assert_eq!(j(&[])["total"]["licences"], 1);
    fails_with(
        &[
            "import",
            "caat",
            "/nonexistent/caat",
            "--database-url",
            &url,
        ],
        "does not exist",
    );
}

fn export(format: &str, dir: &Path) -> PathBuf {
    let out = probity(&[
        "export",
        "--format",
        format,
        dir.to_str().unwrap(),
        "--database-url",
        db(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join(format!("licences.{format}"))
}

#[test]
fn exports_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let csv = std::fs::read_to_string(export("csv", dir.path())).unwrap();
    assert_eq!(csv.lines().count(), 96_311 + 1);
    assert!(csv.starts_with("source,licence,date,year,quarter,month,rating,"));
    let json: Value =
        serde_json::from_slice(&std::fs::read(export("json", dir.path())).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 96_311);
    let parquet = std::fs::read(export("parquet", dir.path())).unwrap();
    assert_eq!(&parquet[..4], b"PAR1");

    // By year: a file per year under hive-style paths, listed in the manifest (the files'
    // contents are read back against the statistics in the analytics crate's tests).
    let by_year = dir.path().join("by-year");
    std::fs::create_dir_all(&by_year).unwrap();
    export("parquet-by-year", &by_year);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(by_year.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["rows"], 96_311);
    let files = manifest["files"].as_array().unwrap();
    assert_eq!(files.len(), 8, "2008 to 2015");
    for f in files {
        let path = by_year.join(f["path"].as_str().unwrap());
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[..4], b"PAR1", "{}", path.display());
        assert_eq!(bytes.len() as u64, f["bytes"].as_u64().unwrap());
    }
    let years: Vec<i64> = files.iter().map(|f| f["year"].as_i64().unwrap()).collect();
    assert_eq!(years, (2008..=2015).collect::<Vec<_>>());
    let rows: u64 = files.iter().map(|f| f["rows"].as_u64().unwrap()).sum();
    assert_eq!(rows, 96_311);
}

/// `probity stats` answers from the statistics table kept beside the database, writes it when
/// it is missing, and replaces a damaged one: the same answers every time.
#[test]
fn stats_use_the_kept_table_and_answer_the_same_without_it_or_with_it_damaged() {
    let (dir, url, _) = imported();
    let kept = dir.path().join("p.db.analytics");
    let ask = || stats_of(&url, &["--group-by", "destination"]);
    let with = ask();
    assert!(
        with["rows"].as_array().is_some_and(|r| r.len() > 100),
        "{with}"
    );
    std::fs::remove_file(&kept).unwrap();
    assert_eq!(ask(), with, "built from the database");
    assert!(kept.is_file(), "the table is kept again");
    std::fs::write(&kept, b"PRBTYSNP and then nothing of use").unwrap();
    assert_eq!(ask(), with, "a damaged table is not used");
    let replaced = std::fs::read(&kept).unwrap();
    assert!(replaced.len() > 1000, "the damaged file is replaced");
}
