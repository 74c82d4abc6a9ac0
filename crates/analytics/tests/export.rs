//! CSV and JSON export of the real table, read back.

mod common;

use probity_analytics::export::{write_csv, write_json};
use probity_analytics::{import_dir, ImportOptions, Table};

fn table() -> Table {
    let (ds, _) = import_dir(&common::caat_dir(), &ImportOptions::default()).unwrap();
    Table::from_caat(&ds).unwrap()
}

#[test]
fn csv_export_round_trips() {
    let t = table();
    let mut out = Vec::new();
    write_csv(&t, &mut out).unwrap();
    let mut rdr = csv::Reader::from_reader(out.as_slice());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        header,
        [
            "source",
            "licence",
            "date",
            "year",
            "quarter",
            "month",
            "rating",
            "rating_kind",
            "destination",
            "iso2",
            "region",
            "decision",
            "licence_type",
            "value_gbp",
            "count",
            "criteria",
            "outlier"
        ]
    );
    let (mut n, mut total, mut empty, mut outliers) = (0usize, 0i128, 0usize, 0usize);
    for rec in rdr.records() {
        let rec = rec.unwrap();
        n += 1;
        match &rec[13] {
            "" => {
                empty += 1;
                assert_eq!(&rec[11], "refused");
            }
            v => total += v.parse::<i128>().unwrap(),
        }
        if &rec[16] == "true" {
            outliers += 1;
            assert_eq!(
                (&rec[1], &rec[6], &rec[13]),
                ("51396", "5A002", "7767875000")
            );
        }
    }
    assert_eq!((n, empty, outliers), (96_311, 1_411, 1));
    let independent: i128 = common::values().iter().map(|v| v.value as i128).sum();
    assert_eq!(total, independent);
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("\"Hong Kong Special Administrative Region\"")
            || text.contains(",Hong Kong Special Administrative Region,")
    );
    assert!(text.contains("caat,63964,2014-03-03,2014,1,3,ML16,military,United States of America,US,North America,granted,unspecified,4983,1,,false"));
}

#[test]
fn json_export_round_trips() {
    let t = table();
    let mut out = Vec::new();
    write_json(&t, &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 96_311);
    let refused = rows.iter().filter(|r| r["decision"] == "refused").count();
    assert_eq!(refused, 1_411);
    assert!(rows
        .iter()
        .filter(|r| r["decision"] == "refused")
        .all(|r| r["value_gbp"].is_null()));
    // Line 62 of the values file: 53,2008-01-07,"End Use",1,,Syria,1 (criterion 1 cited).
    let r = rows.iter().find(|r| r["licence"] == 53).unwrap();
    assert_eq!(
        (
            r["date"].as_str(),
            r["rating"].as_str(),
            r["rating_kind"].as_str()
        ),
        (Some("2008-01-07"), Some("End Use"), Some("other"))
    );
    assert_eq!(
        (
            r["destination"].as_str(),
            r["iso2"].as_str(),
            r["region"].as_str()
        ),
        (
            Some("Syria"),
            Some("SY"),
            Some("Middle East and North Africa")
        )
    );
    assert_eq!(
        (r["criteria"].as_str(), r["value_gbp"].is_null()),
        (Some("1"), true)
    );
}
