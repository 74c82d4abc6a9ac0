//! Building the analytics table from the database, and keeping it fresh.
//!
//! The table is two parts answered together (`Table::combine`): the imported history, built
//! once and rebuilt only when an import changes it, and Probity's own decisions from the
//! outbox, a small part whose builder is kept so that new decisions are appended to a copy of
//! it and only that part is sorted again. Each call of [`table`] asks the database two cheap
//! questions (how many import runs changed data, and the newest outbox row) and rebuilds only
//! what changed. Historic rows are CAAT's and outbox rows Probity's, so no licence group is in
//! both parts and their counts add up exactly.
//! The cache belongs to the service context ([`crate::Ctx::analytics`]), so it lives as long
//! as the context and its database.

use foldhash::{HashSet, HashSetExt};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use probity_analytics::countries;
use probity_analytics::ratings::RatingKind;
use probity_analytics::{Decision, LicenceType, RowInput, Source, Table, TableBuilder};
use probity_domain::{PublicDecisionRecord, RecordKind};
use probity_store::analytics_history::{self as history, Fingerprint};
use probity_store::StoreError;
use time::Date;

use super::historic_rows::{load_historic, place};
use super::historic_snapshot::HistoricSource;
use crate::{Ctx, ServiceError, ServiceResult};

/// Rows fetched per round trip while loading.
pub(super) const PAGE: i64 = 20_000;

/// Probity's own decisions: the builder (to append to), how far it has read, and its table.
#[derive(Clone)]
struct Own {
    builder: TableBuilder,
    /// Outbox rows read, and the last `seq` among them.
    records: i64,
    last_seq: i64,
    table: Arc<Table>,
}

struct Cached {
    historic_fp: Fingerprint,
    historic: Arc<Table>,
    outbox_fp: Fingerprint,
    own: Own,
    table: Arc<Table>,
}

/// The table of a context's database, kept between calls of [`table`].
#[derive(Default)]
pub(crate) struct TableCache {
    cached: tokio::sync::Mutex<Option<Cached>>,
    /// A server's requests never wait for the imported history to load ([`load_in_background`]).
    pub(super) background: AtomicBool,
    /// Historic rows read so far in the load under way, and how many there are.
    pub(super) rows_read: AtomicU64,
    pub(super) rows_total: AtomicU64,
    /// The last table built, served while a new one is built in the background.
    pub(super) last: std::sync::RwLock<Option<Arc<Table>>>,
    /// Where the imported history's table is kept between runs ([`use_snapshot`]).
    pub(super) snapshot: std::sync::RwLock<Option<PathBuf>>,
    /// How the imported history's table was last obtained.
    pub(super) historic_source: std::sync::RwLock<Option<HistoricSource>>,
    /// The history's table an import in this process built from the rows it wrote, with the
    /// fingerprint its commit left: taken by the next build instead of reading the rows back.
    pub(super) from_import: std::sync::Mutex<Option<FromImport>>,
}

/// The table an import built ([`TableCache::from_import`]).
pub(super) struct FromImport {
    pub fingerprint: Fingerprint,
    pub table: Arc<Table>,
    /// Whether the import also wrote its snapshot (for that fingerprint).
    pub snapshot_written: bool,
}

impl TableCache {
    fn last(&self) -> Option<Arc<Table>> {
        self.last.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// How far the load under way has read the history (never 100 until it is built).
    fn percent(&self) -> u8 {
        let total = self.rows_total.load(Ordering::Relaxed).max(1);
        let read = self.rows_read.load(Ordering::Relaxed).min(total);
        (read * 100 / total).min(99) as u8
    }

    fn loading(&self) -> ServiceError {
        ServiceError::Loading {
            what: "statistics",
            percent: self.percent(),
        }
    }
}

/// Forget the cached table (the next [`table`] rebuilds it).
pub async fn invalidate(ctx: &Ctx) {
    *ctx.analytics.table.cached.lock().await = None;
}

/// From now on, build the table in the background: until the first one is built, [`table`]
/// answers [`ServiceError::Loading`] at once; when an import changes the history, the last
/// table is served while the new one is built. Starts the first build now. For servers: a
/// request must never wait for a load that can take many seconds.
pub fn load_in_background(ctx: &Ctx) {
    ctx.analytics
        .table
        .background
        .store(true, Ordering::Relaxed);
    spawn_refresh(ctx);
}

/// `Some(percent)` while a server's first table is still loading.
pub fn loading_percent(ctx: &Ctx) -> Option<u8> {
    let cache = &ctx.analytics.table;
    if !cache.background.load(Ordering::Relaxed) || cache.last().is_some() {
        return None;
    }
    Some(cache.percent())
}

/// Hold off every build of the table until the returned guard is dropped (tests use it to
/// see a server while its statistics load).
#[doc(hidden)]
pub async fn hold_builds(ctx: &Ctx) -> impl Sized + '_ {
    ctx.analytics.table.cached.lock().await
}

