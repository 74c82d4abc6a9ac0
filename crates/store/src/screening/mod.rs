//! Sanctions and denial list versions, their entries, and the matches found on parties.
//! A resolution is a conditional UPDATE on `unresolved`, so two caseworkers resolving at once
//! leave exactly one resolution standing.
use sqlx::{Any, AnyConnection, Executor};

use crate::bulk::{self, Value};
use crate::StoreError;

mod matches;
pub use matches::*;
pub mod reviews;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListVersionRow {
    pub id: String,
    pub list: String,
    pub version: i64,
    pub source: String,
    pub published: Option<String>,
    pub file_sha256: String,
    pub entry_count: i64,
    pub added_count: i64,
    pub changed_count: i64,
    pub removed_count: i64,
    pub skipped: String,
    pub loaded_at: i64,
    pub loaded_by_name: Option<String>,
}

const VERSION_SELECT: &str = "SELECT v.id, v.list, v.version, v.source, v.published, \
     v.file_sha256, v.entry_count, v.added_count, v.changed_count, v.removed_count, v.skipped, \
     v.loaded_at, u.display_name AS loaded_by_name \
     FROM screening_list_versions v LEFT JOIN users u ON u.id = v.loaded_by";

/// Every version of every list, newest first.
pub async fn versions<'e>(
    ex: impl Executor<'e, Database = Any>,
) -> Result<Vec<ListVersionRow>, StoreError> {
    let sql = format!("{VERSION_SELECT} ORDER BY v.loaded_at DESC, v.list, v.version DESC");
    Ok(sqlx::query_as(&sql).fetch_all(ex).await?)
}

/// The newest version of each list: what screening uses.
pub async fn current_versions<'e>(
    ex: impl Executor<'e, Database = Any>,
) -> Result<Vec<ListVersionRow>, StoreError> {
    let sql = format!(
        "{VERSION_SELECT} WHERE v.version = (SELECT MAX(o.version) FROM screening_list_versions o \
         WHERE o.list = v.list) ORDER BY v.list"
    );
    Ok(sqlx::query_as(&sql).fetch_all(ex).await?)
}

pub async fn version<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<ListVersionRow>, StoreError> {
    let sql = format!("{VERSION_SELECT} WHERE v.id = $1");
    Ok(sqlx::query_as(&sql).bind(id).fetch_optional(ex).await?)
}

pub struct NewListVersion<'a> {
    pub id: &'a str,
    pub list: &'a str,
    pub source: &'a str,
    pub published: Option<&'a str>,
    pub file_sha256: &'a str,
    pub entry_count: i64,
    pub added: i64,
    pub changed: i64,
    pub removed: i64,
    pub skipped: &'a str,
    pub loaded_at: i64,
    pub loaded_by: Option<&'a str>,
}

/// Insert a version numbered after the list's last; returns its number.
pub async fn insert_version(
    conn: &mut AnyConnection,
    v: &NewListVersion<'_>,
) -> Result<i64, StoreError> {
    let number: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(version), 0) + 1 AS BIGINT) FROM screening_list_versions WHERE list = $1",
    )
    .bind(v.list)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO screening_list_versions (id, list, version, source, published, file_sha256, \
         entry_count, added_count, changed_count, removed_count, skipped, loaded_at, loaded_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(v.id)
    .bind(v.list)
    .bind(number)
    .bind(v.source)
    .bind(v.published)
    .bind(v.file_sha256)
    .bind(v.entry_count)
    .bind(v.added)
    .bind(v.changed)
    .bind(v.removed)
    .bind(v.skipped)
    .bind(v.loaded_at)
    .bind(v.loaded_by)
    .execute(&mut *conn)
    .await?;
    Ok(number)
}

/// One entry of a version: (entry id, primary name, fingerprint, entry as JSON).
pub type EntryRow<'a> = (&'a str, &'a str, &'a str, &'a str);

