//! "Sources and notes" under the statistics and the analysis browser: each data source cited
//! with its origin, and CAAT's embargo and sanctions notes on the destinations shown.

use std::collections::BTreeSet;

use probity_service::analytics::{DataSource, DestinationNotes, Provenance};

use super::charts::thousands;

/// What the `data_sources.html` partial shows.
pub struct SourcesView {
    pub sources: Vec<DataSource>,
    /// Notes on the destinations shown on the page.
    pub notes: Vec<DestinationNotes>,
    /// Destinations with notes in all.
    pub noted_destinations: usize,
    /// What else was imported and where it is shown, if anything was.
    pub also: Option<String>,
}

/// The view for a page showing `shown` destinations (codes or names, any case).
pub fn view(p: &Provenance, shown: &BTreeSet<String>) -> SourcesView {
    let upper = |s: &str| s.trim().to_uppercase();
    let shown: BTreeSet<String> = shown.iter().map(|s| upper(s)).collect();
    SourcesView {
        sources: p.sources.clone(),
        notes: p
            .notes_for(|iso2, name| shown.contains(&upper(iso2)) || shown.contains(&upper(name)))
            .into_iter()
            .cloned()
            .collect(),
        noted_destinations: p.destination_notes.len(),
        also: also(p),
    }
}

fn also(p: &Provenance) -> Option<String> {
    let c = &p.counts;
    if c.incorporation_destinations + c.licence_footnotes + c.trade_sources == 0 {
        return None;
    }
    let n = |x: i64| thousands(i128::from(x));
    Some(format!(
        "Also imported: {} onward destinations for incorporation and {} licence footnotes, \
         shown with each licence behind a view; {} source countries of transit and trade \
         licences, which carry no values in CAAT's data and so are in no table.",
        n(c.incorporation_destinations),
        n(c.licence_footnotes),
        n(c.trade_sources)
    ))
}
