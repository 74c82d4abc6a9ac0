//! The CAAT files beside the values, as rows for `historic_provenance`: numbered so that a
//! repeated row is kept (and stored once per repeat), coded like the value rows.

use std::collections::HashMap;

use probity_analytics::caat::CaatDataset;
use probity_store::historic_provenance::{
    DestinationRow, LicenceNoteRow, ProvenanceRows, RegionNoteRow, TradeSourceRow,
};

use probity_analytics::countries;

/// Counts repeats of a key: 1 for its first appearance, 2 for the next, …
fn next<K: std::hash::Hash + Eq>(seen: &mut HashMap<K, i64>, k: K) -> i64 {
    let n = seen.entry(k).or_insert(0);
    *n += 1;
    *n
}

fn id(v: u64) -> i64 {
    // Ids come from parse_id (digits only); ids above i64::MAX are not in any release.
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// "group 20", "licence 7" or "group 3 licence 7": which licence a trade-source row names.
fn ref_key(group: Option<u64>, licence: Option<u64>) -> String {
    match (group, licence) {
        (Some(g), Some(l)) => format!("group {g} licence {l}"),
        (Some(g), None) => format!("group {g}"),
        (None, Some(l)) => format!("licence {l}"),
        (None, None) => "none".into(),
    }
}

pub(super) fn rows(ds: &CaatDataset) -> ProvenanceRows {
    let mut seen = HashMap::new();
    let destinations = ds
        .destinations
        .iter()
        .map(|d| DestinationRow {
            licence_group: id(d.group),
            destination: d.name.clone(),
            occurrence: next(&mut seen, (d.group, d.name.as_str())),
            iso2: countries::code_for(&d.name, d.iso2.as_deref()),
            iso2_as_published: d.iso2.clone(),
            line: d.line as i64,
        })
        .collect();
    let mut seen = HashMap::new();
    let trade_sources = ds
        .sources
        .iter()
        .map(|s| {
            let key = ref_key(s.group, s.licence_id);
            TradeSourceRow {
                occurrence: next(&mut seen, (key.clone(), s.name.as_str())),
                ref_key: key,
                country: s.name.clone(),
                licence_group: s.group.map(id),
                licence_id: s.licence_id.map(id),
                iso2: countries::code_for(&s.name, s.iso2.as_deref()),
                iso2_as_published: s.iso2.clone(),
                licence_count: s.licence_count.map(id),
                line: s.line as i64,
            }
        })
        .collect();
    let mut seen = HashMap::new();
    let licence_notes = ds
        .licence_footnotes
        .iter()
        .map(|n| LicenceNoteRow {
            licence_group: id(n.group),
            ordinal: next(&mut seen, n.group),
            licence_id: n.licence_id.map(id),
            note: n.text.clone(),
            line: n.line as i64,
        })
        .collect();
    let mut seen = HashMap::new();
    let region_notes = ds
        .region_footnotes
        .iter()
        .map(|n| RegionNoteRow {
            name: n.name.clone(),
            ordinal: next(&mut seen, n.name.as_str()),
            iso2: countries::code_for(&n.name, None),
            note: n.text.clone(),
            line: n.line as i64,
        })
        .collect();
    ProvenanceRows {
        destinations,
        trade_sources,
        licence_notes,
        region_notes,
    }
}
