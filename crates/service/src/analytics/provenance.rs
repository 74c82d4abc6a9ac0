//! Where the numbers come from, for the pages' "Sources and notes": the imported file sets
//! (cited with their origin), the destination notes CAAT publishes (embargoes and sanctions), and
//! per licence group its incorporation destinations and footnotes.
//!
//! The reference part is small (a few hundred rows) and loaded once per context (so per
//! database), then reused until an import run is recorded; per-licence details are read for one page of licences.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use probity_store::analytics_history::{self as history, Fingerprint};
use probity_store::historic_provenance::{self as hp, GroupDetails, RegionNote};
use probity_store::{from_micros, Store, StoreError};
use serde::Serialize;

use super::import::{CAAT_COHORT_SOURCE, CAAT_GROUP_SOURCE};
use crate::{Ctx, ServiceResult};

/// CAAT's repository, the origin of the imported files.
pub const CAAT_URL: &str = "https://github.com/caatdata/uk-arms-export-data";

/// One cited source of data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataSource {
    pub title: String,
    pub url: String,
    pub description: String,
    /// Files read, by name (empty for Probity's own register).
    pub files: Vec<String>,
    /// `YYYY-MM-DD`, when the file set was first imported.
    pub imported_on: Option<String>,
    pub file_set_hash: Option<String>,
}

/// The notes on one destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DestinationNotes {
    pub name: String,
    pub iso2: String,
    pub notes: Vec<String>,
}

/// What the provenance tables hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProvenanceCounts {
    pub incorporation_destinations: i64,
    pub trade_sources: i64,
    pub licence_footnotes: i64,
    pub region_footnotes: i64,
}

/// Sources and notes of everything the analytics table holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Provenance {
    pub sources: Vec<DataSource>,
    /// By destination name; each destination's notes in file order.
    pub destination_notes: Vec<DestinationNotes>,
    pub counts: ProvenanceCounts,
    /// The id scheme of the stored value rows (the table's `caat` licences).
    pub values_source: Option<String>,
}

impl Provenance {
    /// The notes on destinations for which `applies(iso2, name)` holds.
    pub fn notes_for(&self, applies: impl Fn(&str, &str) -> bool) -> Vec<&DestinationNotes> {
        self.destination_notes
            .iter()
            .filter(|d| applies(&d.iso2, &d.name))
            .collect()
    }
}

fn release(source: &str) -> &'static str {
    match source {
        CAAT_GROUP_SOURCE => "release of 2008 – 2015 Q1 (ids: licence_group)",
        CAAT_COHORT_SOURCE => "release of 2025 (ids: licence_cohort_id)",
        _ => "release with ids of an unknown scheme",
    }
}

fn cite(run: &hp::RunRecord) -> DataSource {
    let files = serde_json::from_str::<serde_json::Value>(&run.files_json)
        .ok()
        .and_then(|v| {
            v["names"].as_array().map(|a| {
                a.iter()
                    .filter_map(|n| n.as_str().map(str::to_string))
                    .collect()
            })
        })
        .unwrap_or_default();
    DataSource {
        title: "Campaign Against Arms Trade, UK arms export data".into(),
        url: CAAT_URL.into(),
        description: format!(
            "{}, compiled by CAAT from the UK Strategic Export Controls database (BIS, later \
             DIT and DBT). Crown copyright, Open Government Licence v3.0.",
            release(&run.source)
        ),
        files,
        imported_on: Some(from_micros(run.finished_at).date().to_string()),
        file_set_hash: Some(run.file_set_hash.clone()),
    }
}

fn register_source() -> DataSource {
    DataSource {
        title: "Probity register of decisions".into(),
        url: "/register/decisions".into(),
        description: "Decisions made in Probity, from their public decision records.".into(),
        files: Vec::new(),
        imported_on: None,
        file_set_hash: None,
    }
}

async fn load(store: &Store) -> Result<Provenance, StoreError> {
    let mut sources: Vec<DataSource> = hp::first_runs(store).await?.iter().map(cite).collect();
    sources.push(register_source());
    let mut by_name: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for RegionNote {
        name, iso2, note, ..
    } in hp::region_notes(store).await?
    {
        let notes = by_name.entry((name, iso2)).or_default();
        // Two releases repeat most notes; cite each once.
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    let mut counts = ProvenanceCounts::default();
    for ((_, table), n) in hp::counts(store).await? {
        match table.as_str() {
            "historic_incorporation_destinations" => counts.incorporation_destinations += n,
            "historic_trade_sources" => counts.trade_sources += n,
            "historic_licence_footnotes" => counts.licence_footnotes += n,
            _ => counts.region_footnotes += n,
        }
    }
    Ok(Provenance {
        sources,
        destination_notes: by_name
            .into_iter()
            .map(|((name, iso2), notes)| DestinationNotes { name, iso2, notes })
            .collect(),
        counts,
        values_source: hp::values_source(store).await?,
    })
}

/// The provenance of a context's database and the import runs it was read after.
#[derive(Default)]
pub(crate) struct ProvenanceCache(Mutex<Option<(Fingerprint, Arc<Provenance>)>>);

/// The sources and notes of this context's database (cached until the next import run).
pub async fn provenance(ctx: &Ctx) -> ServiceResult<Arc<Provenance>> {
    let cache = &ctx.analytics.provenance.0;
    let fp = history::runs_fingerprint(&ctx.store).await?;
    if let Some((f, p)) = cache.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
        if *f == fp {
            return Ok(p.clone());
        }
    }
    let p = Arc::new(load(&ctx.store).await?);
    *cache.lock().unwrap_or_else(|e| e.into_inner()) = Some((fp, p.clone()));
    Ok(p)
}

/// Incorporation destinations and footnotes of the imported licence groups `groups` (ids of
/// the table's `caat` source). Groups with neither are absent from the map.
pub async fn licence_details(
    ctx: &Ctx,
    groups: &BTreeSet<u64>,
) -> ServiceResult<BTreeMap<u64, GroupDetails>> {
    let p = provenance(ctx).await?;
    let Some(source) = p.values_source.as_deref() else {
        return Ok(BTreeMap::new());
    };
    let ids: Vec<i64> = groups
        .iter()
        .filter_map(|g| i64::try_from(*g).ok())
        .collect();
    Ok(hp::group_details(&ctx.store, source, &ids)
        .await?
        .into_iter()
        .filter_map(|(g, d)| Some((u64::try_from(g).ok()?, d)))
        .collect())
}
