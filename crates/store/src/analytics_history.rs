//! The imported licence history (`historic_*` tables) and the outbox as analytics reads them:
//! cheap fingerprints that tell whether either changed, the licence rows' segments
//! ([`crate::history_segment`]) and paged outbox reads to build the table, and the import runs.
use crate::history_segment::{self, Segment};
use crate::{Store, StoreError, Tx};

/// Counts that change whenever the data behind them changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct Fingerprint {
    pub n: i64,
    pub total: i64,
    pub newest: i64,
}

const HISTORIC_FINGERPRINT: &str = "SELECT CAST(COUNT(*) AS BIGINT) AS n, \
     CAST(COALESCE(SUM(rows_inserted + criteria_inserted + ratings_inserted), 0) AS BIGINT) \
     AS total, CAST(COALESCE(MAX(finished_at), 0) AS BIGINT) AS newest \
     FROM historic_import_runs WHERE rows_inserted + criteria_inserted + ratings_inserted > 0";

/// Import runs that changed data: how many, the rows they added, the newest finish.
pub async fn historic_fingerprint(store: &Store) -> Result<Fingerprint, StoreError> {
    Ok(sqlx::query_as(HISTORIC_FINGERPRINT)
        .fetch_one(store.pool())
        .await?)
}

/// [`historic_fingerprint`] as `tx` sees it (an import's, before it commits).
pub async fn historic_fingerprint_in(tx: &mut Tx) -> Result<Fingerprint, StoreError> {
    Ok(sqlx::query_as(HISTORIC_FINGERPRINT)
        .fetch_one(&mut **tx)
        .await?)
}

/// Whether no history is stored at all: no licence rows, ratings, criteria or refusal criteria.
pub async fn history_is_empty(tx: &mut Tx) -> Result<bool, StoreError> {
    let any: i64 = sqlx::query_scalar(
        "SELECT CAST(CASE WHEN EXISTS (SELECT 1 FROM historic_licence_segments) \
         OR EXISTS (SELECT 1 FROM historic_ratings) OR EXISTS (SELECT 1 FROM historic_criteria) \
         OR EXISTS (SELECT 1 FROM historic_refusal_criteria) THEN 1 ELSE 0 END AS BIGINT)",
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(any == 0)
}

/// The outbox: how many records, the last `seq`, the newest `created_at`.
pub async fn outbox_fingerprint(store: &Store) -> Result<Fingerprint, StoreError> {
    Ok(sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(MAX(seq), 0) AS BIGINT) AS total, \
         CAST(COALESCE(MAX(created_at), 0) AS BIGINT) AS newest FROM decision_outbox",
    )
    .fetch_one(store.pool())
    .await?)
}

/// Every import run (changing data or not): how many, and the newest finish (`total` is 0).
pub async fn runs_fingerprint(store: &Store) -> Result<Fingerprint, StoreError> {
    Ok(sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST(0 AS BIGINT) AS total, \
         CAST(COALESCE(MAX(finished_at), 0) AS BIGINT) AS newest FROM historic_import_runs",
    )
    .fetch_one(store.pool())
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RatingRow {
    pub code: String,
    pub kind: String,
    pub short_description: String,
    pub full_description: String,
}

pub async fn ratings(store: &Store) -> Result<Vec<RatingRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT code, kind, short_description, full_description FROM historic_ratings ORDER BY code",
    )
    .fetch_all(store.pool())
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CriterionRow {
    pub code: String,
    pub description: String,
}

pub async fn criteria(store: &Store) -> Result<Vec<CriterionRow>, StoreError> {
    Ok(
        sqlx::query_as("SELECT code, description FROM historic_criteria ORDER BY code")
            .fetch_all(store.pool())
            .await?,
    )
}

/// A criterion cited by a refused licence group.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RefusalCriterionRow {
    pub source: String,
    pub licence_group: i64,
    pub criterion: String,
}

pub async fn refusal_criteria(store: &Store) -> Result<Vec<RefusalCriterionRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT source, licence_group, criterion FROM historic_refusal_criteria \
         ORDER BY source, licence_group, criterion",
    )
    .fetch_all(store.pool())
    .await?)
}

/// The id schemes (`source`) of the stored licence rows.
pub async fn row_sources(store: &Store) -> Result<Vec<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT DISTINCT source FROM historic_licence_segments ORDER BY source")
            .fetch_all(store.pool())
            .await?,
    )
}

/// A stored segment of one import run's licence rows, as stored: decoded one at a time
/// ([`StoredSegment::decode`]), so a source's rows are never all in memory unpacked.
#[derive(sqlx::FromRow)]
pub struct StoredSegment {
    pub import_run: String,
    pub seq: i64,
    pub row_count: i64,
    content: Vec<u8>,
}

