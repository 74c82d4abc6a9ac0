use proptest::prelude::*;
use time::macros::date;

use super::*;

fn row<'a>(group: i64, rating: &'a str, occurrence: u32) -> HistoryRow<'a> {
    HistoryRow {
        licence_group: group,
        rating,
        occurrence,
        line: group as u64 + 2,
        decided_on: date!(2012 - 03 - 14),
        destination: "Saudi Arabia",
        code: "SA",
        refused: false,
        value_gbp: Some(125_000),
        licence_count: Some(1),
        rating_as_published: None,
        outlier: false,
    }
}

fn rows_of(s: &Segment) -> Vec<HistoryRow<'_>> {
    s.rows().collect()
}

/// A body with a fresh checksum, for crafting values that pass the checksum but lie.
fn sealed(body: &[u8]) -> Vec<u8> {
    let mut v = body.to_vec();
    let crc = crc32fast::hash(&v);
    v.extend_from_slice(&crc.to_le_bytes());
    v
}

#[test]
fn an_empty_segment_round_trips() {
    let bytes = encode(&[]);
    let s = decode(&bytes).unwrap();
    assert!(s.is_empty());
}

#[test]
fn extremes_round_trip() {
    let mut a = row(i64::MIN, "ML1a", u32::MAX);
    a.line = u64::MAX;
    a.decided_on = Date::MIN;
    a.value_gbp = Some(i64::MIN);
    a.licence_count = Some(i64::MAX);
    a.rating_as_published = Some("ml1A");
    a.refused = true;
    a.outlier = true;
    let mut b = row(i64::MAX, "", 0);
    b.line = 0;
    b.decided_on = Date::MAX;
    b.value_gbp = Some(i64::MAX);
    b.licence_count = None;
    b.destination = "Côte d'Ivoire";
    let rows = vec![a, b];
    let bytes = encode(&rows);
    assert_eq!(rows_of(&decode(&bytes).unwrap()), rows);
}

#[test]
fn repeated_words_are_stored_once() {
    let rows: Vec<_> = (0..1000).map(|g| row(g, "ML10a", 1)).collect();
    let bytes = encode(&rows);
    // One copy of each word, and a few bytes per row.
    assert_eq!(bytes.windows(5).filter(|w| w == b"ML10a").count(), 1);
    // Twelve bytes a row here: the value (125,000) takes three, every other field one.
    assert!(bytes.len() <= 1000 * 12 + 40, "{} bytes", bytes.len());
}

#[test]
fn every_truncation_is_an_error() {
    let rows: Vec<_> = (0..20).map(|g| row(g * 7, "ML4a", 1)).collect();
    let bytes = encode(&rows);
    for n in 0..bytes.len() {
        assert!(decode(&bytes[..n]).is_err(), "cut at {n} decoded");
    }
}

#[test]
fn every_flipped_bit_is_an_error() {
    let rows = vec![row(1, "ML4a", 1), row(2, "PL5017", 2)];
    let bytes = encode(&rows);
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut b = bytes.clone();
            b[i] ^= 1 << bit;
            assert!(decode(&b).is_err(), "bit {bit} of byte {i} flipped decoded");
        }
    }
}

#[test]
fn foreign_bytes_are_not_a_segment() {
    assert_eq!(decode(b"PAR1 not ours"), Err(SegmentError::BadMagic));
    assert_eq!(decode(b""), Err(SegmentError::BadMagic));
    assert_eq!(
        decode(b"PHS1\x00"),
        Err(SegmentError::Truncated("the checksum"))
    );
}