fn spawn_refresh(ctx: &Ctx) {
    let ctx = ctx.clone();
    tokio::spawn(async move {
        if let Err(e) = refresh(&ctx).await {
            tracing::error!(error = %e, "building the analytics table failed");
        }
    });
}

/// The current analytics table of this context's database (cached; the part that the
/// imported history or the decision outbox changed since is rebuilt, the other kept). In a
/// server ([`load_in_background`]), a change to the imported history is built in the
/// background, and [`ServiceError::Loading`] answers until a first table exists.
pub async fn table(ctx: &Ctx) -> ServiceResult<Arc<Table>> {
    let cache = &ctx.analytics.table;
    if !cache.background.load(Ordering::Relaxed) {
        return refresh(ctx).await;
    }
    let historic_current = match cache.cached.try_lock() {
        Ok(guard) => match guard.as_ref() {
            Some(c) => c.historic_fp == history::historic_fingerprint(&ctx.store).await?,
            None => false,
        },
        // A build is under way.
        Err(_) => false,
    };
    if historic_current {
        // Only Probity's own small part can have changed: brought up to date at once.
        return refresh(ctx).await;
    }
    if cache.cached.try_lock().is_ok() {
        spawn_refresh(ctx);
    }
    cache.last().ok_or_else(|| cache.loading())
}

async fn refresh(ctx: &Ctx) -> ServiceResult<Arc<Table>> {
    let cache = &ctx.analytics.table;
    let mut guard = cache.cached.lock().await;
    let hfp = history::historic_fingerprint(&ctx.store).await?;
    let ofp = history::outbox_fingerprint(&ctx.store).await?;
    if let Some(c) = guard.as_ref() {
        if c.historic_fp == hfp && c.outbox_fp == ofp {
            return Ok(c.table.clone());
        }
    }
    let historic = match guard.as_ref() {
        Some(c) if c.historic_fp == hfp => c.historic.clone(),
        _ => super::historic_snapshot::historic_table(ctx, &hfp).await?,
    };
    let own = match guard.as_ref() {
        Some(c) if c.outbox_fp == ofp => c.own.clone(),
        Some(c) => own_part(ctx, Some(&c.own), ofp.n).await?,
        None => own_part(ctx, None, ofp.n).await?,
    };
    let table = if own.table.is_empty() {
        historic.clone()
    } else {
        // Cannot fail: historic rows are CAAT's and outbox rows Probity's.
        Arc::new(
            Table::combine(&historic, &own.table)
                .ok_or_else(|| corrupt("a licence is both imported and Probity's".into()))?,
        )
    };
    *guard = Some(Cached {
        historic_fp: hfp,
        historic,
        outbox_fp: ofp,
        own,
        table: table.clone(),
    });
    *cache.last.write().unwrap_or_else(|e| e.into_inner()) = Some(table.clone());
    Ok(table)
}

/// Probity's part: `before` with the outbox rows after its last one appended, if that makes
/// `records` rows (the outbox only grows); otherwise read again from the start.
async fn own_part(ctx: &Ctx, before: Option<&Own>, records: i64) -> ServiceResult<Own> {
    if let Some(b) = before {
        let mut builder = b.builder.clone();
        let (added, last) = add_outbox(ctx, &mut builder, b.last_seq).await?;
        if b.records + added == records {
            return Ok(Own {
                table: Arc::new(builder.clone().build()),
                builder,
                records,
                last_seq: last.unwrap_or(b.last_seq),
            });
        }
    }
    let mut builder = TableBuilder::new();
    define_criteria(ctx, &mut builder)?;
    let (added, last) = add_outbox(ctx, &mut builder, 0).await?;
    Ok(Own {
        table: Arc::new(builder.clone().build()),
        builder,
        records: added,
        last_seq: last.unwrap_or(0),
    })
}

/// Build the table afresh, without the cache (the CLI's one-shot commands).
pub async fn build_table(ctx: &Ctx) -> ServiceResult<Table> {
    let mut b = load_historic(&ctx.store, &AtomicU64::new(0)).await?;
    define_criteria(ctx, &mut b)?;
    add_outbox(ctx, &mut b, 0).await?;
    Ok(b.build())
}

pub(super) fn corrupt(what: String) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(what))
}

pub(super) fn table_error(e: probity_analytics::TableError) -> ServiceError {
    corrupt(format!("analytics table: {e}"))
}

