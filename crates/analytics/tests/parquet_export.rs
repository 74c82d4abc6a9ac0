//! The Parquet export of the real data read back: by the `parquet` crate's record reader
//! (a different code path from the column writers that wrote it) with a schema check, and —
//! when a Python with DuckDB or pyarrow is at hand — by that independent reader too.
//! Tests never install anything: set PROBITY_PYTHON to a Python that has duckdb (the
//! benchmark script makes one in target/bench-venv) to add the cross-check.

mod common;

use std::collections::HashMap;
use std::process::Command;

use parquet::basic::{ConvertedType, Repetition, Type as PhysicalType};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::RowAccessor;
use probity_analytics::export_parquet::write_parquet;
use probity_analytics::{import_dir, ImportOptions, Table};

fn table() -> Table {
    let (ds, _) = import_dir(&common::caat_dir(), &ImportOptions::default()).unwrap();
    Table::from_caat(&ds).unwrap()
}

const COLUMNS: [(&str, PhysicalType, ConvertedType, Repetition); 17] = [
    (
        "source",
        PhysicalType::BYTE_ARRAY,
        ConvertedType::UTF8,
        Repetition::REQUIRED,
    ),
    (
        "licence",
        PhysicalType::INT64,
        ConvertedType::NONE,
        Repetition::REQUIRED,
    ),
    (
        "date",
        PhysicalType::INT32,
        ConvertedType::DATE,
        Repetition::REQUIRED,
    ),
    (
        "year",
        PhysicalType::INT32,
        ConvertedType::NONE,
        Repetition::REQUIRED,
    ),
    (
        "quarter",
        PhysicalType::INT32,
        ConvertedType::NONE,
        Repetition::REQUIRED,
    ),
    (
        "month",
        PhysicalType::INT32,
        ConvertedType::NONE,
        Repetition::REQUIRED,
    ),
    (
        "rating",
        PhysicalType::BYTE_ARRAY,
        ConvertedType::UTF8,
        Repetition::REQUIRED,
    ),
    (
        "rating_kind",
        PhysicalType::BYTE_ARRAY,
        ConvertedType::UTF8,
        Repetition::REQUIRED,
    ),
    (
        "destination",
        PhysicalType::BYTE_ARRAY,
        ConvertedType::UTF8,
        Repetition::REQUIRED,
    ),
    (
        "iso2",
        PhysicalType::BYTE_ARRAY,
        ConvertedType::UTF8,
        Repetition::REQUIRED,
    ),
    (
        "region",
        PhysicalType::BYTE_ARRAY,
        ConvertedType::UTF8,
        Repetition::REQUIRED,
    ),
    (
        "decision",
        PhysicalType::BYTE_ARRAY,
        ConvertedType::UTF8,
        Repetition::REQUIRED,
    ),
    (
        "licence_type",
        PhysicalType::BYTE_ARRAY,
        ConvertedType::UTF8,
        Repetition::REQUIRED,
    ),
    (
        "value_gbp",
        PhysicalType::INT64,
        ConvertedType::NONE,
        Repetition::OPTIONAL,
    ),
    (
        "count",
        PhysicalType::INT32,
        ConvertedType::NONE,
        Repetition::REQUIRED,
    ),
    (
        "criteria",
        PhysicalType::BYTE_ARRAY,
        ConvertedType::UTF8,
        Repetition::REQUIRED,
    ),
    (
        "outlier",
        PhysicalType::BOOLEAN,
        ConvertedType::NONE,
        Repetition::REQUIRED,
    ),
];

