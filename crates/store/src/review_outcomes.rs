//! Outcomes of a review applied to many licences at once, inside the deciding transaction:
//! each licence still gets its own status change, event, public record and audit event, but
//! in multi-row statements (a review of 50,000 licences is not 50,000 round trips per table).
use sqlx::AnyConnection;

use crate::bulk::{self, Value};
use crate::StoreError;

/// A licence's identity and current status.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LicenceStateRow {
    pub id: String,
    pub number: String,
    pub case_id: String,
    pub organisation_id: String,
    pub status: String,
}

/// Runs `f` over `ids` in chunks sized for one `IN (…)` list with `fixed` other parameters.
fn chunks<'a>(
    conn: &AnyConnection,
    ids: &'a [String],
    fixed: usize,
) -> impl Iterator<Item = &'a [String]> {
    let n = bulk::rows_per_statement(conn, 1)
        .saturating_sub(fixed)
        .max(1);
    ids.chunks(n)
}

pub async fn licences_by_ids(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<Vec<LicenceStateRow>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in chunks(conn, ids, 0).collect::<Vec<_>>() {
        let sql = format!(
            "SELECT id, number, case_id, organisation_id, status FROM licences WHERE id IN ({})",
            bulk::in_list(1, chunk.len())
        );
        let mut q = sqlx::query_as::<_, LicenceStateRow>(&sql);
        for id in chunk {
            q = q.bind(id.as_str());
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// Record one outcome for these items where none stands; returns how many were written.
pub async fn decide_items(
    conn: &mut AnyConnection,
    review_id: &str,
    licence_ids: &[String],
    outcome: &str,
    exemption: Option<&str>,
    by: &str,
    at: i64,
) -> Result<u64, StoreError> {
    let mut n = 0;
    for chunk in chunks(conn, licence_ids, 5).collect::<Vec<_>>() {
        let sql = format!(
            "UPDATE review_items SET outcome = $1, exemption = $2, decided_by = $3, decided_at = $4 \
             WHERE review_id = $5 AND outcome IS NULL AND licence_id IN ({})",
            bulk::in_list(6, chunk.len())
        );
        let mut q = sqlx::query(&sql)
            .bind(outcome)
            .bind(exemption)
            .bind(by)
            .bind(at)
            .bind(review_id);
        for id in chunk {
            q = q.bind(id.as_str());
        }
        n += q.execute(&mut *conn).await?.rows_affected();
    }
    Ok(n)
}

/// Set these licences' status (the caller read and checked each one under the command lock);
/// returns how many rows changed. Selected by id alone: a condition on the status would let
/// a planner walk the status index, which holds every licence in force.
pub async fn set_licence_status(
    conn: &mut AnyConnection,
    licence_ids: &[String],
    to: &str,
    at: i64,
) -> Result<u64, StoreError> {
    let mut n = 0;
    for chunk in chunks(conn, licence_ids, 2).collect::<Vec<_>>() {
        let sql = format!(
            "UPDATE licences SET status = $1, updated_at = $2 WHERE id IN ({})",
            bulk::in_list(3, chunk.len())
        );
        let mut q = sqlx::query(&sql).bind(to).bind(at);
        for id in chunk {
            q = q.bind(id.as_str());
        }
        n += q.execute(&mut *conn).await?.rows_affected();
    }
    Ok(n)
}

pub struct NewLicenceEvent {
    pub id: String,
    pub licence_id: String,
    pub action: &'static str,
    pub from_status: String,
    pub to_status: &'static str,
    pub actor_id: String,
    pub reason: String,
    pub at: i64,
}

pub async fn insert_licence_events(
    conn: &mut AnyConnection,
    events: &[NewLicenceEvent],
) -> Result<u64, StoreError> {
    let rows: Vec<Vec<Value<'_>>> = events
        .iter()
        .map(|e| {
            vec![
                Value::Text(&e.id),
                Value::Text(&e.licence_id),
                Value::Text(e.action),
                Value::Text(&e.from_status),
                Value::Text(e.to_status),
                Value::Text(&e.actor_id),
                Value::Text(&e.reason),
                Value::Int(e.at),
            ]
        })
        .collect();
    bulk::insert_rows(
        conn,
        "licence_events",
        &[
            "id",
            "licence_id",
            "action",
            "from_status",
            "to_status",
            "actor_id",
            "reason",
            "at",
        ],
        &rows,
        &mut |_| {},
    )
    .await
}

/// Link each item to the public record of its outcome.
pub async fn set_records(
    conn: &mut AnyConnection,
    review_id: &str,
    records: &[(String, i64)],
) -> Result<(), StoreError> {
    // Two parameters per item in the CASE, one in the IN list, one for the review.
    let per = (bulk::rows_per_statement(conn, 3).saturating_sub(1)).max(1);
    for chunk in records.chunks(per) {
        let mut cases = String::new();
        for i in 0..chunk.len() {
            cases.push_str(&format!(" WHEN ${} THEN ${}", 2 + 2 * i, 3 + 2 * i));
        }
        let in_from = 2 + 2 * chunk.len();
        let sql = format!(
            "UPDATE review_items SET record_seq = CASE licence_id{cases} END \
             WHERE review_id = $1 AND licence_id IN ({})",
            bulk::in_list(in_from, chunk.len())
        );
        let mut q = sqlx::query(&sql).bind(review_id);
        for (licence, seq) in chunk {
            q = q.bind(licence.as_str()).bind(*seq);
        }
        for (licence, _) in chunk {
            q = q.bind(licence.as_str());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// What a public record of a licence's case says, for many cases at once.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecordCaseRow {
    pub id: String,
    pub reference: Option<String>,
    pub licence_type: String,
    pub destinations: String,
    pub end_user_type: Option<String>,
}

/// One rating of one goods line, in line then rating order.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecordLineRow {
    pub case_id: String,
    pub line: i64,
    pub value_minor: i64,
    pub rating_position: i64,
    pub rating: String,
}

pub async fn record_facts(
    conn: &mut AnyConnection,
    case_ids: &[String],
) -> Result<(Vec<RecordCaseRow>, Vec<RecordLineRow>), StoreError> {
    let mut cases = Vec::new();
    let mut lines = Vec::new();
    for chunk in chunks(conn, case_ids, 0).collect::<Vec<_>>() {
        let list = bulk::in_list(1, chunk.len());
        let sql = format!(
            "SELECT id, reference, licence_type, destinations, end_user_type FROM cases \
             WHERE id IN ({list})"
        );
        let mut q = sqlx::query_as::<_, RecordCaseRow>(&sql);
        for id in chunk {
            q = q.bind(id.as_str());
        }
        cases.extend(q.fetch_all(&mut *conn).await?);
        let sql = format!(
            "SELECT g.case_id, g.position AS line, g.value_minor, r.position AS rating_position, \
             r.rating FROM goods_lines g JOIN goods_ratings r ON r.goods_line_id = g.id \
             WHERE g.case_id IN ({list}) ORDER BY g.case_id, g.position, r.position"
        );
        let mut q = sqlx::query_as::<_, RecordLineRow>(&sql);
        for id in chunk {
            q = q.bind(id.as_str());
        }
        lines.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok((cases, lines))
}