#[test]
fn lies_that_pass_the_checksum_are_caught() {
    // One row claimed, none there.
    let b = sealed(b"PHS1\x01\x00\x00\x00\x00");
    assert_eq!(decode(&b), Err(SegmentError::Truncated("a licence group")));
    // A rating index past its dictionary (of one word, "A").
    let b = sealed(b"PHS1\x01\x01\x01A\x00\x00\x00\x00\x05");
    assert_eq!(
        decode(&b),
        Err(SegmentError::BadIndex {
            field: "rating",
            index: 5,
            len: 1
        })
    );
    // A varint of eleven bytes.
    let mut body = b"PHS1".to_vec();
    body.extend_from_slice(&[0xff; 10]);
    body.push(0x01);
    assert_eq!(
        decode(&sealed(&body)),
        Err(SegmentError::Overflow("the row count"))
    );
    // A dictionary word that is not UTF-8.
    let b = sealed(b"PHS1\x00\x01\x01\xff\x00\x00\x00");
    assert_eq!(decode(&b), Err(SegmentError::NotUtf8));
    // Bytes after the rows.
    let mut body = encode(&[]);
    body.truncate(body.len() - 4);
    body.push(0);
    assert_eq!(decode(&sealed(&body)), Err(SegmentError::TrailingBytes(1)));
}

#[test]
fn unknown_flags_are_caught() {
    let good = encode(&[row(1, "A", 1)]);
    let body = &good[..good.len() - 4];
    // The flags byte comes before the value (3 bytes) and the count (1 byte).
    let at = body.len() - 5;
    let mut b = body.to_vec();
    b[at] |= 0x80;
    assert!(matches!(
        decode(&sealed(&b)),
        Err(SegmentError::BadFlags { row: 0, .. })
    ));
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[A-Z]{1,3}[0-9]{1,4}[a-z]?",
        "\\PC{0,12}",
    ]
}

proptest! {
    /// Whatever rows are encoded come back, in order, field for field.
    #[test]
    fn segments_round_trip(
        words in prop::collection::vec(word(), 1..6),
        raw in prop::collection::vec(
            (any::<i64>(), 0usize..6, any::<u32>(), any::<u64>(), -2_000_000i32..3_000_000,
             any::<bool>(), any::<Option<i64>>(), any::<Option<i64>>(),
             prop::option::of(0usize..6), any::<bool>()),
            0..200,
        ),
    ) {
        let w = |i: usize| words[i % words.len()].as_str();
        let rows: Vec<HistoryRow<'_>> = raw
            .iter()
            .map(|&(g, rt, oc, line, jd, refused, value, count, published, outlier)| HistoryRow {
                licence_group: g,
                rating: w(rt),
                occurrence: oc,
                line,
                decided_on: Date::from_julian_day(jd).unwrap_or(Date::MIN),
                destination: w(rt + 1),
                code: w(rt + 2),
                refused,
                value_gbp: value,
                licence_count: count,
                rating_as_published: published.map(w),
                outlier,
            })
            .collect();
        let bytes = encode(&rows);
        let segment = decode(&bytes).unwrap();
        prop_assert_eq!(segment.len(), rows.len());
        prop_assert_eq!(rows_of(&segment), rows);
    }
}

#[test]
fn a_day_no_calendar_has_is_caught() {
    let mut body = b"PHS1\x01\x01\x01A\x01\x01A\x01\x01A\x00\x00\x00\x00\x00".to_vec();
    put(&mut body, zigzag(1_000_000_000));
    body.extend_from_slice(&[0, 0, 0]);
    assert_eq!(
        decode(&sealed(&body)),
        Err(SegmentError::BadDate {
            row: 0,
            day: 1_000_000_000
        })
    );
}

#[test]
fn a_word_has_one_index_wherever_it_is_held() {
    let text = String::from("ML10 ML10");
    let copy = String::from("ML1");
    let mut d = super::Dict::default();
    // Same address, different lengths: different words.
    assert_eq!(d.index(&text[0..4]), 0);
    assert_eq!(d.index(&text[0..3]), 1);
    assert_eq!(d.index(&text[0..4]), 0);
    // Same words at other addresses: the same indices.
    assert_eq!(d.index(&text[5..9]), 0);
    assert_eq!(d.index(&copy), 1);
    assert_eq!(d.index(""), 2);
    assert_eq!(d.words, ["ML10", "ML1", ""]);
}
