use proptest::prelude::*;
use time::{Date, Month};

use super::*;
use crate::countries::Region;
use crate::ratings::RatingKind;
use crate::table::{Decision, LicenceType, RowInput, Source, TableBuilder};

const RATINGS: [(&str, RatingKind); 4] = [
    ("ML1a", RatingKind::Military),
    ("ML10", RatingKind::Military),
    ("5A002", RatingKind::DualUse),
    ("PL9009", RatingKind::National),
];
const PLACES: [(&str, &str, Region); 3] = [
    ("Norway", "NO", Region::Europe),
    ("Saudi Arabia", "SA", Region::MiddleEastNorthAfrica),
    ("Somewhere", "ZZ", Region::Unknown),
];

/// (licence, day, rating, place, refused, value, count, criterion, outlier)
type Row = (u64, u16, usize, usize, bool, Option<i64>, u32, bool, bool);

fn build(rows: &[Row], split: bool) -> Table {
    let mut b = TableBuilder::new();
    for (code, kind) in RATINGS {
        b.define_rating(code, kind, &format!("{code} goods"))
            .unwrap();
    }
    for (name, code, region) in PLACES {
        b.define_place(name, code, region).unwrap();
    }
    b.define_criterion("1", "International obligations")
        .unwrap();
    b.define_criterion("2c", "Serious violations of IHL")
        .unwrap();
    let start = Date::from_calendar_date(2008, Month::January, 1).unwrap();
    let crit = vec!["2c".to_string()];
    let none = Vec::new();
    let mut other = TableBuilder::new();
    for &(licence, day, rating, place, refused, value, count, cited, outlier) in rows {
        let row = RowInput {
            source: if split && licence % 2 == 1 {
                Source::Probity
            } else {
                Source::Caat
            },
            licence,
            date: start + time::Duration::days(i64::from(day)),
            rating: RATINGS[rating].0,
            destination: PLACES[place].0,
            decision: if refused {
                Decision::Refused
            } else {
                Decision::Granted
            },
            licence_type: LicenceType::Unspecified,
            value_gbp: value,
            count,
            criteria: if cited { &crit } else { &none },
            outlier,
        };
        b.push(&row).unwrap();
    }
    let table = b.build();
    if !split {
        return table;
    }
    // A second part (as the service combines the history with Probity's own decisions).
    other.define_place("Norway", "NO", Region::Europe).unwrap();
    other
        .define_rating("ML22", RatingKind::Military, "technology")
        .unwrap();
    other
        .push(&RowInput {
            source: Source::Probity,
            licence: 9_999_999,
            date: start,
            rating: "ML22",
            destination: "Norway",
            decision: Decision::Revoked,
            licence_type: LicenceType::StandardIndividual,
            value_gbp: None,
            count: 1,
            criteria: &none,
            outlier: false,
        })
        .unwrap();
    Table::combine(&table, &other.build()).unwrap()
}

