//! Dirty input: every problem is reported with file, line and reason; good rows survive;
//! strict mode returns nothing.

use std::path::Path;

use probity_analytics::caat::IdScheme;
use probity_analytics::{
    import_dir, AnomalyKind, Destination, ImportError, ImportOptions, ImportReport, Query,
    Severity, Table,
};

const RATINGS: &[u8] = b"rating,military,short_description,full_description\r\n\
ML10,1,Aircraft,Aircraft\r\nML16,1,Forgings,Forgings\r\nml16,0,Forgings,Forgings\r\n\
5A002,0,Crypto,Crypto\r\nEnd Use,0,End use,End use\r\n";

const CRITERIA: &[u8] =
    b"licence_group,criteria,description\r\n10,1,One\r\n10,1,One\r\n10,7,Seven\r\n";

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn dir_with(values: &[u8]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "ratings.csv", RATINGS);
    write(d.path(), "refusal-criteria.csv", CRITERIA);
    write(d.path(), "values.csv", values);
    d
}

fn lines_of(report: &ImportReport, kind: AnomalyKind) -> Vec<u64> {
    report.examples_of(kind).map(|a| a.line).collect()
}

const DIRTY: &[u8] = b"licence_group,date,rating,count,value,country,refused\r\n\
1,2012-01-02,ML10,1,100,Israel,0\r\n\
2,2012-01-03,ml16,1,200,\"Korea, South\",0\n\
3,2012-01-04,ML10,1,300,Israel\r\n\
4,2012-01-05,ML10,1,abc,Israel,0\r\n\
5,2012-02-30,ML10,1,1,Israel,0\r\n\
6,2012-01-06,ML10,1,1,Israel,2\r\n\
7,2012-01-07,ML10,1,1,C\xf4te d'Ivoire,0\r\n\
8,2012-01-08,ML10,1,1,Atlantis,0\r\n\
9,2012-01-09,XYZ1,1,1,Israel,0\r\n\
10,2012-01-10,End Use,1,,Iran,1\r\n\
11,2012-01-11,5A002,1,9000000000,Israel,0\r\n\
12,2012-01-12,,1,5,Israel,0\r\n";

