//! The imported history as the analytics table takes it: read from the database, or from the
//! rows an import has just parsed ([`table_of_import`]) — one way of defining ratings, places
//! and rows for both, so the two give the same table.
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};

use foldhash::{HashMap as FastMap, HashMapExt};

use probity_analytics::caat::CaatDataset;
use probity_analytics::countries::{self, Region};
use probity_analytics::ratings::RatingKind;
use probity_analytics::{Decision, LicenceType, RowInput, Source, Table, TableBuilder};
use probity_store::analytics_history as history;
use probity_store::Store;
use time::Date;

use super::load::{corrupt, table_error, PAGE};
use crate::ServiceResult;

/// The table of the history an import wrote into a database that held none before: the table
/// [`load_historic`] would read back, built from the parsed rows without reading them again.
/// `code_of` gives a published destination name's stored code (from the file's iso2 too).
pub(super) fn table_of_import(
    ds: &CaatDataset,
    code_of: impl Fn(&str, Option<&str>) -> String,
) -> ServiceResult<Table> {
    let mut b = TableBuilder::new();
    // The database keeps a rating's first definition.
    let mut defined = BTreeSet::new();
    for r in &ds.ratings {
        if defined.insert(r.code.as_str()) {
            define_rating(
                &mut b,
                &r.code,
                r.kind,
                &r.short_description,
                &r.full_description,
            )?;
        }
    }
    for (code, description) in &ds.criterion_descriptions {
        b.define_criterion(code, description).map_err(table_error)?;
    }
    let criteria: FastMap<u64, Vec<String>> = ds
        .refusal_criteria
        .iter()
        .map(|(g, set)| (*g, set.iter().cloned().collect()))
        .collect();
    let mut codes: FastMap<(&str, Option<&str>), String> = FastMap::new();
    let mut known = FastMap::new();
    let none: Vec<String> = Vec::new();
    for r in &ds.values {
        let code = codes
            .entry((r.country.as_str(), r.iso2.as_deref()))
            .or_insert_with(|| code_of(&r.country, r.iso2.as_deref()));
        push_historic(
            &mut b,
            &mut known,
            &HistoricRow {
                group: r.group as i64,
                date: r.date,
                rating: &r.rating,
                destination: &r.country,
                code,
                refused: r.refused,
                value_gbp: r.value_gbp,
                count: r.count.map(i64::from),
                outlier: r.outlier,
                criteria: criteria.get(&r.group).unwrap_or(&none),
            },
        )?;
    }
    Ok(b.build())
}

/// Define the destination name with the stored code (imported names may be unknown to the
/// mapping; the import kept the file's own code or `ZZ`).
pub(super) fn place(b: &mut TableBuilder, known: &mut FastMap<String, ()>, name: &str, code: &str) {
    if known.contains_key(name) {
        return;
    }
    let region = countries::region_of(code).unwrap_or(Region::Unknown);
    if b.define_place(name, code, region).is_ok() {
        known.insert(name.to_string(), ());
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
    let mut criteria: FastMap<(String, i64), Vec<String>> = FastMap::new();
    for r in history::refusal_criteria(store).await? {
        criteria
            .entry((r.source, r.licence_group))
            .or_default()
            .push(r.criterion);
    }
    let mut known = FastMap::new();
    let none: Vec<String> = Vec::new();
    for source in history::row_sources(store).await? {
        let mut after: Option<(i64, String, i64)> = None;
        loop {
            let rows = history::licence_rows(store, &source, after.as_ref(), PAGE).await?;
            for r in &rows {
                let group = r.licence_group;
                let date = super::params::iso_date(&r.decided_on).ok_or_else(|| {
                    corrupt(format!("historic row {group}: bad date {:?}", r.decided_on))
                })?;
                push_historic(
                    &mut b,
                    &mut known,
                    &HistoricRow {
                        group,
                        date,
                        rating: &r.rating,
                        destination: &r.destination,
                        code: &r.iso2,
                        refused: r.refused != 0,
                        value_gbp: r.value_gbp,
                        count: r.licence_count,
                        outlier: r.outlier != 0,
                        criteria: criteria.get(&(source.clone(), group)).unwrap_or(&none),
                    },
                )?;
            }
            read.fetch_add(rows.len() as u64, Ordering::Relaxed);
            match rows.last() {
                Some(r) if rows.len() as i64 == PAGE => after = Some(r.key()),
                _ => break,
            }
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
    known: &mut FastMap<String, ()>,
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