pub async fn insert_entries(
    conn: &mut AnyConnection,
    version_id: &str,
    entries: &[EntryRow<'_>],
) -> Result<(), StoreError> {
    let rows: Vec<Vec<Value<'_>>> = entries
        .iter()
        .map(|(id, name, fp, json)| {
            vec![
                Value::Text(version_id),
                Value::Text(id),
                Value::Text(name),
                Value::Text(fp),
                Value::Text(json),
            ]
        })
        .collect();
    bulk::insert_rows(
        conn,
        "screening_entries",
        &[
            "version_id",
            "entry_id",
            "primary_name",
            "fingerprint",
            "entry_json",
        ],
        &rows,
        &mut |_| {},
    )
    .await?;
    Ok(())
}

/// (entry id, change) rows of what a version added, changed and removed.
pub async fn insert_changes(
    conn: &mut AnyConnection,
    version_id: &str,
    changes: &[(&str, &str)],
) -> Result<(), StoreError> {
    let rows: Vec<Vec<Value<'_>>> = changes
        .iter()
        .map(|(id, change)| {
            vec![
                Value::Text(version_id),
                Value::Text(id),
                Value::Text(change),
            ]
        })
        .collect();
    bulk::insert_rows(
        conn,
        "screening_list_changes",
        &["version_id", "entry_id", "change"],
        &rows,
        &mut |_| {},
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChangeRow {
    pub entry_id: String,
    pub change: String,
    /// The entry's primary name in this version (the last version's, for a removal).
    pub primary_name: Option<String>,
}

/// What a version changed, by entry id.
pub async fn changes<'e>(
    ex: impl Executor<'e, Database = Any>,
    version_id: &str,
) -> Result<Vec<ChangeRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT c.entry_id, c.change, e.primary_name FROM screening_list_changes c \
         LEFT JOIN screening_entries e ON e.version_id = c.version_id AND e.entry_id = c.entry_id \
         WHERE c.version_id = $1 ORDER BY c.change, c.entry_id",
    )
    .bind(version_id)
    .fetch_all(ex)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FingerprintRow {
    pub entry_id: String,
    pub fingerprint: String,
}

pub async fn fingerprints<'e>(
    ex: impl Executor<'e, Database = Any>,
    version_id: &str,
) -> Result<Vec<FingerprintRow>, StoreError> {
    Ok(
        sqlx::query_as("SELECT entry_id, fingerprint FROM screening_entries WHERE version_id = $1")
            .bind(version_id)
            .fetch_all(ex)
            .await?,
    )
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntryJsonRow {
    pub entry_json: String,
}

/// A version's entries as stored (JSON), in entry-id order.
pub async fn entries<'e>(
    ex: impl Executor<'e, Database = Any>,
    version_id: &str,
) -> Result<Vec<EntryJsonRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT entry_json FROM screening_entries WHERE version_id = $1 ORDER BY entry_id",
    )
    .bind(version_id)
    .fetch_all(ex)
    .await?)
}

pub async fn entry<'e>(
    ex: impl Executor<'e, Database = Any>,
    version_id: &str,
    entry_id: &str,
) -> Result<Option<EntryJsonRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT entry_json FROM screening_entries WHERE version_id = $1 AND entry_id = $2",
    )
    .bind(version_id)
    .bind(entry_id)
    .fetch_optional(ex)
    .await?)
}

/// A party to screen, with its case.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PartyToScreen {
    pub party_id: String,
    pub case_id: String,
    pub name: String,
    pub country: String,
    pub address: String,
    pub role: String,
    pub end_user_type: Option<String>,
    /// Set when the case is finalised and its licence is in force.
    pub licence_id: Option<String>,
}

/// Parties of one case.
pub async fn parties_of_case<'e>(
    ex: impl Executor<'e, Database = Any>,
    case_id: &str,
) -> Result<Vec<PartyToScreen>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT p.id AS party_id, p.case_id, p.name, p.country, p.address, p.role, p.end_user_type, \
         CAST(NULL AS TEXT) AS licence_id FROM parties p WHERE p.case_id = $1 ORDER BY p.position",
    )
    .bind(case_id)
    .fetch_all(ex)
    .await?)
}

