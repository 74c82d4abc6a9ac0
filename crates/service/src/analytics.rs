//! Analytics over imported history and Probity's own decisions (issue 4).
//!
//! ```text
//! probity import caat <dir> ─► import::import_caat ─► historic_* tables (0003_historic)
//!                                                            │
//! decisions (grant, refusal, revocation, …) ─► decision_outbox ─┤
//!                                                            ▼
//!                     load::table(ctx) ─► probity_analytics::Table (cached, refreshed when
//!                                         either source changes) ─► params::stats / licences
//! ```
//!
//! Imported history is stored apart from Probity's decisions and queried together: the table's
//! `source` dimension is `caat` for imported rows and `probity` for outbox records. Each public
//! decision record is one "licence group" of the table (its outbox sequence number is the id),
//! with one row per rating (and per destination); `value_gbp` is the licensed value, so it is
//! carried by grants only — refusals and later events (revocations, …) count but add no value,
//! as in the CAAT data.

mod historic_rows;
mod historic_snapshot;
mod import;
mod load;
mod official;
mod params;
mod provenance;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, Weak};

pub use historic_snapshot::{historic_source, use_snapshot, HistoricSource};
pub use import::{
    import_caat, parse_caat, store_caat, ImportFailure, ImportOutcome, ImportStage, ParsedCaat,
    CAAT_COHORT_SOURCE, CAAT_GROUP_SOURCE,
};
pub use load::{build_table, hold_builds, invalidate, load_in_background, loading_percent, table};
pub use official::{official_tables, years, Cell, OfficialTable, OfficialTables, Period};
pub use params::{parse_date, Filters, RatingMatch, StatsAnswer, StatsParams};
pub use probity_analytics as engine;
pub use probity_analytics::{LicenceOrder, LicenceSummary, Query, QueryResult, Table};
pub use provenance::{
    licence_details, provenance, DataSource, DestinationNotes, Provenance, ProvenanceCounts,
    CAAT_URL,
};

use crate::{Ctx, ServiceResult};

/// Answer a statistics query (the JSON of `GET /api/v1/stats` and `probity stats`).
pub async fn stats(ctx: &Ctx, p: &StatsParams) -> ServiceResult<StatsAnswer> {
    let t = table(ctx).await?;
    StatsAnswer::cached(ctx, &t, p)
}

/// The licence groups behind a query, largest matching value first (drill-down).
pub async fn licences(
    ctx: &Ctx,
    p: &StatsParams,
    limit: usize,
) -> ServiceResult<(Arc<Table>, Vec<LicenceSummary>)> {
    let t = table(ctx).await?;
    let list = licences_on(&t, p, limit)?;
    Ok((t, list))
}

/// [`licences`] on a given table.
pub fn licences_on(t: &Table, p: &StatsParams, limit: usize) -> ServiceResult<Vec<LicenceSummary>> {
    let q = p.to_query()?;
    t.licences(&q, LicenceOrder::ValueDesc, limit)
        .map_err(params::query_error)
}

/// Query results kept per table (the table is immutable, so a result stays right for as long
/// as its table is current; a rebuilt table is a new `Arc` and misses).
const RESULTS_CACHED: usize = 256;

type CacheEntry = (Weak<Table>, String, Arc<QueryResult>);

/// What analytics keeps between requests: owned by the service context ([`Ctx::analytics`]),
/// shared by its clones, and dropped with it.
#[derive(Default)]
pub struct AnalyticsCache {
    table: load::TableCache,
    provenance: provenance::ProvenanceCache,
    results: Mutex<VecDeque<CacheEntry>>,
}

impl AnalyticsCache {
    fn results(&self) -> std::sync::MutexGuard<'_, VecDeque<CacheEntry>> {
        self.results.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Forget every remembered query result (benchmarks measure cold queries with it).
pub fn forget_results(ctx: &Ctx) {
    ctx.analytics.results().clear();
}

/// [`run`], remembering the last results: a page viewed again (or by the next visitor)
/// costs a lookup until the data changes.
pub fn run_cached(ctx: &Ctx, t: &Arc<Table>, q: &Query) -> ServiceResult<Arc<QueryResult>> {
    let key = serde_json::to_string(q)
        .map_err(|e| crate::ServiceError::Internal(format!("could not key a query: {e}")))?;
    let same = |e: &CacheEntry| e.1 == key && e.0.upgrade().is_some_and(|x| Arc::ptr_eq(&x, t));
    {
        let mut c = ctx.analytics.results();
        if let Some(e) = c.iter().position(same).and_then(|i| c.remove(i)) {
            let r = e.2.clone();
            c.push_back(e);
            return Ok(r);
        }
    }
    let r = Arc::new(run(t, q)?);
    let mut c = ctx.analytics.results();
    c.retain(|e| e.0.strong_count() > 0);
    while c.len() >= RESULTS_CACHED {
        c.pop_front();
    }
    c.push_back((Arc::downgrade(t), key, r.clone()));
    Ok(r)
}

/// Run a query on a table, with query errors as field errors.
pub fn run(t: &Table, q: &Query) -> ServiceResult<QueryResult> {
    t.query(q).map_err(params::query_error)
}
