//! The values file: one row per (licence group or cohort, rating).
//! `licence_group,date,rating,count,value,country,refused` (2008–2015 release), or the same with
//! `licence_cohort_id` and an optional `iso2` column (newer releases).

use foldhash::HashMap;

use super::csvparts::{parts_for, read_csv_rows};
use super::csvread::{col, parse_flag, parse_id, parse_whole, trim, ColSpec};
use super::reference::scheme_of;
use super::seen::Seen;
use super::{check_country_with, IdScheme, ImportOptions, ValueRow};
use crate::report::{AnomalyKind, ImportReport};

const SPECS: &[ColSpec] = &[
    col(&["licence_group", "licence_cohort_id"], true),
    col(&["date"], true),
    col(&["rating"], true),
    col(&["count"], false),
    col(&["value"], true),
    col(&["country", "destination"], true),
    col(&["iso2"], false),
    col(&["refused"], true),
];

fn reject<T>(
    report: &mut ImportReport,
    kind: AnomalyKind,
    file: &str,
    line: u64,
    reason: String,
) -> Option<T> {
    report.note(kind, file, line, reason);
    None
}

/// Parse the values file. `known` maps canonical rating codes to their military flag; when it is
/// empty (no ratings.csv) ratings are not checked here. The checks across a group's rows, and
/// the rows' occurrence numbers, are [`super::groups::check_groups`]'s (the caller runs it beside
/// other work).
pub(super) fn parse_values(
    file: &str,
    bytes: &[u8],
    known: &HashMap<String, bool>,
    opts: &ImportOptions,
    report: &mut ImportReport,
) -> (Vec<ValueRow>, Option<IdScheme>) {
    read_values_in_parts(file, bytes, known, opts, report, parts_for(bytes.len()))
}

/// [`parse_values`], the file read in up to `parts` parts on as many threads.
pub(super) fn read_values_in_parts(
    file: &str,
    bytes: &[u8],
    known: &HashMap<String, bool>,
    opts: &ImportOptions,
    report: &mut ImportReport,
    parts: usize,
) -> (Vec<ValueRow>, Option<IdScheme>) {
    let (header, rows) = read_csv_rows(
        file,
        bytes,
        SPECS,
        report,
        parts,
        |seen: &mut Seen, _, line, f, report| {
            let group = match parse_id(f.str(0)) {
                Ok(g) => g,
                Err(e) => return reject(report, AnomalyKind::BadNumber, file, line, e),
            };
            let date = match seen.date(f.str(1)) {
                Ok(d) => d,
                Err(e) => return reject(report, AnomalyKind::BadDate, file, line, e),
            };
            let published = trim(f.str(2));
            if published.is_empty() {
                return reject(
                    report,
                    AnomalyKind::EmptyField,
                    file,
                    line,
                    "empty rating".into(),
                );
            }
            let count = match f.get(3).map(parse_whole).transpose() {
                Ok(None) => None,
                Ok(Some((n, decimal))) => match u32::try_from(n) {
                    Ok(n) => {
                        if decimal {
                            let reason = format!("count {:?} read as {n}", f.str(3));
                            report.note(AnomalyKind::NonIntegerNumber, file, line, reason);
                        }
                        Some(n)
                    }
                    Err(_) => {
                        let reason = format!("count {n} is negative or too large");
                        return reject(report, AnomalyKind::BadNumber, file, line, reason);
                    }
                },
                Err(e) => {
                    return reject(
                        report,
                        AnomalyKind::BadNumber,
                        file,
                        line,
                        format!("count: {e}"),
                    )
                }
            };
            let raw_value = trim(f.str(4));
            let value_gbp = if raw_value.is_empty() {
                None
            } else {
                match parse_whole(raw_value) {
                    Ok((v, decimal)) => {
                        if decimal {
                            let reason = format!("value {raw_value:?} read as {v}");
                            report.note(AnomalyKind::NonIntegerNumber, file, line, reason);
                        }
                        Some(v)
                    }
                    Err(e) => {
                        return reject(
                            report,
                            AnomalyKind::BadNumber,
                            file,
                            line,
                            format!("value: {e}"),
                        )
                    }
                }
            };
            let country = trim(f.str(5));
            if country.is_empty() {
                return reject(
                    report,
                    AnomalyKind::EmptyField,
                    file,
                    line,
                    "empty country".into(),
                );
            }
            let iso2 = f.get(6).map(trim).filter(|s| !s.is_empty());
            let refused = match parse_flag(f.str(7)) {
                Ok(r) => r,
                Err(e) => {
                    return reject(
                        report,
                        AnomalyKind::BadFlag,
                        file,
                        line,
                        format!("refused: {e}"),
                    )
                }
            };

            // The row is good: from here on oddities are recorded and the row is kept.
            let r = seen.rating(published, known);
            let rating = r.row.clone();
            if r.row.as_published().is_some() {
                let reason = format!("rating {published:?} normalised to {:?}", rating.code());
                report.note(AnomalyKind::RatingCaseNormalised, file, line, reason);
            }
            if !known.is_empty() && !r.known {
                let reason = format!(
                    "rating {:?} is not in ratings.csv; kind inferred from its pattern",
                    rating.code()
                );
                report.note(AnomalyKind::UnknownRating, file, line, reason);
            }
            let (destination, info) = seen.destination(country, iso2);
            check_country_with(report, file, line, country, iso2, info);
            let mut outlier = false;
            match value_gbp {
                None if refused => report.note(
                    AnomalyKind::RefusedWithoutValue,
                    file,
                    line,
                    "refused row, no value".into(),
                ),
                None => report.note(
                    AnomalyKind::MissingValue,
                    file,
                    line,
                    "approved row, no value".into(),
                ),
                Some(0) if !refused => report.note(
                    AnomalyKind::ZeroValue,
                    file,
                    line,
                    "approved row, value 0".into(),
                ),
                Some(v) if v < 0 => report.note(
                    AnomalyKind::NegativeValue,
                    file,
                    line,
                    format!("value {v} is negative"),
                ),
                Some(v) if v > opts.outlier_threshold_gbp => {
                    outlier = true;
                    let reason = format!(
                    "value £{v} exceeds the outlier threshold £{}; imported as published and flagged",
                    opts.outlier_threshold_gbp
                );
                    report.note(AnomalyKind::OutlierValue, file, line, reason);
                }
                Some(_) => {}
            }
            Some(ValueRow {
                line,
                group,
                date,
                rating,
                occurrence: 0, // numbered by check_groups
                count,
                value_gbp,
                destination,
                refused,
                outlier,
            })
        },
    );
    let scheme = header
        .as_ref()
        .and_then(|h| scheme_of(h.matched[0].as_deref()));
    (rows, scheme)
}
