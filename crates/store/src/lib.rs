//! Storage for Probity: one SQL dialect that runs on SQLite (the embedded default) and
//! PostgreSQL (production), through sqlx's `Any` driver.
//!
//! Every command runs in a [`CommandTx`]: the transaction first takes the single-row
//! `command_lock`, so on SQLite it holds the write lock from its first statement (no
//! `SQLITE_BUSY` upgrade failures) and on PostgreSQL commands that extend the audit chain
//! are serialised. The audit event and any public-record outbox row are written in the same
//! transaction as the change they describe.

pub mod accounts;
pub mod advice;
pub mod analytics_history;
pub mod api_tokens;
pub mod applications;
pub mod assessments;
pub mod attachments;
pub mod audit;
pub mod bulk;
pub mod bulk_copy;
pub mod case_queues;
pub mod cases;
mod connect;
pub mod decisions;
pub mod disclosures;
pub mod dissents;
pub mod documents;
mod error;
pub mod historic_provenance;
mod history_rows_moved;
pub mod history_segment;
pub mod licences;
pub mod migrate;
pub mod notification_delivery;
pub mod orgs;
pub mod outbox;
pub mod questions;
pub mod references;
pub mod register;
pub mod register_witness;
pub mod review_items;
pub mod review_outcomes;
pub mod reviews;
pub mod screening;
pub mod supporting_documents;
#[cfg(feature = "testing")]
pub mod testing;
pub mod throttle;
mod time_codec;
pub mod users;

pub use connect::{
    private_dir, Backend, PoolConfig, Store, MAX_POOL_CONNECTIONS, MAX_POOL_TIMEOUT,
};
pub use error::StoreError;
pub use time_codec::{from_micros, to_micros};

/// A transaction on either backend.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Run a `SELECT CAST(COUNT(*) AS BIGINT) …` style query returning one integer.
pub async fn count(store: &Store, sql: &str) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(sql).fetch_one(store.pool()).await?)
}
