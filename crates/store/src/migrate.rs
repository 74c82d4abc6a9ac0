//! Embedded, reversible migrations in one dialect for both backends.
//!
//! A small runner rather than `sqlx::migrate!` because the `Any` driver needs one SQL text
//! for both databases and we want `down` scripts applied by the same code.
//!
//! Each applied migration's checksum (SHA-256 of its `up` script) is kept in
//! `schema_migrations`; a build whose copy of an applied migration differs refuses to run
//! (an edited migration would leave databases migrated before and after the edit different
//! while both claim the same version). Rows from before checksums were kept get theirs on the
//! next run.
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{Executor, Row};

use crate::history_rows_moved::DataStep;
use crate::{Store, StoreError};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub up: &'static str,
    pub down: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "core",
        up: include_str!("../migrations/0001_core.up.sql"),
        down: include_str!("../migrations/0001_core.down.sql"),
    },
    Migration {
        version: 2,
        name: "register",
        up: include_str!("../migrations/0002_register.up.sql"),
        down: include_str!("../migrations/0002_register.down.sql"),
    },
    Migration {
        version: 3,
        name: "historic",
        up: include_str!("../migrations/0003_historic.up.sql"),
        down: include_str!("../migrations/0003_historic.down.sql"),
    },
    Migration {
        version: 4,
        name: "register_openings_by_entry",
        up: include_str!("../migrations/0004_register_openings_by_entry.up.sql"),
        down: include_str!("../migrations/0004_register_openings_by_entry.down.sql"),
    },
    Migration {
        version: 5,
        name: "historic_provenance",
        up: include_str!("../migrations/0005_historic_provenance.up.sql"),
        down: include_str!("../migrations/0005_historic_provenance.down.sql"),
    },
    Migration {
        version: 6,
        name: "outbox_queue_index",
        up: include_str!("../migrations/0006_outbox_queue_index.up.sql"),
        down: include_str!("../migrations/0006_outbox_queue_index.down.sql"),
    },
    Migration {
        version: 7,
        name: "final_advice_fingerprint",
        up: include_str!("../migrations/0007_final_advice_fingerprint.up.sql"),
        down: include_str!("../migrations/0007_final_advice_fingerprint.down.sql"),
    },
    Migration {
        version: 8,
        name: "accounts",
        up: include_str!("../migrations/0008_accounts.up.sql"),
        down: include_str!("../migrations/0008_accounts.down.sql"),
    },
    Migration {
        version: 9,
        name: "accounts_two_factor",
        up: include_str!("../migrations/0009_accounts_two_factor.up.sql"),
        down: include_str!("../migrations/0009_accounts_two_factor.down.sql"),
    },
    Migration {
        version: 10,
        name: "register_audit_anchors",
        up: include_str!("../migrations/0010_register_audit_anchors.up.sql"),
        down: include_str!("../migrations/0010_register_audit_anchors.down.sql"),
    },
    Migration {
        version: 11,
        name: "reviews",
        up: include_str!("../migrations/0011_reviews.up.sql"),
        down: include_str!("../migrations/0011_reviews.down.sql"),
    },
    Migration {
        version: 12,
        name: "review_indexes",
        up: include_str!("../migrations/0012_review_indexes.up.sql"),
        down: include_str!("../migrations/0012_review_indexes.down.sql"),
    },
    Migration {
        version: 13,
        name: "dissents",
        up: include_str!("../migrations/0013_dissents.up.sql"),
        down: include_str!("../migrations/0013_dissents.down.sql"),
    },
    Migration {
        version: 14,
        name: "disclosures",
        up: include_str!("../migrations/0014_disclosures.up.sql"),
        down: include_str!("../migrations/0014_disclosures.down.sql"),
    },
    Migration {
        version: 15,
        name: "attachments",
        up: include_str!("../migrations/0015_attachments.up.sql"),
        down: include_str!("../migrations/0015_attachments.down.sql"),
    },
    Migration {
        version: 16,
        name: "screening",
        up: include_str!("../migrations/0016_screening.up.sql"),
        down: include_str!("../migrations/0016_screening.down.sql"),
    },
    Migration {
        version: 17,
        name: "screening_reviews",
        up: include_str!("../migrations/0017_screening_reviews.up.sql"),
        down: include_str!("../migrations/0017_screening_reviews.down.sql"),
    },
    Migration {
        version: 18,
        name: "supporting_documents",
        up: include_str!("../migrations/0018_supporting_documents.up.sql"),
        down: include_str!("../migrations/0018_supporting_documents.down.sql"),
    },
    Migration {
        version: 19,
        name: "history_segments",
        up: include_str!("../migrations/0019_history_segments.up.sql"),
        down: include_str!("../migrations/0019_history_segments.down.sql"),
    },
];

