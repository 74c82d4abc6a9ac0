//! `probity lists load|show` and `probity screen` on the real UN and HM Treasury lists: a
//! load says what it added; a damaged file loads nothing and names the line, or with
//! --skip-bad loads the rest and names every skipped line; `screen` answers in JSON Lines in
//! input order, and refuses a bad input line before writing anything.
mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::{shared_data, BIN};

fn probity(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env("PROBITY_LOG", "warn")
        .env_remove("PROBITY_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run probity");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn lists_load_from_real_files_and_screen_answers_in_json_lines() {
    let sanctions = shared_data("sanctions");
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("p.db").display());
    assert!(probity(&["migrate", "--database-url", &db], None)
        .status
        .success());

    let un = sanctions.join("un-consolidated-2018-10-29.xml");
    let out = probity(
        &[
            "lists",
            "load",
            "--database-url",
            &db,
            "--kind",
            "un",
            un.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("un version 1"), "{said}");
    assert!(said.contains("added"), "{said}");

    // The HM Treasury list with a line cut short: nothing loads, the line is named.
    let hmt = std::fs::read(sanctions.join("uk-hmt-conlist-2018-04-13.csv")).unwrap();
    let cut = dir.path().join("hmt-damaged.csv");
    let mut damaged = Vec::new();
    for (i, line) in hmt.split_inclusive(|b| *b == b'\n').enumerate() {
        if i == 10 {
            damaged.extend_from_slice(b"not,a,row\r\n");
        } else {
            damaged.extend_from_slice(line);
        }
    }
    std::fs::write(&cut, &damaged).unwrap();
    let args = [
        "lists",
        "load",
        "--database-url",
        &db,
        "--kind",
        "uk-hmt",
        cut.to_str().unwrap(),
    ];
    let out = probity(&args, None);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("line 11"), "{err}");
    let shown = text(&probity(&["lists", "show", "--database-url", &db], None).stdout);
    assert!(!shown.contains("uk-hmt"), "nothing loaded: {shown}");
    // With --skip-bad the rest loads, and the skipped line is reported.
    let mut skipping = args.to_vec();
    skipping.insert(6, "--skip-bad");
    let out = probity(&skipping, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout) + &text(&out.stderr);
    assert!(said.contains("line 11"), "{said}");
    assert!(said.contains("1 bad lines skipped"), "{said}");
    let shown = text(&probity(&["lists", "show", "--database-url", &db], None).stdout);
    assert!(
        shown.contains("uk-hmt version 1") && shown.contains("un version 1"),
        "{shown}"
    );

    // Screening: a misspelt listed entity, an unlisted name, in input order.
    let out = probity(
        &["screen", "--database-url", &db, "-"],
        Some("Korea Mining Developement Trading Corp.\nAcme Garden Furniture Ltd\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["query"], "Korea Mining Developement Trading Corp.");
    let best = &lines[0]["matches"][0];
    assert!(best["list"] == "un" || best["list"] == "uk-hmt", "{best}");
    let score = best["score"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&score) && score >= 0.8, "{best}");
    assert!(
        best["matched_name"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("korea mining development"),
        "{best}"
    );
    assert!(!best["explanation"].as_str().unwrap().is_empty());
    assert!(best["entry_id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(lines[1]["query"], "Acme Garden Furniture Ltd");
    assert_eq!(lines[1]["matches"], serde_json::json!([]));

    // CSV input with kind and a country code; a bad kind stops the run before any output.
    let out = probity(
        &["screen", "--database-url", &db, "--threshold", "0.9"],
        Some("name,kind,country\nKorea Mining Development Trading Corporation,entity,KP\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("\"list\":\"un\""),
        "{}",
        text(&out.stdout)
    );
    let out = probity(
        &["screen", "--database-url", &db],
        Some("name,kind\nKorea Mining,entity\nSomeone,alien\n"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(out.stdout, b"");
    assert!(
        text(&out.stderr).contains("line 3: kind \"alien\""),
        "{}",
        text(&out.stderr)
    );
    let out = probity(
        &["screen", "--database-url", &db, "--threshold", "1.5", "-"],
        Some("x\n"),
    );
    assert!(
        text(&out.stderr).contains("is not a threshold"),
        "{}",
        text(&out.stderr)
    );
}
