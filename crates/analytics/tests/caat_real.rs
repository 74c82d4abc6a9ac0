//! Importing the real CAAT UK files: counts from the data README, anomalies, determinism.

mod common;

use probity_analytics::caat::IdScheme;
use probity_analytics::export::{write_csv, write_json};
use probity_analytics::{
    import_dir, import_files_with_progress, AnomalyKind, CaatFiles, ImportOptions, Severity, Table,
};

#[test]
fn imports_2008_2015_with_the_readme_counts() {
    let (ds, report) = import_dir(&common::caat_dir(), &ImportOptions::default()).unwrap();
    let s = ds.summary();
    assert_eq!(s.value_rows, 96_311);
    assert_eq!(s.licence_groups, 63_408);
    assert_eq!(s.refused_groups, 1_107);
    assert_eq!(s.licence_groups - s.refused_groups, 62_301);
    assert_eq!(s.countries, 220);
    assert_eq!(report.file("ratings.csv").unwrap().records, 250);
    let published: std::collections::BTreeSet<&str> = ds
        .values
        .iter()
        .map(|r| r.rating.as_published().unwrap_or(r.rating.code()))
        .collect();
    assert_eq!(published.len(), 250, "250 rating codes as published");
    assert_eq!(
        s.ratings_used, 249,
        "ml16 and ML16 are one rating once normalised"
    );
    assert_eq!(ds.ratings.len(), 249);
    assert_eq!(s.first_date.unwrap().to_string(), "2008-01-02");
    assert_eq!(s.last_date.unwrap().to_string(), "2015-03-31");
    assert_eq!(ds.id_scheme, Some(IdScheme::LicenceGroup));
    assert_eq!(
        report.file("values-2008-2015q1.csv").unwrap().imported,
        96_311
    );
    assert_eq!(report.records_rejected, 0);

    // Refusal criteria: 1,943 rows, 552 repeats, 1,106 groups; 7547 has none.
    assert_eq!(report.file("refusal-criteria.csv").unwrap().records, 1_943);
    assert_eq!(report.count(AnomalyKind::DuplicateCriterionRow), 552);
    assert_eq!(ds.refusal_criteria.len(), 1_106);
    assert_eq!(
        ds.refusal_criteria.values().map(|c| c.len()).sum::<usize>(),
        1_943 - 552
    );
    assert_eq!(report.count(AnomalyKind::RefusedWithoutCriteria), 1);
    assert!(report
        .examples_of(AnomalyKind::RefusedWithoutCriteria)
        .next()
        .unwrap()
        .reason
        .contains("7547"));
    assert_eq!(ds.destinations.len(), 52_243);
    assert_eq!(ds.sources.len(), 10_595);
    assert_eq!(ds.licence_footnotes.len(), 4_560);
    assert_eq!(ds.region_footnotes.len(), 133);

    // The oddities the README names, each recorded.
    assert_eq!(report.count(AnomalyKind::RatingCaseNormalised), 1);
    let ml16 = report
        .examples_of(AnomalyKind::RatingCaseNormalised)
        .next()
        .unwrap();
    assert_eq!(ml16.file, "values-2008-2015q1.csv");
    let ml16_row = ds
        .values
        .iter()
        .find(|r| r.rating.as_published().is_some())
        .unwrap();
    assert_eq!((ml16_row.group, ml16_row.rating.code()), (63964, "ML16"));
    assert_eq!(ml16.line, ml16_row.line);
    assert_eq!(
        ml16.line, 80_772,
        "physical line in the file (grep -n ',ml16,')"
    );
    assert_eq!(report.count(AnomalyKind::DuplicateRatingDefinition), 1);
    assert_eq!(report.count(AnomalyKind::OutlierValue), 1);
    let big = ds.values.iter().find(|r| r.outlier).unwrap();
    assert_eq!(
        (big.group, big.value_gbp, big.destination.name()),
        (51396, Some(7_767_875_000), "Israel")
    );
    assert_eq!(
        report
            .examples_of(AnomalyKind::OutlierValue)
            .next()
            .unwrap()
            .line,
        big.line
    );
    assert_eq!(big.line, 64_945);
    let no_criteria = report
        .examples_of(AnomalyKind::RefusedWithoutCriteria)
        .next()
        .unwrap();
    assert_eq!(
        (no_criteria.file.as_str(), no_criteria.line),
        ("values-2008-2015q1.csv", 9_329)
    );
    assert_eq!(report.count(AnomalyKind::RefusedWithoutValue), 1_411);
    assert_eq!(report.count(AnomalyKind::ZeroValue), 2_529);
    // sources.csv's groups are, per the README, not in values.
    assert!(report.count(AnomalyKind::UnknownGroupReference) >= 10_595);
    assert_eq!(report.count(AnomalyKind::UnknownCountry), 0);
    assert_eq!(report.count_severity(Severity::Error), 0, "{report}");
    assert!(report
        .examples
        .iter()
        .all(|a| !a.file.is_empty() && !a.reason.is_empty()));
    assert!(report.examples.len() <= report.counts.len() * 20);
}

