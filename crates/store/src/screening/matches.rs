//! Screening matches: recorded once per party, list and entry; read per case, as the
//! worklist of those unresolved, and as what a decision must clear; resolved once.
use sqlx::{Any, AnyConnection, Executor};

use crate::StoreError;

pub struct NewMatch<'a> {
    pub id: &'a str,
    pub case_id: &'a str,
    pub party_id: &'a str,
    pub list: &'a str,
    pub version_id: &'a str,
    pub entry_id: &'a str,
    pub matched_name: &'a str,
    pub score: i64,
    pub explanation: &'a str,
    pub found_at: i64,
}

/// Record a match, or refresh an existing one's score and explanation (its resolution is
/// kept). Returns true when the match is new.
pub async fn upsert_match(conn: &mut AnyConnection, m: &NewMatch<'_>) -> Result<bool, StoreError> {
    let updated = sqlx::query(
        "UPDATE screening_matches SET version_id = $1, matched_name = $2, score = $3, \
         explanation = $4 WHERE party_id = $5 AND list = $6 AND entry_id = $7",
    )
    .bind(m.version_id)
    .bind(m.matched_name)
    .bind(m.score)
    .bind(m.explanation)
    .bind(m.party_id)
    .bind(m.list)
    .bind(m.entry_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if updated > 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO screening_matches (id, case_id, party_id, list, version_id, entry_id, \
         matched_name, score, explanation, found_at, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'unresolved')",
    )
    .bind(m.id)
    .bind(m.case_id)
    .bind(m.party_id)
    .bind(m.list)
    .bind(m.version_id)
    .bind(m.entry_id)
    .bind(m.matched_name)
    .bind(m.score)
    .bind(m.explanation)
    .bind(m.found_at)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MatchRow {
    pub id: String,
    pub case_id: String,
    pub party_id: String,
    pub party_name: String,
    pub party_role: String,
    pub list: String,
    pub version_id: String,
    pub entry_id: String,
    pub matched_name: String,
    pub score: i64,
    pub explanation: String,
    pub found_at: i64,
    pub status: String,
    pub resolved_by_name: Option<String>,
    pub resolved_at: Option<i64>,
    pub reason: Option<String>,
}

const MATCH_SELECT: &str = "SELECT m.id, m.case_id, m.party_id, p.name AS party_name, \
     p.role AS party_role, m.list, m.version_id, m.entry_id, m.matched_name, m.score, \
     m.explanation, m.found_at, m.status, u.display_name AS resolved_by_name, m.resolved_at, \
     m.reason FROM screening_matches m JOIN parties p ON p.id = m.party_id \
     LEFT JOIN users u ON u.id = m.resolved_by";

pub async fn matches_of_case<'e>(
    ex: impl Executor<'e, Database = Any>,
    case_id: &str,
) -> Result<Vec<MatchRow>, StoreError> {
    let sql = format!(
        "{MATCH_SELECT} WHERE m.case_id = $1 ORDER BY p.position, m.score DESC, m.list, m.entry_id"
    );
    Ok(sqlx::query_as(&sql).bind(case_id).fetch_all(ex).await?)
}

/// A match still waiting for a caseworker, with where it is: the case, and the licence in
/// force it touches, if any.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenMatchRow {
    pub id: String,
    pub case_id: String,
    pub reference: Option<String>,
    pub case_status: String,
    pub licence_id: Option<String>,
    pub licence_number: Option<String>,
    pub party_name: String,
    pub party_role: String,
    pub list: String,
    pub entry_id: String,
    pub matched_name: String,
    pub score: i64,
    pub found_at: i64,
}

const OPEN_MATCHES: &str = "FROM screening_matches m JOIN parties p ON p.id = m.party_id \
     JOIN cases c ON c.id = m.case_id \
     LEFT JOIN licences l ON l.case_id = m.case_id AND l.status IN ('issued', 'reinstated') \
     WHERE m.status = 'unresolved'";

/// Unresolved matches, best score first; only those on licences in force when `on_licences`.
pub async fn unresolved_matches<'e>(
    ex: impl Executor<'e, Database = Any>,
    on_licences: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<OpenMatchRow>, StoreError> {
    let sql = format!(
        "SELECT m.id, m.case_id, c.reference, c.status AS case_status, l.id AS licence_id, \
         l.number AS licence_number, p.name AS party_name, p.role AS party_role, m.list, \
         m.entry_id, m.matched_name, m.score, m.found_at {OPEN_MATCHES}{} \
         ORDER BY m.score DESC, m.found_at, m.id LIMIT $1 OFFSET $2",
        if on_licences {
            " AND l.id IS NOT NULL"
        } else {
            ""
        }
    );
    Ok(sqlx::query_as(&sql)
        .bind(limit)
        .bind(offset)
        .fetch_all(ex)
        .await?)
}

/// (unresolved matches, of which on licences in force).
pub async fn unresolved_totals(conn: &mut AnyConnection) -> Result<(i64, i64), StoreError> {
    let sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN l.id IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT) {OPEN_MATCHES}"
    );
    Ok(sqlx::query_as(&sql).fetch_one(conn).await?)
}

pub async fn find_match<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<MatchRow>, StoreError> {
    let sql = format!("{MATCH_SELECT} WHERE m.id = $1");
    Ok(sqlx::query_as(&sql).bind(id).fetch_optional(ex).await?)
}

pub async fn unresolved_count(conn: &mut AnyConnection, case_id: &str) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM screening_matches WHERE case_id = $1 AND status = 'unresolved'",
    )
    .bind(case_id)
    .fetch_one(conn)
    .await?)
}

/// Parties of a case resolved as true matches on any list but `except` (the denials, which
/// inform a decision without barring it).
pub async fn listed_party_count(
    conn: &mut AnyConnection,
    case_id: &str,
    except: &str,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COUNT(DISTINCT party_id) AS BIGINT) FROM screening_matches \
         WHERE case_id = $1 AND status = 'true_match' AND list <> $2",
    )
    .bind(case_id)
    .bind(except)
    .fetch_one(conn)
    .await?)
}

/// Resolve a match still unresolved; false when it was resolved already (or does not exist).
pub async fn resolve(
    conn: &mut AnyConnection,
    id: &str,
    status: &str,
    by: &str,
    at: i64,
    reason: &str,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE screening_matches SET status = $1, resolved_by = $2, resolved_at = $3, reason = $4 \
         WHERE id = $5 AND status = 'unresolved'",
    )
    .bind(status)
    .bind(by)
    .bind(at)
    .bind(reason)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}
