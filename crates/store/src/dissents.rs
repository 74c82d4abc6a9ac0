//! Dissents and their points. Each change of status is a conditional UPDATE on the status it
//! expects, so two people acting at once leave exactly one change standing.
use sqlx::{Any, AnyConnection, Executor};

use crate::bulk::{self, Value};
use crate::StoreError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DissentRow {
    pub id: String,
    pub subject: String,
    pub case_id: Option<String>,
    pub case_reference: Option<String>,
    pub subject_ref: String,
    pub licence_id: Option<String>,
    pub destinations: String,
    pub dissenter_id: String,
    pub dissenter_name: String,
    pub responder_id: String,
    pub responder_name: String,
    pub status: String,
    pub criteria: String,
    pub evidence: String,
    pub after_decision: i64,
    pub filed_at: i64,
    pub due_at: i64,
    pub answered_at: Option<i64>,
    pub answer_action: Option<String>,
    pub accepted_at: Option<i64>,
    pub escalated_at: Option<i64>,
    pub escalated_by_deadline: i64,
    pub escalation_statement: Option<String>,
    pub finding_outcome: Option<String>,
    pub finding: Option<String>,
    pub retake_ordered: i64,
    pub finding_at: Option<i64>,
}

const SELECT: &str = "SELECT d.id, d.subject, d.case_id, c.reference AS case_reference, \
     d.subject_ref, d.licence_id, d.destinations, d.dissenter_id, du.display_name AS dissenter_name, \
     d.responder_id, ru.display_name AS responder_name, d.status, d.criteria, d.evidence, \
     d.after_decision, d.filed_at, d.due_at, d.answered_at, d.answer_action, d.accepted_at, \
     d.escalated_at, d.escalated_by_deadline, d.escalation_statement, d.finding_outcome, \
     d.finding, d.retake_ordered, d.finding_at \
     FROM dissents d JOIN users du ON du.id = d.dissenter_id \
     JOIN users ru ON ru.id = d.responder_id LEFT JOIN cases c ON c.id = d.case_id";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PointRow {
    pub number: i64,
    pub text: String,
    pub verdict: Option<String>,
    pub reasons: Option<String>,
}

pub struct NewDissent<'a> {
    pub id: &'a str,
    pub subject: &'a str,
    pub case_id: Option<&'a str>,
    pub subject_ref: &'a str,
    pub licence_id: Option<&'a str>,
    pub destinations: &'a str,
    pub dissenter_id: &'a str,
    pub responder_id: &'a str,
    pub criteria: &'a str,
    pub evidence: &'a str,
    pub after_decision: bool,
    pub filed_at: i64,
    pub due_at: i64,
}

pub async fn insert(
    conn: &mut AnyConnection,
    d: &NewDissent<'_>,
    points: &[(i64, String)],
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO dissents (id, subject, case_id, subject_ref, licence_id, destinations, \
         dissenter_id, responder_id, status, criteria, evidence, after_decision, filed_at, due_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10, $11, $12, $13)",
    )
    .bind(d.id)
    .bind(d.subject)
    .bind(d.case_id)
    .bind(d.subject_ref)
    .bind(d.licence_id)
    .bind(d.destinations)
    .bind(d.dissenter_id)
    .bind(d.responder_id)
    .bind(d.criteria)
    .bind(d.evidence)
    .bind(i64::from(d.after_decision))
    .bind(d.filed_at)
    .bind(d.due_at)
    .execute(&mut *conn)
    .await?;
    let rows: Vec<Vec<Value<'_>>> = points
        .iter()
        .map(|(n, text)| vec![Value::Text(d.id), Value::Int(*n), Value::Text(text)])
        .collect();
    bulk::insert_rows(
        conn,
        "dissent_points",
        &["dissent_id", "number", "text"],
        &rows,
        &mut |_| {},
    )
    .await?;
    Ok(())
}

pub async fn by_id<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<DissentRow>, StoreError> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE d.id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await?)
}

pub async fn points<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Vec<PointRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT number, text, verdict, reasons FROM dissent_points WHERE dissent_id = $1 \
         ORDER BY number",
    )
    .bind(id)
    .fetch_all(ex)
    .await?)
}

/// Dissents a user filed or must answer, newest first (oversight: every escalated one too).
pub async fn involving<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &str,
    with_escalated: bool,
    limit: i64,
) -> Result<Vec<DissentRow>, StoreError> {
    let escalated = if with_escalated {
        " OR d.status IN ('escalated', 'concluded')"
    } else {
        ""
    };
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE d.dissenter_id = $1 OR d.responder_id = $1{escalated} \
         ORDER BY d.filed_at DESC, d.id DESC LIMIT $2"
    ))
    .bind(user_id)
    .bind(limit)
    .fetch_all(ex)
    .await?)
}

