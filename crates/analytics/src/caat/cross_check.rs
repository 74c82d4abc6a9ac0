//! Checks across the files of one import: refusal criteria, destinations, sources and
//! footnotes against the values file's licence groups.

use std::collections::BTreeMap;

use super::groups::Groups;
use super::reference::Criteria;
use super::{CaatDataset, IncorporationDestination, LicenceFootnote, SourceRow};
use crate::report::{AnomalyKind, ImportReport};

pub(super) type Named<T> = Option<(String, T)>;

/// Checks across files, then moves the joined files into the dataset.
pub(super) fn cross_check(
    ds: &mut CaatDataset,
    groups: &Groups,
    criteria: Named<Criteria>,
    dests: Named<Vec<IncorporationDestination>>,
    sources: Named<Vec<SourceRow>>,
    notes: Named<Vec<LicenceFootnote>>,
    report: &mut ImportReport,
) {
    let have_values = !ds.values.is_empty();
    // Each refused group's first line. A group's rows are usually together: looked up once
    // a run of its refused rows.
    let mut refused: BTreeMap<u64, u64> = BTreeMap::new();
    let mut run = None;
    for r in &ds.values {
        if r.refused && run != Some(r.group) {
            refused.entry(r.group).or_insert(r.line);
        }
        run = r.refused.then_some(r.group);
    }
    if let Some((name, c)) = criteria {
        if have_values {
            for (g, crits) in &c.by_group {
                let line = c.first_line.get(g).copied().unwrap_or(0);
                let list = crits.iter().cloned().collect::<Vec<_>>().join(",");
                if !groups.contains(g) {
                    let reason = format!("licence {g} (criteria {list}) is not in the values file");
                    report.note(AnomalyKind::CriteriaForUnknownGroup, &name, line, reason);
                } else if !refused.contains_key(g) {
                    let reason = format!("licence {g} cites criteria {list} but was not refused");
                    report.note(AnomalyKind::CriteriaForGrantedGroup, &name, line, reason);
                }
            }
            let values_file = report
                .files
                .iter()
                .find(|f| f.file.starts_with("values"))
                .map(|f| f.file.clone());
            for (g, line) in &refused {
                if !c.by_group.contains_key(g) {
                    let reason = format!("refused licence {g} has no refusal criterion in {name}");
                    let file = values_file.as_deref().unwrap_or("values.csv");
                    report.note(AnomalyKind::RefusedWithoutCriteria, file, *line, reason);
                }
            }
        }
        ds.refusal_criteria = c.by_group;
        ds.criterion_descriptions = c.descriptions;
    }
    let mut unknown_refs = |name: &str, ids: &mut dyn Iterator<Item = (u64, u64)>| {
        if have_values {
            for (g, line) in ids {
                if !groups.contains(&g) {
                    let reason = format!("licence {g} is not in the values file");
                    report.note(AnomalyKind::UnknownGroupReference, name, line, reason);
                }
            }
        }
    };
    if let Some((name, d)) = dests {
        unknown_refs(&name, &mut d.iter().map(|r| (r.group, r.line)));
        ds.destinations = d;
    }
    if let Some((name, s)) = sources {
        unknown_refs(
            &name,
            &mut s.iter().filter_map(|r| r.group.map(|g| (g, r.line))),
        );
        ds.sources = s;
    }
    if let Some((name, n)) = notes {
        unknown_refs(&name, &mut n.iter().map(|r| (r.group, r.line)));
        ds.licence_footnotes = n;
    }
}
