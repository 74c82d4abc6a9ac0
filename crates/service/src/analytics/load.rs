//! Building the analytics table from the database, and keeping it fresh.
//!
//! The table is two parts answered together (`Table::combine`): the imported history, built
//! once and rebuilt only when an import changes it, and Probity's own decisions from the
//! outbox, a small part whose builder is kept so that new decisions are appended to a copy of
//! it and only that part is sorted again. Each call of [`table`] asks the database two cheap
//! questions (how many import runs changed data, and the newest outbox row) and rebuilds only
//! what changed. Historic rows are CAAT's and outbox rows Probity's, so no licence group is in
//! both parts and their counts add up exactly.
//! The cache is per database: it is keyed by the pool's connection options, an `Arc` that
//! every clone of a pool shares and that the cache holds, so its address cannot be reused.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use probity_analytics::countries::{self, Region};
use probity_analytics::ratings::RatingKind;
use probity_analytics::{Decision, LicenceType, RowInput, Source, Table, TableBuilder};
use probity_domain::{PublicDecisionRecord, RecordKind};
use probity_store::{Store, StoreError};
use sqlx::any::AnyConnectOptions;
use sqlx::Row;
use time::Date;

use crate::{Ctx, ServiceError, ServiceResult};

/// Rows fetched per round trip while loading.
const PAGE: i64 = 20_000;
/// Databases whose tables are kept (tests open many; a server has one).
const MAX_CACHED: usize = 4;

type Fingerprint = (i64, i64, i64);

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

struct Entry {
    options: Arc<AnyConnectOptions>,
    state: Arc<tokio::sync::Mutex<Option<Cached>>>,
}

fn registry() -> &'static Mutex<Vec<Entry>> {
    static R: OnceLock<Mutex<Vec<Entry>>> = OnceLock::new();
    R.get_or_init(|| Mutex::new(Vec::new()))
}

fn slot(store: &Store) -> Arc<tokio::sync::Mutex<Option<Cached>>> {
    let options = store.pool().connect_options();
    let mut reg = registry().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(i) = reg.iter().position(|e| Arc::ptr_eq(&e.options, &options)) {
        let e = reg.remove(i);
        let state = e.state.clone();
        reg.push(e); // most recently used last
        return state;
    }
    if reg.len() >= MAX_CACHED {
        reg.remove(0);
    }
    let state = Arc::new(tokio::sync::Mutex::new(None));
    reg.push(Entry {
        options,
        state: state.clone(),
    });
    state
}

/// Forget the cached table of this database (the next [`table`] rebuilds it).
pub fn invalidate(store: &Store) {
    let options = store.pool().connect_options();
    let mut reg = registry().lock().unwrap_or_else(|e| e.into_inner());
    reg.retain(|e| !Arc::ptr_eq(&e.options, &options));
}

async fn historic_fingerprint(store: &Store) -> Result<Fingerprint, StoreError> {
    let row = sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT), \
         CAST(COALESCE(SUM(rows_inserted + criteria_inserted + ratings_inserted), 0) AS BIGINT), \
         CAST(COALESCE(MAX(finished_at), 0) AS BIGINT) \
         FROM historic_import_runs WHERE rows_inserted + criteria_inserted + ratings_inserted > 0",
    )
    .fetch_one(store.pool())
    .await?;
    Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?))
}

async fn outbox_fingerprint(store: &Store) -> Result<Fingerprint, StoreError> {
    let row = sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(MAX(seq), 0) AS BIGINT), \
         CAST(COALESCE(MAX(created_at), 0) AS BIGINT) FROM decision_outbox",
    )
    .fetch_one(store.pool())
    .await?;
    Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?))
}

/// The current analytics table of this context's database (cached; the part that the
/// imported history or the decision outbox changed since is rebuilt, the other kept).
pub async fn table(ctx: &Ctx) -> ServiceResult<Arc<Table>> {
    let state = slot(&ctx.store);
    let mut guard = state.lock().await;
    let hfp = historic_fingerprint(&ctx.store).await?;
    let ofp = outbox_fingerprint(&ctx.store).await?;
    if let Some(c) = guard.as_ref() {
        if c.historic_fp == hfp && c.outbox_fp == ofp {
            return Ok(c.table.clone());
        }
    }
    let historic = match guard.as_ref() {
        Some(c) if c.historic_fp == hfp => c.historic.clone(),
        _ => Arc::new(load_historic(&ctx.store).await?.build()),
    };
    let own = match guard.as_ref() {
        Some(c) if c.outbox_fp == ofp => c.own.clone(),
        Some(c) => own_part(ctx, Some(&c.own), ofp.0).await?,
        None => own_part(ctx, None, ofp.0).await?,
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
    let mut b = load_historic(&ctx.store).await?;
    define_criteria(ctx, &mut b)?;
    add_outbox(ctx, &mut b, 0).await?;
    Ok(b.build())
}

fn corrupt(what: String) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(what))
}

