//! The public decision outbox: written in the same transaction as the decision it records;
//! the register sequencer (a later stage) gives each row its register index.
use sqlx::Row;
use time::OffsetDateTime;

use crate::{bulk, from_micros, to_micros, Store, StoreError, Tx};

#[derive(Debug, Clone)]
pub struct NewRecord<'a> {
    pub kind: &'a str,
    pub case_id: &'a str,
    pub licence_id: Option<&'a str>,
    /// Every destination (ISO codes); the first is shown as the primary one.
    pub destinations: &'a [String],
    pub decided_at: OffsetDateTime,
    pub record_json: String,
}

#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub seq: i64,
    pub kind: String,
    pub case_id: String,
    pub licence_id: Option<String>,
    pub destination: String,
    pub decided_at: OffsetDateTime,
    pub record_json: String,
    pub published_at: Option<OffsetDateTime>,
    pub register_index: Option<i64>,
}

pub async fn append(tx: &mut Tx, rec: NewRecord<'_>) -> Result<i64, StoreError> {
    let seq: i64 =
        sqlx::query_scalar("SELECT CAST(COALESCE(MAX(seq), 0) + 1 AS BIGINT) FROM decision_outbox")
            .fetch_one(&mut **tx)
            .await?;
    sqlx::query(
        "INSERT INTO decision_outbox (seq, kind, case_id, licence_id, destination, decided_at, \
         record_json, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
    )
    .bind(seq)
    .bind(rec.kind)
    .bind(rec.case_id)
    .bind(rec.licence_id.map(str::to_string))
    .bind(rec.destinations.first().map(String::as_str).unwrap_or(""))
    .bind(to_micros(rec.decided_at))
    .bind(rec.record_json)
    .bind(to_micros(OffsetDateTime::now_utc()))
    .execute(&mut **tx)
    .await?;
    let mut seen: Vec<&str> = Vec::new();
    for country in rec.destinations {
        if seen.contains(&country.as_str()) {
            continue;
        }
        seen.push(country);
        sqlx::query("INSERT INTO decision_outbox_destinations (country, seq) VALUES ($1, $2)")
            .bind(country)
            .bind(seq)
            .execute(&mut **tx)
            .await?;
    }
    Ok(seq)
}

/// Append many records in order inside one command transaction (multi-row statements);
/// returns their sequence numbers.
pub async fn append_many(tx: &mut Tx, recs: &[NewRecord<'_>]) -> Result<Vec<i64>, StoreError> {
    if recs.is_empty() {
        return Ok(Vec::new());
    }
    let first: i64 =
        sqlx::query_scalar("SELECT CAST(COALESCE(MAX(seq), 0) + 1 AS BIGINT) FROM decision_outbox")
            .fetch_one(&mut **tx)
            .await?;
    let created = to_micros(OffsetDateTime::now_utc());
    let seqs: Vec<i64> = (first..first + recs.len() as i64).collect();
    let rows: Vec<Vec<bulk::Value<'_>>> = recs
        .iter()
        .zip(&seqs)
        .map(|(r, seq)| {
            vec![
                bulk::Value::Int(*seq),
                bulk::Value::Text(r.kind),
                bulk::Value::Text(r.case_id),
                bulk::Value::OptText(r.licence_id),
                bulk::Value::Text(r.destinations.first().map(String::as_str).unwrap_or("")),
                bulk::Value::Int(to_micros(r.decided_at)),
                bulk::Value::Text(&r.record_json),
                bulk::Value::Int(created),
            ]
        })
        .collect();
    let written = bulk::insert_rows(
        &mut *tx,
        "decision_outbox",
        &[
            "seq",
            "kind",
            "case_id",
            "licence_id",
            "destination",
            "decided_at",
            "record_json",
            "created_at",
        ],
        &rows,
        &mut |_| {},
    )
    .await?;
    if written != recs.len() as u64 {
        return Err(StoreError::Corrupt(
            "the outbox moved while records were appended".into(),
        ));
    }
    let mut destinations: Vec<Vec<bulk::Value<'_>>> = Vec::new();
    for (r, seq) in recs.iter().zip(&seqs) {
        let mut seen: Vec<&str> = Vec::new();
        for country in r.destinations {
            if !seen.contains(&country.as_str()) {
                seen.push(country);
                destinations.push(vec![bulk::Value::Text(country), bulk::Value::Int(*seq)]);
            }
        }
    }
    bulk::insert_rows(
        &mut *tx,
        "decision_outbox_destinations",
        &["country", "seq"],
        &destinations,
        &mut |_| {},
    )
    .await?;
    Ok(seqs)
}

fn decode(row: &sqlx::any::AnyRow) -> Result<OutboxRow, StoreError> {
    Ok(OutboxRow {
        seq: row.try_get("seq")?,
        kind: row.try_get("kind")?,
        case_id: row.try_get("case_id")?,
        licence_id: row.try_get("licence_id")?,
        destination: row.try_get("destination")?,
        decided_at: from_micros(row.try_get("decided_at")?),
        record_json: row.try_get("record_json")?,
        published_at: row.try_get::<Option<i64>, _>(7)?.map(from_micros),
        register_index: row.try_get("register_index")?,
    })
}

const SELECT: &str = "SELECT seq, kind, case_id, licence_id, destination, decided_at, \
    record_json, published_at, register_index FROM decision_outbox";

/// Records newest first. `destination` matches any of a record's destinations.
pub async fn list(
    store: &Store,
    destination: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<OutboxRow>, i64), StoreError> {
    let (rows, total) = match destination {
        Some(d) => {
            let rows = sqlx::query(&format!(
                "{SELECT} WHERE seq IN (SELECT seq FROM decision_outbox_destinations WHERE country = $1) \
                 ORDER BY seq DESC LIMIT $2 OFFSET $3"
            ))
            .bind(d)
            .bind(limit)
            .bind(offset)
            .fetch_all(store.pool())
            .await?;
            let total: i64 = sqlx::query_scalar(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM decision_outbox_destinations WHERE country = $1",
            )
            .bind(d)
            .fetch_one(store.pool())
            .await?;
            (rows, total)
        }
        None => {
            let rows = sqlx::query(&format!("{SELECT} ORDER BY seq DESC LIMIT $1 OFFSET $2"))
                .bind(limit)
                .bind(offset)
                .fetch_all(store.pool())
                .await?;
            let total: i64 =
                sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM decision_outbox")
                    .fetch_one(store.pool())
                    .await?;
            (rows, total)
        }
    };
    Ok((rows.iter().map(decode).collect::<Result<_, _>>()?, total))
}

pub async fn get(store: &Store, seq: i64) -> Result<Option<OutboxRow>, StoreError> {
    let row = sqlx::query(&format!("{SELECT} WHERE seq = $1"))
        .bind(seq)
        .fetch_optional(store.pool())
        .await?;
    row.as_ref().map(decode).transpose()
}

pub async fn for_case(store: &Store, case_id: &str) -> Result<Vec<OutboxRow>, StoreError> {
    let rows = sqlx::query(&format!("{SELECT} WHERE case_id = $1 ORDER BY seq"))
        .bind(case_id)
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(decode).collect()
}