#[test]
fn parquet_round_trips_every_row_of_the_real_data() {
    let t = table();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("licences.parquet");
    let file = std::fs::File::create(&path).unwrap();
    write_parquet(&t, file, &[("source", "CAAT")]).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..4], b"PAR1");
    assert_eq!(&bytes[bytes.len() - 4..], b"PAR1");

    let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
    let meta = reader.metadata().file_metadata();
    assert_eq!(meta.num_rows() as usize, t.len());
    let kv = meta.key_value_metadata().unwrap();
    assert!(kv
        .iter()
        .any(|k| k.key == "source" && k.value.as_deref() == Some("CAAT")));
    let fields = meta.schema_descr().root_schema().get_fields().to_vec();
    assert_eq!(fields.len(), COLUMNS.len());
    for (f, (name, phys, conv, rep)) in fields.iter().zip(COLUMNS) {
        let info = f.get_basic_info();
        assert_eq!(f.name(), name);
        assert_eq!(f.get_physical_type(), phys, "{name}");
        assert_eq!(info.converted_type(), conv, "{name}");
        assert_eq!(info.repetition(), rep, "{name}");
    }

    let mut n = 0;
    let mut value: i128 = 0;
    for (row, want) in reader.get_row_iter(None).unwrap().zip(t.rows()) {
        let row = row.unwrap();
        assert_eq!(row.get_string(0).unwrap(), want.source.name());
        assert_eq!(row.get_long(1).unwrap() as u64, want.licence);
        let date = format!(
            "{:04}-{:02}-{:02}",
            want.date.year(),
            want.date.month() as u8,
            want.date.day()
        );
        // The record reader renders DATE fields as text in its own way; compare the day count.
        let days = want.date.to_julian_day() - 2_440_588;
        match row.get_column_iter().nth(2).map(|(_, f)| f) {
            Some(parquet::record::Field::Date(d)) => assert_eq!(*d, days, "{date}"),
            other => panic!("date column is {other:?}"),
        }
        assert_eq!(row.get_int(3).unwrap(), want.date.year());
        assert_eq!(row.get_string(6).unwrap(), want.rating);
        assert_eq!(row.get_string(8).unwrap(), want.destination);
        assert_eq!(row.get_string(9).unwrap(), want.iso2);
        assert_eq!(row.get_string(11).unwrap(), want.decision.name());
        match want.value_gbp {
            Some(v) => assert_eq!(row.get_long(13).unwrap(), v),
            None => assert!(row.is_null(13).unwrap()),
        }
        value += want.value_gbp.unwrap_or(0) as i128;
        assert_eq!(row.get_string(15).unwrap(), &want.criteria.join(";"));
        assert_eq!(row.get_bool(16).unwrap(), want.outlier);
        n += 1;
    }
    assert_eq!(n, 96_311);

    // Independent of the table: totals straight from the CSV.
    let csv_total: i128 = common::values().iter().map(|v| v.value as i128).sum();
    assert_eq!(value, csv_total);

    python_cross_check(&path, &t);
}

/// Read the file with DuckDB (or pyarrow) when a Python that has one is available.
fn python_cross_check(path: &std::path::Path, t: &Table) {
    let python = std::env::var("PROBITY_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = r#"
import sys
p = sys.argv[1]
try:
    import duckdb
    r = duckdb.connect().execute(f"SELECT count(*), count(DISTINCT licence), sum(value_gbp), count(*) FILTER (WHERE value_gbp IS NULL), min(date)::VARCHAR, max(date)::VARCHAR FROM read_parquet('{p}')").fetchone()
except ImportError:
    import pyarrow.parquet as pq, pyarrow.compute as pc
    tb = pq.read_table(p)
    r = (tb.num_rows, len(pc.unique(tb['licence'])), pc.sum(tb['value_gbp']).as_py(), tb['value_gbp'].null_count, str(pc.min(tb['date'])), str(pc.max(tb['date'])))
print(*r, sep='|')
"#;
    let out = Command::new(&python)
        .arg("-c")
        .arg(script)
        .arg(path)
        .output();
    let Some(out) = out.ok().filter(|o| o.status.success()) else {
        eprintln!("no Python with duckdb or pyarrow ({python}): cross-check skipped");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let got: Vec<&str> = text.trim().split('|').collect();
    let nulls = t.rows().filter(|r| r.value_gbp.is_none()).count();
    let total: i128 = t.rows().filter_map(|r| r.value_gbp).map(i128::from).sum();
    let (a, b) = t.date_range().unwrap();
    let want: HashMap<usize, String> = [
        (0, t.len().to_string()),
        (1, t.groups().to_string()),
        (2, total.to_string()),
        (3, nulls.to_string()),
        (4, a.to_string()),
        (5, b.to_string()),
    ]
    .into_iter()
    .collect();
    for (i, w) in want {
        assert_eq!(
            got.get(i).copied(),
            Some(w.as_str()),
            "column {i} of {text}"
        );
    }
    eprintln!("cross-checked with {python}: {text}");
}