/// Steps in Rust that follow a migration's SQL in its transaction (data SQL cannot move).
const DATA_STEPS: &[(i64, DataStep)] = &[(19, crate::history_rows_moved::step)];

pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

impl Migration {
    /// SHA-256 (hex) of the `up` script, line endings normalised (a CRLF checkout is the
    /// same migration).
    pub fn checksum(&self) -> String {
        hex::encode(Sha256::digest(self.up.replace("\r\n", "\n").as_bytes()))
    }
}

async fn ensure_table(store: &Store) -> Result<(), StoreError> {
    store
        .pool()
        .execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at BIGINT NOT NULL,
                checksum TEXT
            )",
        )
        .await?;
    // Tables created before checksums were kept lack the column (the runner owns this
    // table, so it is changed here and not by a numbered migration).
    let probe = store
        .pool()
        .execute("SELECT checksum FROM schema_migrations WHERE version < 0")
        .await;
    if probe.is_err() {
        store
            .pool()
            .execute("ALTER TABLE schema_migrations ADD COLUMN checksum TEXT")
            .await?;
    }
    Ok(())
}

pub async fn current_version(store: &Store) -> Result<i64, StoreError> {
    ensure_table(store).await?;
    version(store).await
}

async fn version(store: &Store) -> Result<i64, StoreError> {
    let v: Option<i64> =
        sqlx::query_scalar("SELECT CAST(MAX(version) AS BIGINT) FROM schema_migrations")
            .fetch_one(store.pool())
            .await?;
    Ok(v.unwrap_or(0))
}

/// One row of `schema_migrations`.
struct Applied {
    version: i64,
    checksum: Option<String>,
}

impl<'r> sqlx::FromRow<'r, AnyRow> for Applied {
    fn from_row(row: &'r AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Applied {
            version: row.try_get("version")?,
            checksum: row.try_get("checksum")?,
        })
    }
}

async fn applied(store: &Store) -> Result<Vec<Applied>, StoreError> {
    Ok(
        sqlx::query_as("SELECT version, checksum FROM schema_migrations ORDER BY version")
            .fetch_all(store.pool())
            .await?,
    )
}

/// Compares every applied migration this build knows with its checksum. Returns the rows
/// applied before checksums were kept (no checksum yet).
fn compare(rows: &[Applied]) -> Result<Vec<&'static Migration>, StoreError> {
    let mut unrecorded = Vec::new();
    for row in rows {
        let Some(m) = MIGRATIONS.iter().find(|m| m.version == row.version) else {
            continue; // newer than this build: SchemaTooNew says so
        };
        match &row.checksum {
            None => unrecorded.push(m),
            Some(c) if *c == m.checksum() => {}
            Some(c) => {
                return Err(StoreError::MigrationChanged {
                    version: m.version,
                    name: m.name.to_string(),
                    applied: c.clone(),
                    now: m.checksum(),
                })
            }
        }
    }
    Ok(unrecorded)
}

/// Checks applied migrations against this build and records missing checksums.
async fn verify(store: &Store) -> Result<(), StoreError> {
    ensure_table(store).await?;
    let rows = applied(store).await?;
    for m in compare(&rows)? {
        sqlx::query("UPDATE schema_migrations SET checksum = $1 WHERE version = $2")
            .bind(m.checksum())
            .bind(m.version)
            .execute(store.pool())
            .await?;
        tracing::info!(
            version = m.version,
            name = m.name,
            "recorded migration checksum"
        );
    }
    Ok(())
}

/// Read-only (for readiness checks): the database's version, or an error when a migration
/// is pending, unknown to this build or changed since it was applied.
pub async fn check_current(store: &Store) -> Result<i64, MigrationState> {
    let rows = applied(store)
        .await
        .map_err(|e| MigrationState::Unreadable(e.to_string()))?;
    compare(&rows).map_err(|e| MigrationState::Changed(e.to_string()))?;
    let current = rows.last().map(|r| r.version).unwrap_or(0);
    if current != latest_version() {
        return Err(MigrationState::NotCurrent {
            found: current,
            expected: latest_version(),
        });
    }
    Ok(current)
}

/// Why [`check_current`] failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MigrationState {
    #[error("could not read the applied migrations: {0}")]
    Unreadable(String),
    #[error("{0}")]
    Changed(String),
    #[error("the database is at migration {found}; this build expects {expected}")]
    NotCurrent { found: i64, expected: i64 },
}

