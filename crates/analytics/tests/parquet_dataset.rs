//! The year-partitioned Parquet dataset of the real data read back file by file with the
//! `parquet` crate's record reader: the manifest lists every file with true rows, bytes and
//! SHA-256, no file carries the `year` column (the path does), and each year's rows, distinct
//! licences and value are what the statistics query gives for that year.

mod common;

use std::collections::{BTreeMap, HashSet};

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::RowAccessor;
use probity_analytics::export_dataset::{write_dataset, MANIFEST_FORMAT};
use probity_analytics::query::{Dim, Query};
use probity_analytics::{import_dir, ImportOptions, Table};
use sha2::{Digest, Sha256};

#[test]
fn the_dataset_by_year_gives_the_statistics_totals() {
    let (ds, _) = import_dir(&common::caat_dir(), &ImportOptions::default()).unwrap();
    let t = Table::from_caat(&ds).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let manifest = write_dataset(&t, dir.path(), &[("source", "CAAT")]).unwrap();

    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(written["format"], MANIFEST_FORMAT);
    assert_eq!(written["partitioning"], "hive");
    assert_eq!(written["rows"], t.len() as u64);
    let years: Vec<i32> = manifest.files.iter().map(|f| f.year).collect();
    assert_eq!(years, (2008..=2015).collect::<Vec<_>>());
    assert_eq!(
        manifest.files.iter().map(|f| f.rows).sum::<u64>(),
        t.len() as u64
    );

    // What the statistics say per year.
    let q = Query {
        group_by: vec![Dim::Year],
        ..Default::default()
    };
    let stats = serde_json::to_value(t.query(&q).unwrap()).unwrap();
    let mut by_year: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
    for r in stats["rows"].as_array().unwrap() {
        by_year.insert(
            r["year"].as_i64().unwrap(),
            (
                r["licences"].as_u64().unwrap(),
                r["value_gbp"].as_u64().unwrap(),
            ),
        );
    }

    for f in &manifest.files {
        let path = dir.path().join(&f.path);
        assert_eq!(f.path, format!("year={}/part-0.parquet", f.year));
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes.len() as u64, f.bytes);
        assert_eq!(hex::encode(Sha256::digest(&bytes)), f.sha256);
        let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
        let meta = reader.metadata().file_metadata();
        let names: Vec<String> = meta
            .schema_descr()
            .root_schema()
            .get_fields()
            .iter()
            .map(|x| x.name().to_string())
            .collect();
        assert!(!names.iter().any(|n| n == "year"), "{names:?}");
        assert_eq!(names.len(), 16);
        assert_eq!(meta.num_rows() as u64, f.rows);
        let value_col = names.iter().position(|n| n == "value_gbp").unwrap();
        let date_col = names.iter().position(|n| n == "date").unwrap();
        let (mut licences, mut value, mut rows) = (HashSet::new(), 0u64, 0u64);
        for row in reader.get_row_iter(None).unwrap() {
            let row = row.unwrap();
            licences.insert((row.get_string(0).unwrap().clone(), row.get_long(1).unwrap()));
            if !row.is_null(value_col).unwrap() {
                value += row.get_long(value_col).unwrap() as u64;
            }
            // Every row of the file is of its year.
            match row.get_column_iter().nth(date_col).map(|(_, v)| v) {
                Some(parquet::record::Field::Date(d)) => {
                    let date = time::Date::from_julian_day(d + 2_440_588).unwrap();
                    assert_eq!(date.year(), f.year);
                }
                other => panic!("date is {other:?}"),
            }
            rows += 1;
        }
        assert_eq!(rows, f.rows);
        let (want_licences, want_value) = by_year[&i64::from(f.year)];
        assert_eq!(
            (licences.len() as u64, value),
            (want_licences, want_value),
            "year {}",
            f.year
        );
    }
    duckdb_cross_check(dir.path(), &by_year);
}

/// Read the dataset with DuckDB as an object-store reader would (hive partitioning, the year
/// from the paths), when a Python that has DuckDB is given as PROBITY_PYTHON (the benchmark's
/// virtualenv has one; tests never install anything).
fn duckdb_cross_check(dir: &std::path::Path, by_year: &BTreeMap<i64, (u64, u64)>) {
    let python = std::env::var("PROBITY_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = r#"
import sys, duckdb
d = sys.argv[1]
q = f"SELECT year, count(DISTINCT (source, licence)), sum(value_gbp) FROM read_parquet('{d}/year=*/*.parquet', hive_partitioning = true) GROUP BY year ORDER BY year"
for y, l, v in duckdb.connect().execute(q).fetchall():
    print(y, l, v or 0)
"#;
    let out = std::process::Command::new(&python)
        .arg("-c")
        .arg(script)
        .arg(dir)
        .output();
    let Some(out) = out.ok().filter(|o| o.status.success()) else {
        eprintln!("no Python with duckdb ({python}): DuckDB cross-check skipped");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let got: BTreeMap<i64, (u64, u64)> = text
        .lines()
        .map(|l| {
            let v: Vec<i64> = l.split(' ').map(|x| x.parse().unwrap()).collect();
            (v[0], (v[1] as u64, v[2] as u64))
        })
        .collect();
    assert_eq!(&got, by_year, "DuckDB's answers per year");
    eprintln!("cross-checked with DuckDB ({python})");
}