fn table_error(e: probity_analytics::TableError) -> ServiceError {
    corrupt(format!("analytics table: {e}"))
}

/// Define the destination name with the stored code (imported names may be unknown to the
/// mapping; the import kept the file's own code or `ZZ`).
fn place(b: &mut TableBuilder, known: &mut HashMap<String, ()>, name: &str, code: &str) {
    if known.contains_key(name) {
        return;
    }
    let region = countries::region_of(code).unwrap_or(Region::Unknown);
    if b.define_place(name, code, region).is_ok() {
        known.insert(name.to_string(), ());
    }
}

/// Every historic row, rating and criterion, in a builder.
async fn load_historic(store: &Store) -> ServiceResult<TableBuilder> {
    let mut b = TableBuilder::new();
    let pool = store.pool();
    for r in sqlx::query(
        "SELECT code, kind, short_description, full_description FROM historic_ratings ORDER BY code",
    )
    .fetch_all(pool)
    .await?
    {
        let code: String = r.try_get(0)?;
        let kind = RatingKind::parse(&r.try_get::<String, _>(1)?).unwrap_or(RatingKind::Other);
        let short: String = r.try_get(2)?;
        let full: String = r.try_get(3)?;
        let description = if short.is_empty() { full } else { short };
        b.define_rating(&code, kind, &description)
            .map_err(table_error)?;
    }
    for r in sqlx::query("SELECT code, description FROM historic_criteria ORDER BY code")
        .fetch_all(pool)
        .await?
    {
        let code: String = r.try_get(0)?;
        let description: String = r.try_get(1)?;
        b.define_criterion(&code, &description)
            .map_err(table_error)?;
    }
    let mut criteria: HashMap<(String, i64), Vec<String>> = HashMap::new();
    for r in sqlx::query(
        "SELECT source, licence_group, criterion FROM historic_refusal_criteria \
         ORDER BY source, licence_group, criterion",
    )
    .fetch_all(pool)
    .await?
    {
        criteria
            .entry((r.try_get(0)?, r.try_get(1)?))
            .or_default()
            .push(r.try_get(2)?);
    }
    let sources: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT source FROM historic_licence_rows ORDER BY source")
            .fetch_all(pool)
            .await?;
    let mut known = HashMap::new();
    let none: Vec<String> = Vec::new();
    for source in sources {
        // Keyset pages in primary-key order: a group's rows are adjacent.
        let mut after: Option<(i64, String, i64)> = None;
        loop {
            let (g, rt, oc) = after.clone().unwrap_or((i64::MIN, String::new(), -1));
            let rows = sqlx::query(
                "SELECT licence_group, rating, occurrence, decided_on, destination, iso2, refused, \
                 value_gbp, licence_count, outlier FROM historic_licence_rows \
                 WHERE source = $1 AND (licence_group > $2 OR (licence_group = $2 AND \
                 (rating > $3 OR (rating = $3 AND occurrence > $4)))) \
                 ORDER BY licence_group, rating, occurrence LIMIT $5",
            )
            .bind(&source)
            .bind(g)
            .bind(&rt)
            .bind(oc)
            .bind(PAGE)
            .fetch_all(pool)
            .await?;
            for r in &rows {
                let group: i64 = r.try_get(0)?;
                let rating: String = r.try_get(1)?;
                let day: String = r.try_get(3)?;
                let date = super::params::iso_date(&day)
                    .ok_or_else(|| corrupt(format!("historic row {group}: bad date {day:?}")))?;
                let destination: String = r.try_get(4)?;
                let iso2: String = r.try_get(5)?;
                place(&mut b, &mut known, &destination, &iso2);
                let refused = r.try_get::<i64, _>(6)? != 0;
                let count: Option<i64> = r.try_get(8)?;
                let crit = criteria.get(&(source.clone(), group)).unwrap_or(&none);
                b.push(&RowInput {
                    source: Source::Caat,
                    licence: group as u64,
                    date,
                    rating: &rating,
                    destination: &destination,
                    decision: if refused {
                        Decision::Refused
                    } else {
                        Decision::Granted
                    },
                    licence_type: LicenceType::Unspecified,
                    value_gbp: r.try_get(7)?,
                    count: count.unwrap_or(0).clamp(0, u32::MAX as i64) as u32,
                    criteria: crit,
                    outlier: r.try_get::<i64, _>(9)? != 0,
                })
                .map_err(table_error)?;
            }
            match rows.last() {
                Some(r) if rows.len() as i64 == PAGE => {
                    after = Some((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?));
                }
                _ => break,
            }
        }
    }
    Ok(b)
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
    let mut known = HashMap::new();
    loop {
        let rows = sqlx::query(
            "SELECT seq, record_json FROM decision_outbox WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(PAGE)
        .fetch_all(ctx.store.pool())
        .await?;
        for r in &rows {
            let seq: i64 = r.try_get(0)?;
            let json: String = r.try_get(1)?;
            let rec: PublicDecisionRecord = serde_json::from_str(&json)
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
    known: &mut HashMap<String, ()>,
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
