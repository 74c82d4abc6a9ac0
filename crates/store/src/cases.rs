//! Cases: the one place that writes `UPDATE cases`. Callers pass the connection of their
//! command transaction, so what a command decides on is read in the transaction that writes
//! the decision (ARCHITECTURE.md, "Decide inside the transaction").
use sqlx::{Any, AnyConnection, Executor};

use crate::StoreError;

/// A case as stored (identifiers, enums and JSON still as text: `service` parses them).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRow {
    pub id: String,
    pub kind: String,
    pub reference: Option<String>,
    pub organisation_id: String,
    pub created_by: String,
    pub licence_type: String,
    pub status: String,
    pub draft_json: String,
    pub end_use_statement: String,
    pub end_user_type: Option<String>,
    /// Comma-separated country codes.
    pub destinations: String,
    pub total_value_minor: i64,
    pub assigned_to: Option<String>,
    pub appeal_of: Option<String>,
    pub appeal_grounds: Option<String>,
    pub final_advice_json: Option<String>,
    pub final_advice_reasons: Option<String>,
    pub final_advice_fingerprint: Option<String>,
    pub submitted_at: Option<i64>,
    pub finalised_at: Option<i64>,
    pub outcome: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const SELECT: &str = "SELECT id, kind, reference, organisation_id, created_by, licence_type, \
    status, draft_json, end_use_statement, end_user_type, destinations, total_value_minor, \
    assigned_to, appeal_of, appeal_grounds, final_advice_json, final_advice_reasons, \
    final_advice_fingerprint, submitted_at, finalised_at, outcome, created_at, updated_at \
    FROM cases";

pub async fn by_id<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<CaseRow>, StoreError> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await?)
}

pub async fn by_reference<'e>(
    ex: impl Executor<'e, Database = Any>,
    reference: &str,
) -> Result<Option<CaseRow>, StoreError> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE reference = $1"))
        .bind(reference)
        .fetch_optional(ex)
        .await?)
}

