//! Unit tests of the shared helpers of the list parsers.

use super::*;

#[test]
fn collapse_trims_and_joins_words() {
    assert_eq!(collapse("  CHO \n CHUN  RYONG "), "CHO CHUN RYONG");
    assert_eq!(collapse(" \t "), "");
}

#[test]
fn countries_lose_trailing_notes_only() {
    assert_eq!(
        clean_country("Afghanistan (since 2009)").as_deref(),
        Some("Afghanistan")
    );
    assert_eq!(
        clean_country("Kuwait (residence as at Mar 2009) (UN address)").as_deref(),
        Some("Kuwait")
    );
    assert_eq!(
        clean_country("Korea, North").as_deref(),
        Some("Korea, North")
    );
    assert_eq!(clean_country(" na"), None);
    assert_eq!(clean_country("(unknown)").as_deref(), Some("(unknown)"));
}

#[test]
fn dates_are_checked() {
    assert_eq!(
        date(2016, Some(2), Some(29)).map(|d| d.to_string()),
        Some("2016-02-29".into())
    );
    assert_eq!(date(2015, Some(2), Some(29)), None);
    assert_eq!(date(2015, Some(13), None), None);
    assert_eq!(date(2015, None, Some(3)), None);
    assert_eq!(
        iso_date("1960-01-01-05:00").map(|d| d.to_string()),
        Some("1960-01-01".into())
    );
    assert_eq!(iso_date("1960/01/01"), None);
    assert_eq!(year_range(1955, 1958).map(|v| v.len()), Some(4));
    assert_eq!(year_range(1900, 1990).map(|v| v.len()), Some(20));
    assert_eq!(year_range(1990, 1980), None);
}

#[test]
fn refuse_names_the_first_bad_line_and_counts_the_others() {
    let mut bad = BadLineCollector::default();
    bad.add(9, "later");
    bad.add(4, "first");
    bad.add(12, "last");
    match bad.finish(BadLines::Refuse) {
        Err(ListError::BadLine { first, more }) => {
            assert_eq!(first.line, 4);
            assert_eq!(more, 2);
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn builder_puts_the_primary_name_first_even_when_it_comes_later() {
    let mut b = EntryBuilder::new("1", EntryKind::Individual);
    b.name("Faruq AL-QATARI", NameKind::Alias);
    b.name("Nayef AL-HABABI", NameKind::Primary);
    b.name("Faruq  AL-QATARI", NameKind::Former);
    let entry = b.build().expect("has names");
    assert_eq!(entry.primary_name(), "Nayef AL-HABABI");
    assert_eq!(entry.names.len(), 2);
    assert_eq!(entry.names[1].kind, NameKind::Alias);
}

#[test]
fn csv_records_get_their_physical_lines() {
    let text = b"a,b\r\n\r\n\"x\r\ny\",d\r\ne,f\n\n\ng,h\n";
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&text[..]);
    let mut lines = LineCounter::new(text);
    let found: Vec<u64> = reader
        .byte_records()
        .map(|r| lines.record(r.expect("valid CSV").position()))
        .collect();
    assert_eq!(found, [1, 3, 5, 8]);
}

#[test]
fn denials_are_not_loaded_from_a_file() {
    let err = parse(&ListKind::Denials, b"id,name\n1,X\n", BadLines::Refuse).unwrap_err();
    assert!(matches!(err, ListError::WrongFormat { .. }), "{err:?}");
}