fn decision_of(kind: RecordKind) -> Decision {
    match kind {
        RecordKind::Grant => Decision::Granted,
        RecordKind::Refusal => Decision::Refused,
        RecordKind::NoLicenceRequired => Decision::NoLicenceRequired,
        RecordKind::Suspension => Decision::Suspended,
        RecordKind::Reinstatement => Decision::Reinstated,
        RecordKind::Revocation => Decision::Revoked,
        RecordKind::Surrender => Decision::Surrendered,
        RecordKind::Expiry => Decision::Expired,
        RecordKind::Exhaustion => Decision::Exhausted,
        RecordKind::AppealAllowed => Decision::AppealAllowed,
        RecordKind::AppealDismissed => Decision::AppealDismissed,
        RecordKind::Retention => Decision::Retained,
        RecordKind::SuspensionMaintained => Decision::SuspensionMaintained,
    }
}

fn licence_type_of(t: probity_domain::LicenceType) -> LicenceType {
    match t {
        probity_domain::LicenceType::StandardIndividual => LicenceType::StandardIndividual,
        probity_domain::LicenceType::OpenIndividual => LicenceType::OpenIndividual,
    }
}

fn kind_of(k: probity_domain::RatingKind) -> RatingKind {
    match k {
        probity_domain::RatingKind::Military => RatingKind::Military,
        probity_domain::RatingKind::DualUse => RatingKind::DualUse,
        probity_domain::RatingKind::National => RatingKind::National,
    }
}

/// Probity's refusal criteria, with their titles.
fn define_criteria(ctx: &Ctx, b: &mut TableBuilder) -> ServiceResult<()> {
    for c in &ctx.criteria.criteria {
        b.define_criterion(c.code.as_str(), &c.title)
            .map_err(table_error)?;
    }
    Ok(())
}

/// Add one row per (record, rating, destination) for every public decision record after
/// `after` (its `seq`); returns how many records were added and the last one's `seq`.
async fn add_outbox(
    ctx: &Ctx,
    b: &mut TableBuilder,
    mut after: i64,
) -> ServiceResult<(i64, Option<i64>)> {
    let mut added = 0i64;
    let mut last = None;
    let mut known = HashSet::new();
    loop {
        let rows = history::outbox_after(&ctx.store, after, PAGE).await?;
        for r in &rows {
            let seq = r.seq;
            let rec: PublicDecisionRecord = serde_json::from_str(&r.record_json)
                .map_err(|e| corrupt(format!("outbox row {seq}: {e}")))?;
            add_record(ctx, b, &mut known, seq, &rec)?;
            after = seq;
            added += 1;
            last = Some(seq);
        }
        if (rows.len() as i64) < PAGE {
            return Ok((added, last));
        }
    }
}

fn add_record(
    ctx: &Ctx,
    b: &mut TableBuilder,
    known: &mut HashSet<String>,
    seq: i64,
    rec: &PublicDecisionRecord,
) -> ServiceResult<()> {
    let date = rec.decided_at.date();
    let decision = decision_of(rec.kind);
    // A cited sub-criterion (2c) also counts under its criterion (2), which is the grain of
    // the imported history.
    let mut criteria: Vec<String> = Vec::new();
    for c in &rec.criteria {
        criteria.push(c.as_str().to_string());
        if let Some(p) = c.parent() {
            criteria.push(p.as_str().to_string());
        }
    }
    criteria.sort();
    criteria.dedup();
    let destinations: Vec<(String, String)> = rec
        .destinations
        .iter()
        .map(|d| {
            let code = d.as_str().to_string();
            let name = countries::display_name(&code)
                .map(str::to_string)
                .unwrap_or_else(|| d.name().to_string());
            (name, code)
        })
        .collect();
    for (name, code) in &destinations {
        place(b, known, name, code);
    }
    for rv in &rec.ratings {
        let code = rv.rating.as_str();
        let entry = ctx.control_list.get(rv.rating.base());
        b.define_rating(
            code,
            kind_of(rv.rating.kind()),
            entry.map_or("", |e| e.description.as_str()),
        )
        .map_err(table_error)?;
        // The value once per rating (on the first destination), and only for grants.
        for (i, (name, _)) in destinations.iter().enumerate() {
            let value = (decision == Decision::Granted && i == 0)
                .then(|| (rv.value_minor + 50).div_euclid(100));
            push_probity(b, seq, date, code, name, decision, rec, value, &criteria)?;
        }
    }
    if rec.ratings.is_empty() {
        // A decision with no rated goods (e.g. no licence required) still counts.
        for (name, _) in &destinations {
            push_probity(b, seq, date, "none", name, decision, rec, None, &criteria)?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn push_probity(
    b: &mut TableBuilder,
    seq: i64,
    date: Date,
    rating: &str,
    destination: &str,
    decision: Decision,
    rec: &PublicDecisionRecord,
    value_gbp: Option<i64>,
    criteria: &[String],
) -> ServiceResult<()> {
    b.push(&RowInput {
        source: Source::Probity,
        licence: seq as u64,
        date,
        rating,
        destination,
        decision,
        licence_type: licence_type_of(rec.licence_type),
        value_gbp,
        count: 1,
        criteria,
        outlier: false,
    })
    .map_err(table_error)
}