impl StoredSegment {
    /// The rows, checked (format, checksum, and the count recorded beside them).
    pub fn decode(&self) -> Result<Segment, StoreError> {
        let corrupt = |what: String| {
            StoreError::Corrupt(format!(
                "history segment {} of import run {}: {what}",
                self.seq, self.import_run
            ))
        };
        let segment = history_segment::decode(&self.content).map_err(|e| corrupt(e.to_string()))?;
        if segment.len() as i64 != self.row_count {
            return Err(corrupt(format!(
                "{} rows where {} were recorded",
                segment.len(),
                self.row_count
            )));
        }
        Ok(segment)
    }
}

const SEGMENTS_OF_SOURCE: &str = "SELECT import_run, seq, row_count, content \
     FROM historic_licence_segments WHERE source = $1 ORDER BY import_run, seq";

/// Every stored licence row of `source`, segment by segment, in import order.
pub async fn segments(store: &Store, source: &str) -> Result<Vec<StoredSegment>, StoreError> {
    Ok(sqlx::query_as(SEGMENTS_OF_SOURCE)
        .bind(source)
        .fetch_all(store.pool())
        .await?)
}

/// [`segments`] as `tx` sees them (an import's, before it writes its own).
pub async fn segments_in(tx: &mut Tx, source: &str) -> Result<Vec<StoredSegment>, StoreError> {
    Ok(sqlx::query_as(SEGMENTS_OF_SOURCE)
        .bind(source)
        .fetch_all(&mut **tx)
        .await?)
}

/// Store one encoded segment ([`history_segment::encode`]) of `rows` rows.
pub async fn insert_segment(
    tx: &mut Tx,
    import_run: &str,
    seq: i64,
    source: &str,
    rows: usize,
    content: &[u8],
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO historic_licence_segments (import_run, seq, source, row_count, content) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(import_run)
    .bind(seq)
    .bind(source)
    .bind(rows as i64)
    .bind(content)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// How many licence rows are stored, of every source.
pub async fn row_count(store: &Store) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(row_count), 0) AS BIGINT) FROM historic_licence_segments",
    )
    .fetch_one(store.pool())
    .await?)
}

/// A public decision record as the outbox holds it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRecord {
    pub seq: i64,
    pub record_json: String,
}

/// Up to `limit` outbox records after `seq`, in order.
pub async fn outbox_after(
    store: &Store,
    seq: i64,
    limit: i64,
) -> Result<Vec<OutboxRecord>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT seq, record_json FROM decision_outbox WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(seq)
    .bind(limit)
    .fetch_all(store.pool())
    .await?)
}

/// Earlier import runs of the same file set, oldest first.
pub async fn runs_of_file_set(store: &Store, hash: &str) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM historic_import_runs WHERE file_set_hash = $1 ORDER BY started_at",
    )
    .bind(hash)
    .fetch_all(store.pool())
    .await?)
}

/// A stored row's id scheme other than `source`, if there is one.
pub async fn other_row_source(store: &Store, source: &str) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT source FROM historic_licence_segments WHERE source <> $1 LIMIT 1",
    )
    .bind(source)
    .fetch_optional(store.pool())
    .await?)
}

/// An import run as it starts.
pub struct NewRun<'a> {
    pub id: &'a str,
    pub source: &'a str,
    pub directory: &'a str,
    pub file_set_hash: &'a str,
    pub files_json: &'a str,
    pub started_at: i64,
    pub strict: bool,
    pub value_rows_read: i64,
    pub records_rejected: i64,
}

pub async fn insert_run(tx: &mut Tx, r: &NewRun<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO historic_import_runs (id, source, directory, file_set_hash, files_json, \
         started_at, finished_at, strict, value_rows_read, rows_inserted, criteria_inserted, \
         ratings_inserted, records_rejected, anomalies_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, 0, 0, 0, $9, '{}')",
    )
    .bind(r.id)
    .bind(r.source)
    .bind(r.directory)
    .bind(r.file_set_hash)
    .bind(r.files_json)
    .bind(r.started_at)
    .bind(i64::from(r.strict))
    .bind(r.value_rows_read)
    .bind(r.records_rejected)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What an import run wrote.
pub struct RunTotals<'a> {
    pub finished_at: i64,
    pub rows_inserted: i64,
    pub criteria_inserted: i64,
    pub ratings_inserted: i64,
    pub anomalies_json: &'a str,
}

pub async fn finish_run(tx: &mut Tx, id: &str, t: &RunTotals<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE historic_import_runs SET finished_at = $1, rows_inserted = $2, \
         criteria_inserted = $3, ratings_inserted = $4, anomalies_json = $5 WHERE id = $6",
    )
    .bind(t.finished_at)
    .bind(t.rows_inserted)
    .bind(t.criteria_inserted)
    .bind(t.ratings_inserted)
    .bind(t.anomalies_json)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