/// Open dissents past their deadline at `now`.
pub async fn overdue<'e>(
    ex: impl Executor<'e, Database = Any>,
    now: i64,
) -> Result<Vec<DissentRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE d.status = 'open' AND d.due_at <= $1 ORDER BY d.due_at, d.id"
    ))
    .bind(now)
    .fetch_all(ex)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseDissentRow {
    pub id: String,
    pub subject: String,
    pub status: String,
    pub answered_at: Option<i64>,
    pub filed_at: i64,
    pub due_at: i64,
    pub after_decision: i64,
}

/// Every dissent on a case, oldest first (facts anyone reading the case may see).
pub async fn on_case<'e>(
    ex: impl Executor<'e, Database = Any>,
    case_id: &str,
) -> Result<Vec<CaseDissentRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, subject, status, answered_at, filed_at, due_at, after_decision \
         FROM dissents WHERE case_id = $1 ORDER BY filed_at, id",
    )
    .bind(case_id)
    .fetch_all(ex)
    .await?)
}

/// Record the answer if the dissent is still open: its action, and each point's verdict and
/// reasons. 0 when it was no longer open (someone answered first, or it escalated).
pub async fn answer(
    conn: &mut AnyConnection,
    id: &str,
    action: &str,
    at: i64,
    points: &[(i64, &str, &str)],
) -> Result<u64, StoreError> {
    let n = sqlx::query(
        "UPDATE dissents SET status = 'answered', answered_at = $2, answer_action = $3 \
         WHERE id = $1 AND status = 'open'",
    )
    .bind(id)
    .bind(at)
    .bind(action)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(0);
    }
    for (number, verdict, reasons) in points {
        sqlx::query(
            "UPDATE dissent_points SET verdict = $3, reasons = $4 \
             WHERE dissent_id = $1 AND number = $2",
        )
        .bind(id)
        .bind(number)
        .bind(*verdict)
        .bind(*reasons)
        .execute(&mut *conn)
        .await?;
    }
    Ok(n)
}

/// A change of status from `from` to `to`, stamping `at_column` (and one text column).
pub struct Move<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub at_column: &'static str,
    pub at: i64,
    pub text: Option<(&'static str, &'a str)>,
}

/// Apply `m`; 0 when the dissent was not in `m.from`.
pub async fn move_status(
    conn: &mut AnyConnection,
    id: &str,
    m: &Move<'_>,
) -> Result<u64, StoreError> {
    let (text_set, text) = match m.text {
        Some((column, value)) => (format!(", {column} = $5"), Some(value)),
        None => (String::new(), None),
    };
    let sql = format!(
        "UPDATE dissents SET status = $3, {} = $4{text_set} WHERE id = $1 AND status = $2",
        m.at_column
    );
    let mut q = sqlx::query(&sql)
        .bind(id)
        .bind(m.from)
        .bind(m.to)
        .bind(m.at);
    if let Some(t) = text {
        q = q.bind(t);
    }
    Ok(q.execute(conn).await?.rows_affected())
}

/// Escalate those of `ids` still open and past their deadline at `now`; how many.
pub async fn escalate_overdue(
    conn: &mut AnyConnection,
    ids: &[String],
    now: i64,
) -> Result<u64, StoreError> {
    let mut n = 0;
    for id in ids {
        n += sqlx::query(
            "UPDATE dissents SET status = 'escalated', escalated_at = $2, \
             escalated_by_deadline = 1 WHERE id = $1 AND status = 'open' AND due_at <= $2",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(n)
}

/// Record oversight's finding if the dissent is with oversight; 0 otherwise.
pub async fn record_finding(
    conn: &mut AnyConnection,
    id: &str,
    outcome: &str,
    finding: &str,
    retake: bool,
    by: &str,
    at: i64,
) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "UPDATE dissents SET status = 'concluded', finding_outcome = $2, finding = $3, \
         retake_ordered = $4, finding_by = $5, finding_at = $6 \
         WHERE id = $1 AND status = 'escalated'",
    )
    .bind(id)
    .bind(outcome)
    .bind(finding)
    .bind(i64::from(retake))
    .bind(by)
    .bind(at)
    .execute(conn)
    .await?
    .rows_affected())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResponderRow {
    pub id: String,
    pub role: String,
}

/// Active users in `role`, by display name: who may be named to answer.
pub async fn active_in_role<'e>(
    ex: impl Executor<'e, Database = Any>,
    role: &str,
) -> Result<Vec<ResponderRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, role FROM users WHERE role = $1 AND active = 1 ORDER BY display_name, id",
    )
    .bind(role)
    .fetch_all(ex)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CountRow {
    pub filed_at: i64,
    pub due_at: i64,
    pub destinations: String,
    pub status: String,
    pub answered_at: Option<i64>,
    pub escalated_at: Option<i64>,
    pub answer_action: Option<String>,
}

/// Every dissent's dates and outcome (no contents, no names): what public counts are made of.
pub async fn for_counts<'e>(
    ex: impl Executor<'e, Database = Any>,
) -> Result<Vec<CountRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT filed_at, due_at, destinations, status, answered_at, escalated_at, answer_action \
         FROM dissents ORDER BY filed_at",
    )
    .fetch_all(ex)
    .await?)
}