#[test]
fn reports_progress_file_by_file() {
    let files = CaatFiles::discover(&common::caat_dir()).unwrap();
    let mut seen = Vec::new();
    import_files_with_progress(&files, &ImportOptions::default(), &mut |p| {
        seen.push(p.clone())
    })
    .unwrap();
    assert_eq!(seen.len(), 8, "seven files, then done");
    let last = seen.last().unwrap();
    assert_eq!(
        (last.files_done, last.files_total, last.file.as_str()),
        (7, 7, "")
    );
    assert_eq!(last.bytes_done, last.bytes_total);
    assert!(seen.windows(2).all(|w| w[0].bytes_done <= w[1].bytes_done));
    assert!(seen.iter().any(|p| p.file == "values-2008-2015q1.csv"));
}

#[test]
fn strict_import_of_the_real_files_succeeds() {
    let strict = ImportOptions {
        strict: true,
        ..Default::default()
    };
    assert!(import_dir(&common::caat_dir(), &strict).is_ok());
    assert!(import_dir(&common::caat_2025_dir(), &strict).is_ok());
}

#[test]
fn reimport_gives_an_identical_dataset_table_and_export() {
    let opts = ImportOptions::default();
    let (a, ra) = import_dir(&common::caat_dir(), &opts).unwrap();
    let (b, rb) = import_dir(&common::caat_dir(), &opts).unwrap();
    assert_eq!(a, b);
    assert_eq!(ra, rb);
    let (ta, tb) = (Table::from_caat(&a).unwrap(), Table::from_caat(&b).unwrap());
    assert_eq!(ta, tb);
    let (mut ca, mut cb) = (Vec::new(), Vec::new());
    write_csv(&ta, &mut ca).unwrap();
    write_csv(&tb, &mut cb).unwrap();
    assert_eq!(ca, cb);
    let (mut ja, mut jb) = (Vec::new(), Vec::new());
    write_json(&ta, &mut ja).unwrap();
    write_json(&tb, &mut jb).unwrap();
    assert_eq!(ja, jb);
}

#[test]
fn table_from_the_real_import() {
    let (ds, _) = import_dir(&common::caat_dir(), &ImportOptions::default()).unwrap();
    let t = Table::from_caat(&ds).unwrap();
    assert_eq!(t.len(), 96_311);
    assert_eq!(t.groups(), 63_408);
    assert_eq!(t.places().len(), 220);
    assert_eq!(t.ratings().len(), 249);
    assert_eq!(t.criteria().len(), 8);
    assert!(
        t.codes().iter().all(|c| c.code != "ZZ"),
        "no unknown destinations"
    );
    let (lo, hi) = t.date_range().unwrap();
    assert_eq!(
        (lo.to_string(), hi.to_string()),
        ("2008-01-02".into(), "2015-03-31".into())
    );
    // Every row survives, with its value (or none, on refused rows).
    let total: i128 = t.rows().filter_map(|r| r.value_gbp).map(i128::from).sum();
    assert_eq!(total, ds.summary().total_value_gbp);
    assert_eq!(t.rows().filter(|r| r.value_gbp.is_none()).count(), 1_411);
}

#[test]
fn imports_the_2025_release_without_values() {
    let (ds, report) = import_dir(&common::caat_2025_dir(), &ImportOptions::default()).unwrap();
    assert_eq!(ds.id_scheme, Some(IdScheme::LicenceCohort));
    assert!(ds.values.is_empty());
    assert_eq!(
        report.count(AnomalyKind::FileAbsent),
        1,
        "values.csv is absent: {report}"
    );
    assert_eq!(report.file("ratings.csv").unwrap().records, 317);
    assert_eq!(ds.ratings.len(), 317);
    assert_eq!(report.file("refusal-criteria.csv").unwrap().records, 4_464);
    assert_eq!(ds.refusal_criteria.len(), 3_106);
    assert_eq!(report.count(AnomalyKind::DuplicateCriterionRow), 0);
    assert_eq!(ds.destinations.len(), 192_016);
    assert_eq!(ds.licence_footnotes.len(), 25_611);
    let cohorts: std::collections::BTreeSet<u64> =
        ds.licence_footnotes.iter().map(|f| f.group).collect();
    assert_eq!(cohorts.len(), 23_084);
    assert_eq!(ds.region_footnotes.len(), 266);
    assert_eq!(ds.sources.len(), 1);
    assert_eq!(ds.sources[0].licence_count, Some(28_591));
    assert_eq!(report.count(AnomalyKind::NonIntegerNumber), 1);
    // CAAT codes Kosovo as RS, the Netherlands Antilles islands as NL and "French Overseas
    // Territory" as TF; the mapping deliberately differs, and says so.
    assert!(report.count(AnomalyKind::Iso2Mismatch) > 0);
    let reasons: Vec<&str> = report
        .examples_of(AnomalyKind::Iso2Mismatch)
        .map(|a| a.reason.as_str())
        .collect();
    assert!(
        reasons.iter().all(|r| r.contains("Kosovo")
            || r.contains("Bonaire")
            || r.contains("French Overseas")),
        "{reasons:?}"
    );
    assert_eq!(report.count_severity(Severity::Error), 0, "{report}");
    assert!(Table::from_caat(&ds).unwrap().is_empty());
}