fn rows() -> impl Strategy<Value = Vec<Row>> {
    proptest::collection::vec(
        (
            0u64..400,
            0u16..3000,
            0usize..RATINGS.len(),
            0usize..PLACES.len(),
            any::<bool>(),
            proptest::option::of(0i64..10_000_000),
            0u32..5,
            any::<bool>(),
            proptest::bool::weighted(0.05),
        ),
        0..300,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A snapshot read back is the table it was written from, part for part: every column,
    /// dictionary, cell and sub-cell.
    #[test]
    fn a_snapshot_round_trip_equals_the_fresh_build(rows in rows(), split in any::<bool>()) {
        let table = build(&rows, split);
        let back = decode(&encode(&table, "key"), "key").unwrap();
        prop_assert_eq!(&back, &table);
        prop_assert_eq!(back.len(), table.len());
    }
}

fn sample() -> Vec<u8> {
    let rows: Vec<Row> = (0..50)
        .map(|i| {
            (
                i / 2,
                (i * 7) as u16,
                (i % 4) as usize,
                (i % 3) as usize,
                i % 5 == 0,
                Some(i as i64 * 100),
                1,
                i % 3 == 0,
                false,
            )
        })
        .collect();
    encode(&build(&rows, true), "runs=1")
}

#[test]
fn a_snapshot_of_another_key_version_or_damaged_is_refused_with_its_reason() {
    let good = sample();
    assert!(decode(&good, "runs=1").is_ok());
    assert!(matches!(
        decode(&good, "runs=2"),
        Err(SnapshotError::Stale { .. })
    ));
    let mut other_version = good.clone();
    other_version[8] = 99;
    assert!(matches!(
        decode(&other_version, "runs=1"),
        Err(SnapshotError::Version { found: 99 })
    ));
    assert!(matches!(
        decode(b"PK\x03\x04 not ours", "runs=1"),
        Err(SnapshotError::NotASnapshot)
    ));
    assert!(matches!(
        decode(b"", "runs=1"),
        Err(SnapshotError::NotASnapshot)
    ));
    // Cut anywhere: refused, never a panic.
    for cut in [9, 14, 30, good.len() / 2, good.len() - 1] {
        assert!(decode(&good[..cut], "runs=1").is_err(), "cut at {cut}");
    }
    assert!(matches!(
        decode(&good[..good.len() - 1], "runs=1"),
        Err(SnapshotError::Truncated(_))
    ));
    // Any flipped byte in the payload: the checksum says so. (The file ends with the
    // payload's checksum, then the key: 4 bytes, 8 of length and "runs=1".)
    let payload_end = good.len() - 4 - 8 - "runs=1".len();
    for at in [40, good.len() / 2, payload_end - 1] {
        let mut bad = good.clone();
        bad[at] ^= 0x20;
        assert!(
            matches!(decode(&bad, "runs=1"), Err(SnapshotError::Checksum { .. })),
            "byte {at}"
        );
    }
    // A flipped byte in the key: another key's.
    let mut other_key = good.clone();
    *other_key.last_mut().unwrap() ^= 0x03;
    assert!(matches!(
        decode(&other_key, "runs=1"),
        Err(SnapshotError::Stale { .. })
    ));
    // Bytes after the key: refused.
    let mut longer = good.clone();
    longer.push(0);
    assert!(matches!(
        decode(&longer, "runs=1"),
        Err(SnapshotError::Corrupt(_))
    ));
}

#[test]
fn save_replaces_the_file_whole_and_load_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("probity.db.analytics");
    assert!(matches!(load(&path, "k"), Err(SnapshotError::Missing(_))));
    let rows: Vec<Row> = vec![(1, 1, 0, 0, false, Some(10), 1, false, false)];
    let table = build(&rows, false);
    save(&table, "k", &path).unwrap();
    assert_eq!(load(&path, "k").unwrap(), table);
    // Saved again over the old one; no temporary file is left beside it.
    save(&table, "k2", &path).unwrap();
    assert!(matches!(load(&path, "k"), Err(SnapshotError::Stale { .. })));
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        vec![std::ffi::OsString::from("probity.db.analytics")]
    );
    // Written but for its key, then dropped (an import whose commit failed): nothing is left,
    // and the snapshot there is untouched.
    let unkeyed = write_unkeyed(&table, &path).unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    drop(unkeyed);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    assert_eq!(load(&path, "k2").unwrap(), table);
    // Finished with its key: the snapshot of that key.
    write_unkeyed(&table, &path).unwrap().finish("k3").unwrap();
    assert_eq!(load(&path, "k3").unwrap(), table);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_snapshot_written_in_pieces_is_the_encoded_snapshot() {
    let rows: Vec<Row> = (0..300u64)
        .map(|i| {
            let value = (i % 9 != 0).then_some(i as i64 * 17);
            let (rating, place) = ((i % 4) as usize, (i % 3) as usize);
            (
                i / 3,
                (i % 40) as u16,
                rating,
                place,
                i % 11 == 0,
                value,
                1,
                i % 13 == 0,
                false,
            )
        })
        .collect();
    let table = build(&rows, true);
    let want = encode(&table, "pieces");
    let dir = tempfile::tempdir().unwrap();
    // Pieces of a few bytes: the header, many pieces, the length patched in, the checksum.
    for piece in [1, 64, 1 << 20] {
        let path = dir.path().join(format!("s{piece}"));
        let f = std::fs::File::create(&path).unwrap();
        super::write_to(&f, &table, piece).unwrap();
        drop(f);
        let mut written = std::fs::read(&path).unwrap();
        written.extend_from_slice(&super::key_bytes("pieces"));
        assert_eq!(written, want, "pieces of {piece} bytes");
    }
}