/// Split SQL into statements at each `;` outside string literals, quoted identifiers,
/// dollar-quoted bodies and comments; comments are dropped. (Splitting on `;` at line ends
/// broke on a `;` inside a string or a comment.)
pub fn statements(sql: &str) -> Vec<String> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut i = 0;
    // `s[from..to]` is copied as it is (all boundaries below are ASCII, so char-safe).
    let copy = |cur: &mut String, from: usize, to: usize| cur.push_str(&sql[from..to]);
    while i < b.len() {
        match b[i] {
            b'\'' | b'"' => {
                let q = b[i];
                let start = i;
                i += 1;
                while i < b.len() {
                    if b[i] == q {
                        if b.get(i + 1) == Some(&q) {
                            i += 2; // doubled quote: an escaped one
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i = (i + 1).min(b.len());
                copy(&mut cur, start, i);
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = sql[i + 2..].find("*/").map(|e| i + 2 + e + 2);
                i = end.unwrap_or(b.len());
                cur.push(' ');
            }
            b'$' if dollar_tag(&sql[i..]).is_some() => {
                let tag = dollar_tag(&sql[i..]).unwrap_or_default();
                let start = i;
                let body = i + tag.len();
                i = sql[body..]
                    .find(tag)
                    .map(|e| body + e + tag.len())
                    .unwrap_or(b.len());
                copy(&mut cur, start, i);
            }
            b';' => {
                push_statement(&mut out, &mut cur);
                i += 1;
            }
            _ => {
                let start = i;
                i += 1;
                while i < b.len() && !matches!(b[i], b'\'' | b'"' | b'-' | b'/' | b'$' | b';') {
                    i += 1;
                }
                copy(&mut cur, start, i);
            }
        }
    }
    push_statement(&mut out, &mut cur);
    out
}

fn push_statement(out: &mut Vec<String>, cur: &mut String) {
    let stmt = cur.trim();
    if !stmt.is_empty() {
        out.push(stmt.to_string());
    }
    cur.clear();
}

/// `$$` or `$tag$` at the start of `s` (PostgreSQL dollar quoting; `$1` is a parameter).
fn dollar_tag(s: &str) -> Option<&str> {
    let rest = &s[1..];
    let end = rest.find('$')?;
    let tag = &rest[..end];
    let ident = tag
        .chars()
        .enumerate()
        .all(|(n, c)| c == '_' || c.is_ascii_alphabetic() || (n > 0 && c.is_ascii_digit()));
    ident.then(|| &s[..end + 2])
}

/// Apply every migration newer than the database. Returns the versions applied.
pub async fn run(store: &Store) -> Result<Vec<i64>, StoreError> {
    verify(store).await?;
    let current = version(store).await?;
    if current > latest_version() {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known: latest_version(),
        });
    }
    let mut applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        let fail = |source| StoreError::Migration {
            version: m.version,
            name: m.name.to_string(),
            source,
        };
        let mut tx = store.pool().begin().await?;
        for stmt in statements(m.up) {
            tx.execute(stmt.as_str()).await.map_err(fail)?;
        }
        for (_, step) in DATA_STEPS.iter().filter(|(v, _)| *v == m.version) {
            step(&mut tx).await.map_err(fail)?;
        }
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at, checksum) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(crate::to_micros(time::OffsetDateTime::now_utc()))
        .bind(m.checksum())
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
        tx.commit().await?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
        applied.push(m.version);
    }
    Ok(applied)
}

/// Revert migrations down to (but not including) `target`. Returns the versions reverted.
/// Refuses when an applied migration differs from this build's (its `down` may not undo it).
pub async fn revert_to(store: &Store, target: i64) -> Result<Vec<i64>, StoreError> {
    verify(store).await?;
    let current = version(store).await?;
    let mut reverted = Vec::new();
    // All or nothing: a step that refuses (the register holds audit anchors, say) leaves the
    // database at the version it was, not part-way down.
    let mut tx = store.pool().begin().await?;
    for m in MIGRATIONS
        .iter()
        .rev()
        .filter(|m| m.version > target && m.version <= current)
    {
        let fail = |source| StoreError::Migration {
            version: m.version,
            name: m.name.to_string(),
            source,
        };
        for stmt in statements(m.down) {
            tx.execute(stmt.as_str()).await.map_err(fail)?;
        }
        sqlx::query("DELETE FROM schema_migrations WHERE version = $1")
            .bind(m.version)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        reverted.push(m.version);
    }
    tx.commit().await?;
    for v in &reverted {
        tracing::info!(version = v, "reverted migration");
    }
    Ok(reverted)
}

#[cfg(test)]
#[path = "migrate_tests.rs"]
mod tests;
