//! Destination assessments (versioned, never edited) and embargoes recorded by policy.
//! Readers take any executor, so a command reads the version it acts on inside its own
//! transaction.
use sqlx::{Any, Executor};

use crate::StoreError;

/// One version of an assessment as stored (codes and the rule still as text: `service`
/// parses them with the domain's checks).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AssessmentRow {
    pub id: String,
    pub destination: String,
    pub criterion: String,
    pub version: i64,
    pub finding: String,
    pub rule_json: String,
    pub evidence: String,
    pub reasons: String,
    pub legal_basis: String,
    pub public_summary: String,
    pub author_id: String,
    pub author_name: String,
    pub recorded_at: i64,
    pub published_at: Option<i64>,
}

const SELECT: &str = "SELECT a.id, a.destination, a.criterion, a.version, a.finding, a.rule_json, \
     a.evidence, a.reasons, a.legal_basis, a.public_summary, a.author_id, \
     u.display_name AS author_name, a.recorded_at, a.published_at \
     FROM assessments a JOIN users u ON u.id = a.author_id";

/// A new version to insert; its number is the next one for its destination and criterion.
pub struct NewAssessment<'a> {
    pub id: &'a str,
    pub destination: &'a str,
    pub criterion: &'a str,
    pub finding: &'a str,
    pub rule_json: &'a str,
    pub evidence: &'a str,
    pub reasons: &'a str,
    pub legal_basis: &'a str,
    pub public_summary: &'a str,
    pub author_id: &'a str,
    pub recorded_at: i64,
}

/// Insert the next version (inside the command transaction, whose lock makes "next" safe);
/// returns its version number.
pub async fn insert(
    conn: &mut sqlx::AnyConnection,
    a: &NewAssessment<'_>,
) -> Result<i64, StoreError> {
    let version: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(version), 0) + 1 AS BIGINT) FROM assessments \
         WHERE destination = $1 AND criterion = $2",
    )
    .bind(a.destination)
    .bind(a.criterion)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO assessments (id, destination, criterion, version, finding, rule_json, \
         evidence, reasons, legal_basis, public_summary, author_id, recorded_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)",
    )
    .bind(a.id)
    .bind(a.destination)
    .bind(a.criterion)
    .bind(version)
    .bind(a.finding)
    .bind(a.rule_json)
    .bind(a.evidence)
    .bind(a.reasons)
    .bind(a.legal_basis)
    .bind(a.public_summary)
    .bind(a.author_id)
    .bind(a.recorded_at)
    .execute(&mut *conn)
    .await?;
    Ok(version)
}

pub async fn by_id<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<AssessmentRow>, StoreError> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await?)
}

/// Every version for a destination and criterion, newest first.
pub async fn versions<'e>(
    ex: impl Executor<'e, Database = Any>,
    destination: &str,
    criterion: &str,
) -> Result<Vec<AssessmentRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE a.destination = $1 AND a.criterion = $2 ORDER BY a.version DESC"
    ))
    .bind(destination)
    .bind(criterion)
    .fetch_all(ex)
    .await?)
}

/// The current (latest) version of every assessment, by destination then criterion.
pub async fn current<'e>(
    ex: impl Executor<'e, Database = Any>,
) -> Result<Vec<AssessmentRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE a.version = (SELECT MAX(b.version) FROM assessments b \
         WHERE b.destination = a.destination AND b.criterion = a.criterion) \
         ORDER BY a.destination, a.criterion"
    ))
    .fetch_all(ex)
    .await?)
}

/// Release a version's public summary; false when it was already published.
pub async fn publish(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    at: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE assessments SET published_at = $1 WHERE id = $2 AND published_at IS NULL",
    )
    .bind(at)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EmbargoRow {
    pub id: String,
    pub destination: String,
    pub regime: String,
    pub rule_json: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub reference: String,
    pub summary: String,
    pub recorded_at: i64,
}

pub struct NewEmbargo<'a> {
    pub id: &'a str,
    pub destination: &'a str,
    pub regime: &'a str,
    pub rule_json: &'a str,
    pub starts_on: &'a str,
    pub ends_on: Option<&'a str>,
    pub reference: &'a str,
    pub summary: &'a str,
    pub recorded_by: &'a str,
    pub recorded_at: i64,
}

pub async fn insert_embargo(
    conn: &mut sqlx::AnyConnection,
    e: &NewEmbargo<'_>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO embargoes (id, destination, regime, rule_json, starts_on, ends_on, \
         reference, summary, recorded_by, recorded_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
    )
    .bind(e.id)
    .bind(e.destination)
    .bind(e.regime)
    .bind(e.rule_json)
    .bind(e.starts_on)
    .bind(e.ends_on)
    .bind(e.reference)
    .bind(e.summary)
    .bind(e.recorded_by)
    .bind(e.recorded_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn embargoes<'e>(
    ex: impl Executor<'e, Database = Any>,
) -> Result<Vec<EmbargoRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, destination, regime, rule_json, starts_on, ends_on, reference, summary, \
         recorded_at FROM embargoes ORDER BY destination, starts_on",
    )
    .fetch_all(ex)
    .await?)
}

pub async fn embargo_by_id<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<EmbargoRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, destination, regime, rule_json, starts_on, ends_on, reference, summary, \
         recorded_at FROM embargoes WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(ex)
    .await?)
}
