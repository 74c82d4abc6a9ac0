//! The imported history as the analytics table takes it from the database. It must give the
//! table `Table::from_caat` builds from the parsed files (an import into an empty history
//! hands that one over instead of reading the rows back): a test compares the two.
use std::sync::atomic::{AtomicU64, Ordering};

use foldhash::{HashMap as FastMap, HashMapExt, HashSet as FastSet, HashSetExt};

use probity_analytics::countries::{self, Region};
use probity_analytics::ratings::RatingKind;
use probity_analytics::{Decision, LicenceType, RowInput, Source, TableBuilder};
use probity_store::analytics_history as history;
use probity_store::Store;
use time::Date;

use super::load::table_error;
use crate::ServiceResult;

/// Define the destination name with the stored code (imported names may be unknown to the
/// mapping; the import kept the file's own code or `ZZ`).
pub(super) fn place(b: &mut TableBuilder, known: &mut FastSet<String>, name: &str, code: &str) {
    if known.contains(name) {
        return;
    }
    let region = countries::region_of(code).unwrap_or(Region::Unknown);
    if b.define_place(name, code, region).is_ok() {
        known.insert(name.to_string());
    }
}

/// Every historic row, rating and criterion, in a builder; `read` counts the rows as they come.
pub(super) async fn load_historic(store: &Store, read: &AtomicU64) -> ServiceResult<TableBuilder> {
    let mut b = TableBuilder::new();
    for r in history::ratings(store).await? {
        let kind = RatingKind::parse(&r.kind).unwrap_or(RatingKind::Other);
        define_rating(
            &mut b,
            &r.code,
            kind,
            &r.short_description,
            &r.full_description,
        )?;
    }
    for r in history::criteria(store).await? {
        b.define_criterion(&r.code, &r.description)
            .map_err(table_error)?;
    }
    // By source, then group: looked up once per source, not once per row.
    let mut criteria: FastMap<String, FastMap<i64, Vec<String>>> = FastMap::new();
    for r in history::refusal_criteria(store).await? {
        criteria
            .entry(r.source)
            .or_default()
            .entry(r.licence_group)
            .or_default()
            .push(r.criterion);
    }
    let mut known = FastSet::new();
    let none: Vec<String> = Vec::new();
    let no_criteria = FastMap::new();
    for source in history::row_sources(store).await? {
        let cited = criteria.get(&source).unwrap_or(&no_criteria);
        for stored in history::segments(store, &source).await? {
            let segment = stored.decode()?;
            for r in segment.rows() {
                let group = r.licence_group;
                push_historic(
                    &mut b,
                    &mut known,
                    &HistoricRow {
                        group,
                        date: r.decided_on,
                        rating: r.rating,
                        destination: r.destination,
                        code: r.code,
                        refused: r.refused,
                        value_gbp: r.value_gbp,
                        count: r.licence_count,
                        outlier: r.outlier,
                        criteria: cited.get(&group).unwrap_or(&none),
                    },
                )?;
            }
            read.fetch_add(segment.len() as u64, Ordering::Relaxed);
        }
    }
    Ok(b)
}

/// A stored rating as the table defines it: its short description, else its full one.
pub(super) fn define_rating(
    b: &mut TableBuilder,
    code: &str,
    kind: RatingKind,
    short: &str,
    full: &str,
) -> ServiceResult<()> {
    let description = if short.is_empty() { full } else { short };
    b.define_rating(code, kind, description)
        .map_err(table_error)?;
    Ok(())
}

/// One stored historic row, as [`push_historic`] takes it.
pub(super) struct HistoricRow<'a> {
    pub group: i64,
    pub date: Date,
    pub rating: &'a str,
    pub destination: &'a str,
    /// The destination's stored code.
    pub code: &'a str,
    pub refused: bool,
    pub value_gbp: Option<i64>,
    pub count: Option<i64>,
    pub outlier: bool,
    pub criteria: &'a [String],
}

/// Add a stored historic row to the table: one way for the database's rows and an import's.
pub(super) fn push_historic(
    b: &mut TableBuilder,
    known: &mut FastSet<String>,
    r: &HistoricRow<'_>,
) -> ServiceResult<()> {
    place(b, known, r.destination, r.code);
    b.push(&RowInput {
        source: Source::Caat,
        licence: r.group as u64,
        date: r.date,
        rating: r.rating,
        destination: r.destination,
        decision: if r.refused {
            Decision::Refused
        } else {
            Decision::Granted
        },
        licence_type: LicenceType::Unspecified,
        value_gbp: r.value_gbp,
        count: r.count.unwrap_or(0).clamp(0, u32::MAX as i64) as u32,
        criteria: r.criteria,
        outlier: r.outlier,
    })
    .map_err(table_error)
}