/// Parties of every case still open (submitted, not yet finalised or withdrawn) and of every
/// licence in force: what a list update re-screens.
pub async fn parties_in_scope<'e>(
    ex: impl Executor<'e, Database = Any>,
) -> Result<Vec<PartyToScreen>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT p.id AS party_id, p.case_id, p.name, p.country, p.address, p.role, p.end_user_type, \
         CAST(NULL AS TEXT) AS licence_id FROM parties p JOIN cases c ON c.id = p.case_id \
         WHERE c.status IN ('submitted', 'under_review', 'awaiting_exporter', \
                            'under_final_review', 'awaiting_countersign') \
         UNION ALL \
         SELECT p.id AS party_id, p.case_id, p.name, p.country, p.address, p.role, p.end_user_type, l.id AS licence_id \
         FROM licences l JOIN parties p ON p.case_id = l.case_id \
         WHERE l.status IN ('issued', 'reinstated') \
         ORDER BY 2, 1",
    )
    .fetch_all(ex)
    .await?)
}

/// Parties of refused cases: Probity's own denials list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DenialRow {
    pub party_id: String,
    pub reference: String,
    pub name: String,
    pub country: String,
    pub role: String,
}

pub async fn denials<'e>(
    ex: impl Executor<'e, Database = Any>,
) -> Result<Vec<DenialRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT p.id AS party_id, c.reference, p.name, p.country, p.role \
         FROM cases c JOIN parties p ON p.case_id = c.id \
         WHERE c.outcome = 'refuse' AND c.reference IS NOT NULL ORDER BY c.reference, p.position",
    )
    .fetch_all(ex)
    .await?)
}

/// What identifies the denials list's current state: how many refused cases, and the latest
/// refusal's time (an index range, not a scan of every case).
pub async fn denials_key<'e>(
    ex: impl Executor<'e, Database = Any>,
) -> Result<(i64, i64), StoreError> {
    let row: (i64, Option<i64>) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT), MAX(finalised_at) FROM cases WHERE outcome = 'refuse'",
    )
    .fetch_one(ex)
    .await?;
    Ok((row.0, row.1.unwrap_or(0)))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RunRow {
    pub id: String,
    pub reason: String,
    pub version_id: Option<String>,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub parties_total: i64,
    pub parties_done: i64,
    pub matches_found: i64,
    pub review_items: i64,
}

pub async fn insert_run(
    conn: &mut AnyConnection,
    id: &str,
    reason: &str,
    version_id: Option<&str>,
    started_at: i64,
    parties_total: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO screening_runs (id, reason, version_id, started_at, parties_total, \
         parties_done, matches_found) VALUES ($1, $2, $3, $4, $5, 0, 0)",
    )
    .bind(id)
    .bind(reason)
    .bind(version_id)
    .bind(started_at)
    .bind(parties_total)
    .execute(conn)
    .await?;
    Ok(())
}

/// Add to a run's progress; `finished_at` closes it.
pub async fn advance_run(
    conn: &mut AnyConnection,
    id: &str,
    parties: i64,
    matches: i64,
    review_items: i64,
    finished_at: Option<i64>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE screening_runs SET parties_done = parties_done + $1, \
         matches_found = matches_found + $2, review_items = review_items + $3, \
         finished_at = COALESCE($4, finished_at) WHERE id = $5",
    )
    .bind(parties)
    .bind(matches)
    .bind(review_items)
    .bind(finished_at)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The latest runs, newest first.
pub async fn runs<'e>(
    ex: impl Executor<'e, Database = Any>,
    limit: i64,
) -> Result<Vec<RunRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, reason, version_id, started_at, finished_at, parties_total, parties_done, \
         matches_found, review_items FROM screening_runs ORDER BY started_at DESC, id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(ex)
    .await?)
}