/// The public reference of a case (`None`: no such case, or a draft without one).
pub async fn reference_of(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<String>, StoreError> {
    let r: Option<Option<String>> = sqlx::query_scalar("SELECT reference FROM cases WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(r.flatten())
}

/// The appeal lodged against a refused case, if any.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppealRef {
    pub id: String,
    pub reference: Option<String>,
}

pub async fn appeal_against(
    conn: &mut AnyConnection,
    refused: &str,
) -> Result<Option<AppealRef>, StoreError> {
    Ok(
        sqlx::query_as("SELECT id, reference FROM cases WHERE appeal_of = $1")
            .bind(refused)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn set_status(
    conn: &mut AnyConnection,
    id: &str,
    status: &str,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE cases SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status)
        .bind(at)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Assign a case (and move it to `status`).
pub async fn assign(
    conn: &mut AnyConnection,
    id: &str,
    user: &str,
    status: &str,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE cases SET assigned_to = $1, status = $2, updated_at = $3 WHERE id = $4")
        .bind(user)
        .bind(status)
        .bind(at)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A new application case, still a draft.
pub struct NewDraft<'a> {
    pub id: &'a str,
    pub organisation_id: &'a str,
    pub created_by: &'a str,
    pub licence_type: &'a str,
    pub status: &'a str,
    pub draft_json: &'a str,
    pub at: i64,
}

pub async fn insert_draft(conn: &mut AnyConnection, d: NewDraft<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO cases (id, kind, organisation_id, created_by, licence_type, status, \
         draft_json, created_at, updated_at) VALUES ($1,'application',$2,$3,$4,$5,$6,$7,$7)",
    )
    .bind(d.id)
    .bind(d.organisation_id)
    .bind(d.created_by)
    .bind(d.licence_type)
    .bind(d.status)
    .bind(d.draft_json)
    .bind(d.at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update_draft(
    conn: &mut AnyConnection,
    id: &str,
    draft_json: &str,
    licence_type: &str,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE cases SET draft_json = $1, licence_type = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(draft_json)
    .bind(licence_type)
    .bind(at)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// What submission fixes on a case: its reference and the validated application's summary.
pub struct Submission<'a> {
    pub reference: &'a str,
    pub status: &'a str,
    pub licence_type: &'a str,
    pub end_use_statement: &'a str,
    pub end_user_type: Option<&'a str>,
    pub destinations: &'a str,
    pub total_value_minor: i64,
    pub at: i64,
}

pub async fn mark_submitted(
    conn: &mut AnyConnection,
    id: &str,
    s: Submission<'_>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE cases SET reference = $1, status = $2, licence_type = $3, end_use_statement = $4, \
         end_user_type = $5, destinations = $6, total_value_minor = $7, submitted_at = $8, \
         updated_at = $8 WHERE id = $9",
    )
    .bind(s.reference)
    .bind(s.status)
    .bind(s.licence_type)
    .bind(s.end_use_statement)
    .bind(s.end_user_type)
    .bind(s.destinations)
    .bind(s.total_value_minor)
    .bind(s.at)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// An appeal case, submitted from the start.
pub struct NewAppeal<'a> {
    pub id: &'a str,
    pub appeal_of: &'a str,
    pub grounds: &'a str,
    pub organisation_id: &'a str,
    pub created_by: &'a str,
    pub draft_json: &'a str,
    pub submission: Submission<'a>,
}

pub async fn insert_appeal(conn: &mut AnyConnection, a: NewAppeal<'_>) -> Result<(), StoreError> {
    let s = &a.submission;
    sqlx::query(
        "INSERT INTO cases (id, kind, reference, organisation_id, created_by, licence_type, \
         status, draft_json, end_use_statement, end_user_type, destinations, total_value_minor, \
         appeal_of, appeal_grounds, submitted_at, created_at, updated_at) \
         VALUES ($1,'appeal',$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$14,$14)",
    )
    .bind(a.id)
    .bind(s.reference)
    .bind(a.organisation_id)
    .bind(a.created_by)
    .bind(s.licence_type)
    .bind(s.status)
    .bind(a.draft_json)
    .bind(s.end_use_statement)
    .bind(s.end_user_type)
    .bind(s.destinations)
    .bind(s.total_value_minor)
    .bind(a.appeal_of)
    .bind(a.grounds)
    .bind(s.at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Close a decided case with its outcome.
pub async fn finalise(
    conn: &mut AnyConnection,
    id: &str,
    status: &str,
    outcome: &str,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE cases SET status = $1, outcome = $2, finalised_at = $3, updated_at = $3 \
         WHERE id = $4",
    )
    .bind(status)
    .bind(outcome)
    .bind(at)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The final advice of a case, as the caseworker consolidated it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalAdvice<'a> {
    pub json: &'a str,
    pub reasons: &'a str,
    /// `AdviceFingerprint` of the advice set it was consolidated from.
    pub fingerprint: &'a str,
}

/// Record (`Some`) or clear (`None`: the advice changed, consolidate again) the final advice.
pub async fn set_final_advice(
    conn: &mut AnyConnection,
    case_id: &str,
    advice: Option<FinalAdvice<'_>>,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE cases SET final_advice_json = $1, final_advice_reasons = $2, \
         final_advice_fingerprint = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(advice.as_ref().map(|a| a.json))
    .bind(advice.as_ref().map(|a| a.reasons))
    .bind(advice.as_ref().map(|a| a.fingerprint))
    .bind(at)
    .bind(case_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The fingerprint stored with a case's final advice (`None`: no final advice, or one
/// consolidated before fingerprints were kept).
pub async fn final_advice_fingerprint(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<Option<String>, StoreError> {
    let r: Option<Option<String>> =
        sqlx::query_scalar("SELECT final_advice_fingerprint FROM cases WHERE id = $1")
            .bind(case_id)
            .fetch_optional(conn)
            .await?;
    Ok(r.flatten())
}
