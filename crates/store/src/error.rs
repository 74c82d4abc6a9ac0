use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error(
        "unsupported database url {0:?}: use sqlite://<path> or postgres://<user>@<host>/<db>"
    )]
    UnsupportedUrl(String),
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: String,
        source: sqlx::Error,
    },
    #[error("the database is at migration {found}, newer than this build knows ({known})")]
    SchemaTooNew { found: i64, known: i64 },
    #[error(
        "migration {version} ({name}) was changed after it was applied to this database \
         (checksum {applied} then, {now} in this build); restore the original file — an applied \
         migration is never edited: add a new one instead"
    )]
    MigrationChanged {
        version: i64,
        name: String,
        applied: String,
        now: String,
    },
    #[error("invalid database pool setting: {0}")]
    PoolConfig(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("could not create data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
}

impl StoreError {
    /// Whether this error is a unique-constraint violation (for idempotent inserts).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(e)) => {
                e.kind() == sqlx::error::ErrorKind::UniqueViolation
            }
            _ => false,
        }
    }
}
