//! Parsers for the CAAT reference files: ratings, refusal criteria, incorporation destinations,
//! trade sources and footnotes. Both releases' headers are accepted (see each spec).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::csvread::{col, parse_flag, parse_id, parse_whole, read_csv, text, ColSpec, Header};
use super::{
    check_country, IdScheme, IncorporationDestination, LicenceFootnote, RatingDef, RegionFootnote,
    SourceRow,
};
use crate::ratings;
use crate::report::{AnomalyKind, ImportReport};

const GROUP_IDS: &[&str] = &["licence_group", "licence_cohort_id", "bundle_id"];

/// The id scheme named by the header of the id column.
pub(super) fn scheme_of(name: Option<&str>) -> Option<IdScheme> {
    match name? {
        "licence_group" | "bundle_id" => Some(IdScheme::LicenceGroup),
        "licence_cohort_id" => Some(IdScheme::LicenceCohort),
        _ => None,
    }
}

fn scheme(h: &Header, k: usize) -> Option<IdScheme> {
    scheme_of(h.matched.get(k).and_then(|m| m.as_deref()))
}

fn note_err(
    report: &mut ImportReport,
    kind: AnomalyKind,
    file: &str,
    line: u64,
    reason: String,
) -> bool {
    report.note(kind, file, line, reason);
    false
}

/// ratings.csv: `rating,military,short_description,full_description`.
pub(super) fn parse_ratings(file: &str, bytes: &[u8], report: &mut ImportReport) -> Vec<RatingDef> {
    const SPECS: &[ColSpec] = &[
        col(&["rating"], true),
        col(&["military"], true),
        text(&["short_description"], false),
        text(&["full_description"], false),
    ];
    let mut defs: Vec<(String, RatingDef)> = Vec::new();
    let mut by_code: HashMap<String, usize> = HashMap::new();
    read_csv(file, bytes, SPECS, report, |_, line, f, report| {
        let published = f.str(0).trim();
        if published.is_empty() {
            return note_err(
                report,
                AnomalyKind::EmptyField,
                file,
                line,
                "empty rating".into(),
            );
        }
        let military = match parse_flag(f.str(1)) {
            Ok(m) => m,
            Err(e) => {
                return note_err(
                    report,
                    AnomalyKind::BadFlag,
                    file,
                    line,
                    format!("military: {e}"),
                )
            }
        };
        let code = ratings::normalise(published);
        let def = RatingDef {
            kind: ratings::classify(&code, Some(military)),
            code: code.clone(),
            military,
            short_description: f.str(2).to_string(),
            full_description: f.str(3).to_string(),
            line,
        };
        match by_code.get(&code) {
            None => {
                by_code.insert(code, defs.len());
                defs.push((published.to_string(), def));
            }
            Some(&i) => {
                let (prev_pub, prev) = &defs[i];
                let new_is_canonical = published == code && prev_pub != &code;
                let (kept, dropped) = if new_is_canonical {
                    (published, prev_pub.as_str())
                } else {
                    (prev_pub.as_str(), published)
                };
                let reason = format!(
                    "{dropped:?} (military={}) and {kept:?} (military={}) are both {code}; kept {kept:?}",
                    if new_is_canonical { prev.military } else { military } as u8,
                    if new_is_canonical { military } else { prev.military } as u8,
                );
                report.note(AnomalyKind::DuplicateRatingDefinition, file, line, reason);
                if new_is_canonical {
                    defs[i] = (published.to_string(), def);
                }
            }
        }
        true
    });
    let mut out: Vec<RatingDef> = defs.into_iter().map(|(_, d)| d).collect();
    out.sort_by(|a, b| ratings::natural_cmp(&a.code, &b.code));
    out
}

/// The deduplicated refusal criteria and their descriptions.
pub(super) struct Criteria {
    pub by_group: BTreeMap<u64, BTreeSet<String>>,
    pub descriptions: BTreeMap<String, String>,
    pub scheme: Option<IdScheme>,
    /// First line on which each group appears, for cross-file messages.
    pub first_line: HashMap<u64, u64>,
}

/// refusal-criteria.csv: `licence_group,criteria,description` or
/// `licence_cohort_id,criterion,description`. Repeated rows are counted once.
pub(super) fn parse_criteria(file: &str, bytes: &[u8], report: &mut ImportReport) -> Criteria {
    const SPECS: &[ColSpec] = &[
        col(GROUP_IDS, true),
        col(&["criteria", "criterion"], true),
        text(&["description"], false),
    ];
    let mut c = Criteria {
        by_group: BTreeMap::new(),
        descriptions: BTreeMap::new(),
        scheme: None,
        first_line: HashMap::new(),
    };
    let (header, _) = read_csv(file, bytes, SPECS, report, |_, line, f, report| {
        let group = match parse_id(f.str(0)) {
            Ok(g) => g,
            Err(e) => return note_err(report, AnomalyKind::BadNumber, file, line, e),
        };
        let criterion = f.str(1).trim();
        if criterion.is_empty() || criterion.len() > 8 {
            let reason = format!("criterion {criterion:?} is empty or too long");
            return note_err(report, AnomalyKind::EmptyField, file, line, reason);
        }
        c.first_line.entry(group).or_insert(line);
        if !c
            .by_group
            .entry(group)
            .or_default()
            .insert(criterion.to_string())
        {
            let reason = format!("licence {group} cites criterion {criterion} again; counted once");
            report.note(AnomalyKind::DuplicateCriterionRow, file, line, reason);
        }
        c.descriptions
            .entry(criterion.to_string())
            .or_insert_with(|| f.str(2).to_string());
        true
    });
    c.scheme = header.as_ref().and_then(|h| scheme(h, 0));
    c
}

