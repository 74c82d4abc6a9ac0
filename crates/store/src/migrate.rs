//! Embedded, reversible migrations in one dialect for both backends.
//!
//! A small runner rather than `sqlx::migrate!` because the `Any` driver needs one SQL text
//! for both databases and we want `down` scripts applied by the same code.
use sqlx::Executor;

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
];

pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

async fn ensure_table(store: &Store) -> Result<(), StoreError> {
    store
        .pool()
        .execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at BIGINT NOT NULL
            )",
        )
        .await?;
    Ok(())
}

pub async fn current_version(store: &Store) -> Result<i64, StoreError> {
    ensure_table(store).await?;
    let v: Option<i64> =
        sqlx::query_scalar("SELECT CAST(MAX(version) AS BIGINT) FROM schema_migrations")
            .fetch_one(store.pool())
            .await?;
    Ok(v.unwrap_or(0))
}

/// Split a migration file into statements (our files end each statement with `;` at line end
/// and contain no procedural bodies).
fn statements(sql: &str) -> impl Iterator<Item = String> + '_ {
    let cleaned: String = sql
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    cleaned
        .split(";\n")
        .map(|s| s.trim().trim_end_matches(';').trim().to_string())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .into_iter()
}

/// Apply every migration newer than the database. Returns the versions applied.
pub async fn run(store: &Store) -> Result<Vec<i64>, StoreError> {
    let current = current_version(store).await?;
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
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(crate::to_micros(time::OffsetDateTime::now_utc()))
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
pub async fn revert_to(store: &Store, target: i64) -> Result<Vec<i64>, StoreError> {
    let current = current_version(store).await?;
    let mut reverted = Vec::new();
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
        let mut tx = store.pool().begin().await?;
        for stmt in statements(m.down) {
            tx.execute(stmt.as_str()).await.map_err(fail)?;
        }
        sqlx::query("DELETE FROM schema_migrations WHERE version = $1")
            .bind(m.version)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        tx.commit().await?;
        reverted.push(m.version);
    }
    Ok(reverted)
}
