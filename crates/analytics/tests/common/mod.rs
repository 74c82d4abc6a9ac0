//! Shared helpers for the integration tests: locating the real data, and a deliberately simple
//! CSV reader that does not use the library (so computations built on it are independent).
#![allow(dead_code)]

pub mod synth;

use std::path::PathBuf;

/// The real CAAT UK data directory. Panics with a clear message if it is absent: these tests
/// must never pass silently without the data.
pub fn caat_dir() -> PathBuf {
    let dir = match std::env::var_os("PROBITY_CAAT_DIR") {
        Some(d) => PathBuf::from(d),
        None => shared_data("caat-uk"),
    };
    assert!(
        dir.join("values-2008-2015q1.csv").is_file(),
        "real CAAT data not found at {} (set PROBITY_CAAT_DIR to the caat-uk directory, or PROBITY_SHARED_DATA to shared/data); \
         these tests need it and refuse to pass without it",
        dir.display()
    );
    dir
}

pub fn caat_2025_dir() -> PathBuf {
    let dir = caat_dir().join("2025");
    assert!(
        dir.join("ratings.csv").is_file(),
        "2025 CAAT data not found at {}",
        dir.display()
    );
    dir
}

/// Split one CSV line into fields: commas separate, double quotes enclose, `""` is a quote.
/// Enough for the CAAT files, whose quoted fields never contain line breaks.
pub fn split_line(line: &str) -> Vec<String> {
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

/// Read a CSV file into (header, rows), stripping CR line endings.
pub fn read_csv(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    read_csv_at(&caat_dir().join(name))
}

pub fn read_csv_at(path: &std::path::Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty());
    let header = split_line(lines.next().expect("header"));
    let rows = lines.map(split_line).collect();
    (header, rows)
}

/// One values.csv row, parsed by hand.
#[derive(Debug, Clone)]
pub struct V {
    pub group: u64,
    pub date: String,
    pub rating: String,
    pub value: i64,
    pub country: String,
    pub refused: bool,
}

pub fn values() -> Vec<V> {
    let (h, rows) = read_csv("values-2008-2015q1.csv");
    assert_eq!(
        h,
        [
            "licence_group",
            "date",
            "rating",
            "count",
            "value",
            "country",
            "refused"
        ]
    );
    rows.into_iter()
        .map(|r| {
            assert_eq!(r.len(), 7, "{r:?}");
            V {
                group: r[0].parse().unwrap(),
                date: r[1].clone(),
                rating: r[2].clone(),
                value: if r[4].is_empty() {
                    0
                } else {
                    r[4].parse().unwrap()
                },
                country: r[5].clone(),
                refused: r[6] == "1",
            }
        })
        .collect()
}

/// rating → military flag, from ratings.csv.
pub fn military_flags() -> std::collections::HashMap<String, bool> {
    let (_, rows) = read_csv("ratings.csv");
    rows.into_iter()
        .map(|r| (r[0].clone(), r[1] == "1"))
        .collect()
}

/// Military per ratings.csv. The stray `ml16` is ML16 (the data README calls it a stray
/// lower-case spelling), so a code is looked up upper-cased first.
pub fn is_military(flags: &std::collections::HashMap<String, bool>, code: &str) -> bool {
    flags
        .get(&code.to_ascii_uppercase())
        .or_else(|| flags.get(code))
        .copied()
        .unwrap_or(false)
}

/// The shared data folder `sub` (e.g. `caat-uk`): under `PROBITY_SHARED_DATA` (scripts/test.sh
/// exports it), else under `../shared/data` beside the repository. Panics saying where it
/// looked when absent: the tests that need it never pass without it.
pub fn shared_data(sub: &str) -> std::path::PathBuf {
    let base = match std::env::var_os("PROBITY_SHARED_DATA") {
        Some(d) if !d.is_empty() => std::path::PathBuf::from(d),
        _ => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    };
    let dir = base.join(sub);
    assert!(
        dir.exists(),
        "shared test data not found at {} (set PROBITY_SHARED_DATA to the shared/data folder, \
         as scripts/test.sh does); these tests refuse to pass without it",
        dir.display()
    );
    dir
}