#[test]
fn dirty_values_are_reported_line_by_line_and_good_rows_kept() {
    let d = dir_with(DIRTY);
    let (ds, report) = import_dir(d.path(), &ImportOptions::default()).unwrap();
    let kept: Vec<u64> = ds.values.iter().map(|r| r.group).collect();
    assert_eq!(kept, [1, 2, 8, 9, 10, 11], "{report}");
    assert_eq!(report.records_rejected, 6);
    let f = report.file("values.csv").unwrap();
    assert_eq!((f.records, f.imported), (12, 6));
    assert_eq!(lines_of(&report, AnomalyKind::WrongFieldCount), [4]);
    assert_eq!(lines_of(&report, AnomalyKind::BadNumber), [5]);
    assert_eq!(lines_of(&report, AnomalyKind::BadDate), [6]);
    assert_eq!(lines_of(&report, AnomalyKind::BadFlag), [7]);
    assert_eq!(lines_of(&report, AnomalyKind::NotUtf8), [8]);
    assert_eq!(lines_of(&report, AnomalyKind::UnknownCountry), [9]);
    assert_eq!(lines_of(&report, AnomalyKind::UnknownRating), [10]);
    assert_eq!(lines_of(&report, AnomalyKind::RefusedWithoutValue), [11]);
    assert_eq!(lines_of(&report, AnomalyKind::OutlierValue), [12]);
    assert_eq!(lines_of(&report, AnomalyKind::EmptyField), [13]);
    assert_eq!(lines_of(&report, AnomalyKind::RatingCaseNormalised), [3]);
    assert_eq!(report.count(AnomalyKind::DuplicateRatingDefinition), 1);
    assert_eq!(report.count(AnomalyKind::DuplicateCriterionRow), 1);
    for a in &report.examples {
        assert!(!a.reason.is_empty(), "{a}");
        if a.kind.severity() == Severity::Error {
            assert_eq!(a.file, "values.csv", "{a}");
        }
    }
    let not_utf8 = report.examples_of(AnomalyKind::NotUtf8).next().unwrap();
    assert!(
        not_utf8.reason.contains("0xF4") && not_utf8.reason.contains("Windows-1252"),
        "{not_utf8}"
    );
    let date = report.examples_of(AnomalyKind::BadDate).next().unwrap();
    assert!(date.reason.contains("2012-02-30"), "{date}");

    // Kept rows: the comma name maps, ml16 is ML16, the unknown country is ZZ, values faithful.
    let korea = ds.values.iter().find(|r| r.group == 2).unwrap();
    assert_eq!(
        (korea.rating.code(), korea.rating.as_published()),
        ("ML16", Some("ml16"))
    );
    let t = Table::from_caat(&ds).unwrap();
    let kr = t
        .query(&Query {
            destination: Some(Destination::Code("KR".into())),
            ..Default::default()
        })
        .unwrap();
    assert_eq!((kr.total.licences, kr.total.value_gbp), (1, 200));
    let zz = t
        .query(&Query {
            destination: Some(Destination::Code("ZZ".into())),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(zz.total.licences, 1);
    let all = t.query(&Query::default()).unwrap();
    assert_eq!(all.total.value_gbp, 100 + 200 + 1 + 1 + 9_000_000_000);
    assert_eq!((all.total.refused, all.total.criteria_citations), (1, 2));
}

#[test]
fn strict_mode_returns_nothing_on_any_error() {
    let d = dir_with(DIRTY);
    let strict = ImportOptions {
        strict: true,
        ..Default::default()
    };
    match import_dir(d.path(), &strict) {
        Err(ImportError::Strict { report }) => {
            assert_eq!(report.count(AnomalyKind::BadDate), 1);
            assert!(report.has_errors());
        }
        other => panic!("expected a strict failure, got {other:?}"),
    }
    // Warnings alone do not fail a strict import.
    let clean = dir_with(b"licence_group,date,rating,count,value,country,refused\r\n1,2012-01-02,ml16,1,5,Israel,0\r\n");
    let (ds, report) = import_dir(clean.path(), &strict).unwrap();
    assert_eq!(ds.values.len(), 1);
    assert_eq!(report.count_severity(Severity::Error), 0);
}

#[test]
fn wrong_header_rejects_the_file_with_a_reason() {
    let d = dir_with(
        b"id,when,rating,count,value,country,refused\r\n1,2012-01-02,ML10,1,100,Israel,0\r\n",
    );
    let (ds, report) = import_dir(d.path(), &ImportOptions::default()).unwrap();
    assert!(ds.values.is_empty());
    assert_eq!(report.records_rejected, 1);
    let a = report.examples_of(AnomalyKind::WrongHeader).next().unwrap();
    assert_eq!((a.file.as_str(), a.line), ("values.csv", 1));
    assert!(
        a.reason.contains("licence_group") && a.reason.contains("date"),
        "{a}"
    );
    let strict = ImportOptions {
        strict: true,
        ..Default::default()
    };
    assert!(matches!(
        import_dir(d.path(), &strict),
        Err(ImportError::Strict { .. })
    ));
}

#[test]
fn windows_1252_file_is_reported_per_line() {
    let d = dir_with(b"licence_group,date,rating,count,value,country,refused\r\n1,2012-01-02,ML10,1,100,Israel,0\r\n");
    write(
        d.path(),
        "footnotes_region.csv",
        b"name,text\r\nIsrael,\"Caf\xe9 note\"\r\nIran,plain\r\nIraq,\"\x93quoted\x94\"\r\n",
    );
    let (ds, report) = import_dir(d.path(), &ImportOptions::default()).unwrap();
    assert_eq!(ds.region_footnotes.len(), 1);
    assert_eq!(lines_of(&report, AnomalyKind::NotUtf8), [2, 4]);
    assert!(report
        .examples_of(AnomalyKind::NotUtf8)
        .all(|a| a.file == "footnotes_region.csv"));
}

#[test]
fn bom_crlf_unknown_columns_and_extra_files() {
    let d = dir_with(b"\xef\xbb\xbflicence_group,date,rating,count,value,country,refused,note\r\n1,2012-01-02,ML10,1,100,Israel,0,x\r\n");
    write(d.path(), "values-old.csv", b"garbage");
    let (ds, report) = import_dir(d.path(), &ImportOptions::default()).unwrap();
    assert_eq!(ds.values.len(), 1);
    assert_eq!(report.count(AnomalyKind::ByteOrderMark), 1);
    assert_eq!(report.count(AnomalyKind::UnknownColumn), 1);
    assert_eq!(
        report
            .examples_of(AnomalyKind::IgnoredFile)
            .next()
            .unwrap()
            .file,
        "values-old.csv"
    );
    assert!(
        report.file("values-old.csv").is_none(),
        "only values.csv is read"
    );
}

#[test]
fn inconsistent_groups_and_duplicate_ratings_are_kept_and_flagged() {
    let d = dir_with(
        b"licence_group,date,rating,count,value,country,refused\r\n\
          1,2012-01-02,ML10,1,100,Israel,0\r\n1,2012-01-05,ML10,1,50,Iran,0\r\n",
    );
    let (ds, report) = import_dir(d.path(), &ImportOptions::default()).unwrap();
    assert_eq!(ds.values.len(), 2);
    assert_eq!(lines_of(&report, AnomalyKind::InconsistentGroup), [3]);
    assert_eq!(lines_of(&report, AnomalyKind::DuplicateGroupRating), [3]);
    // Still one licence group, whose rows keep their own dates and countries.
    let t = Table::from_caat(&ds).unwrap();
    let r = t.query(&Query::default()).unwrap();
    assert_eq!((r.total.licences, r.total.value_gbp), (1, 150));
}

#[test]
fn missing_directory_is_an_error() {
    let err = import_dir(Path::new("/nonexistent/caat"), &ImportOptions::default()).unwrap_err();
    assert!(matches!(err, ImportError::NotFound(_)), "{err}");
}

const COHORT_VALUES: &[u8] = b"licence_cohort_id,date,rating,count,value,country,iso2,refused\r\n\
59,2020-03-01,ML10,1,1000,Kosovo,RS,0\r\n60,2020-03-02,ML10,1,,Narnia,IL,1\r\n61,2020-03-03,ML10,1,7,Israel,IL,0\r\n";

#[test]
fn cohort_schema_values_join_cohort_criteria() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "ratings.csv", RATINGS);
    write(d.path(), "values.csv", COHORT_VALUES);
    write(
        d.path(),
        "refusal-criteria.csv",
        b"licence_cohort_id,criterion,description\r\n60,2,Two\r\n",
    );
    let (ds, report) = import_dir(d.path(), &ImportOptions::default()).unwrap();
    assert_eq!(ds.id_scheme, Some(IdScheme::LicenceCohort));
    assert_eq!(ds.values.len(), 3);
    assert_eq!(ds.refusal_criteria.len(), 1);
    assert_eq!(lines_of(&report, AnomalyKind::Iso2Mismatch), [2]);
    assert_eq!(lines_of(&report, AnomalyKind::UnknownCountry), [3]);
    let t = Table::from_caat(&ds).unwrap();
    // The unknown name is not guessed; the file's own iso2 places it.
    let il = t
        .query(&Query {
            destination: Some(Destination::Code("IL".into())),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        (
            il.total.licences,
            il.total.refused,
            il.total.criteria_citations
        ),
        (2, 1, 1)
    );
}

#[test]
fn files_with_different_id_schemes_are_not_joined() {
    let d = dir_with(b"licence_group,date,rating,count,value,country,refused\r\n10,2012-01-02,ML10,1,,Iran,1\r\n");
    write(
        d.path(),
        "refusal-criteria.csv",
        b"licence_cohort_id,criterion,description\r\n10,2,Two\r\n",
    );
    let (ds, report) = import_dir(d.path(), &ImportOptions::default()).unwrap();
    assert!(ds.refusal_criteria.is_empty());
    assert_eq!(report.count(AnomalyKind::MixedIdSchemes), 1);
    assert!(report.has_errors());
}

#[test]
fn reimporting_a_directory_is_deterministic() {
    let d = dir_with(DIRTY);
    let a = import_dir(d.path(), &ImportOptions::default()).unwrap();
    let b = import_dir(d.path(), &ImportOptions::default()).unwrap();
    assert_eq!(a, b);
}