/// destinations.csv (`licence_group,destination`) or incorporation-destinations.csv
/// (`licence_cohort_id,destination,iso2`).
pub(super) fn parse_destinations(
    file: &str,
    bytes: &[u8],
    report: &mut ImportReport,
) -> (Vec<IncorporationDestination>, Option<IdScheme>) {
    const SPECS: &[ColSpec] = &[
        col(GROUP_IDS, true),
        col(&["destination"], true),
        col(&["iso2"], false),
    ];
    let mut out = Vec::new();
    let (header, _) = read_csv(file, bytes, SPECS, report, |_, line, f, report| {
        let group = match parse_id(f.str(0)) {
            Ok(g) => g,
            Err(e) => return note_err(report, AnomalyKind::BadNumber, file, line, e),
        };
        let name = f.str(1).trim();
        if name.is_empty() {
            return note_err(
                report,
                AnomalyKind::EmptyField,
                file,
                line,
                "empty destination".into(),
            );
        }
        let iso2 = f
            .get(2)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        check_country(report, file, line, name, iso2.as_deref());
        out.push(IncorporationDestination {
            group,
            name: name.to_string(),
            iso2,
            line,
        });
        true
    });
    (out, header.as_ref().and_then(|h| scheme(h, 0)))
}

/// sources.csv (`licence_group,source`) or trade-sources.csv
/// (`licence_cohort_id,source,iso2,licence_count`; an older release keys it by `licence_id`).
pub(super) fn parse_sources(
    file: &str,
    bytes: &[u8],
    report: &mut ImportReport,
) -> (Vec<SourceRow>, Option<IdScheme>) {
    const SPECS: &[ColSpec] = &[
        col(GROUP_IDS, false),
        col(&["licence_id"], false),
        col(&["source"], true),
        col(&["iso2"], false),
        col(&["licence_count"], false),
    ];
    let mut out = Vec::new();
    let (header, _) = read_csv(file, bytes, SPECS, report, |h, line, f, report| {
        if h.cols[0].is_none() && h.cols[1].is_none() {
            return false; // reported once below
        }
        let id = |k: usize| f.get(k).map(parse_id).transpose();
        let (group, licence_id) = match (id(0), id(1)) {
            (Ok(g), Ok(l)) => (g, l),
            (Err(e), _) | (_, Err(e)) => {
                return note_err(report, AnomalyKind::BadNumber, file, line, e)
            }
        };
        let name = f.str(2).trim();
        if name.is_empty() {
            return note_err(
                report,
                AnomalyKind::EmptyField,
                file,
                line,
                "empty source".into(),
            );
        }
        let iso2 = f
            .get(3)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let licence_count = match f.get(4).map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => match parse_whole(s) {
                Ok((n, decimal)) if n >= 0 => {
                    if decimal {
                        let reason = format!("licence_count {s:?} read as {n}");
                        report.note(AnomalyKind::NonIntegerNumber, file, line, reason);
                    }
                    Some(n as u64)
                }
                Ok(_) => {
                    let reason = format!("licence_count {s:?} is negative");
                    return note_err(report, AnomalyKind::BadNumber, file, line, reason);
                }
                Err(e) => return note_err(report, AnomalyKind::BadNumber, file, line, e),
            },
        };
        check_country(report, file, line, name, iso2.as_deref());
        out.push(SourceRow {
            group,
            licence_id,
            name: name.to_string(),
            iso2,
            licence_count,
            line,
        });
        true
    });
    if header
        .as_ref()
        .is_some_and(|h| h.cols[0].is_none() && h.cols[1].is_none())
    {
        let reason = "no licence_group, licence_cohort_id or licence_id column".to_string();
        report.note(AnomalyKind::WrongHeader, file, 1, reason);
    }
    (out, header.as_ref().and_then(|h| scheme(h, 0)))
}

/// footnotes_licence.csv (`bundle_id,text`) or footnotes-licence.csv
/// (`licence_id,licence_cohort_id,text`).
pub(super) fn parse_licence_footnotes(
    file: &str,
    bytes: &[u8],
    report: &mut ImportReport,
) -> (Vec<LicenceFootnote>, Option<IdScheme>) {
    const SPECS: &[ColSpec] = &[
        col(GROUP_IDS, true),
        col(&["licence_id"], false),
        text(&["text"], true),
    ];
    let mut out = Vec::new();
    let (header, _) = read_csv(file, bytes, SPECS, report, |_, line, f, report| {
        let group = match parse_id(f.str(0)) {
            Ok(g) => g,
            Err(e) => return note_err(report, AnomalyKind::BadNumber, file, line, e),
        };
        let licence_id = match f.get(1).map(parse_id).transpose() {
            Ok(l) => l,
            Err(e) => return note_err(report, AnomalyKind::BadNumber, file, line, e),
        };
        out.push(LicenceFootnote {
            group,
            licence_id,
            text: f.str(2).to_string(),
            line,
        });
        true
    });
    (out, header.as_ref().and_then(|h| scheme(h, 0)))
}

/// footnotes_region.csv / footnotes-region.csv: `name,text`.
pub(super) fn parse_region_footnotes(
    file: &str,
    bytes: &[u8],
    report: &mut ImportReport,
) -> Vec<RegionFootnote> {
    const SPECS: &[ColSpec] = &[col(&["name"], true), text(&["text"], true)];
    let mut out = Vec::new();
    read_csv(file, bytes, SPECS, report, |_, line, f, report| {
        let name = f.str(0).trim();
        if name.is_empty() {
            return note_err(
                report,
                AnomalyKind::EmptyField,
                file,
                line,
                "empty name".into(),
            );
        }
        check_country(report, file, line, name, None);
        out.push(RegionFootnote {
            name: name.to_string(),
            text: f.str(1).to_string(),
            line,
        });
        true
    });
    out
}
