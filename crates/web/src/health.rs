//! `/healthz` (the process answers; touches nothing) and `/readyz` (the database answers,
//! its migrations are this build's, the register sequencer, when configured, is alive, and a
//! server's statistics have loaded),
//! for orchestrators and load balancers. A failed readiness check is a 503 whose JSON names
//! the check; the details go to the log, not to the (anonymous) caller.
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::AppState;

/// A sequencer that has not reported for this long is taken as stuck. A batch takes about
/// 400 ms, an idle loop beats every 500 ms and a failing one every 5 s; a batch waiting for
/// SQLite's write lock may wait up to its busy timeout (30 s by default).
pub const SEQUENCER_STALE: Duration = Duration::from_secs(120);

/// How long the database gets to answer a readiness probe.
const DATABASE_PROBE: Duration = Duration::from_secs(5);

/// Beaten by a background loop on every round; read by `/readyz`.
#[derive(Debug)]
pub struct Heartbeat {
    last_ms: AtomicI64,
    stopped: AtomicBool,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Heartbeat {
    /// A heartbeat that has just beaten.
    pub fn new() -> Arc<Heartbeat> {
        Arc::new(Heartbeat {
            last_ms: AtomicI64::new(now_ms()),
            stopped: AtomicBool::new(false),
        })
    }

    pub fn beat(&self) {
        self.last_ms.store(now_ms(), Ordering::Relaxed);
    }

    /// The loop has ended (shutdown, or a panic: call it from a drop guard).
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
    }

    /// `None` when alive, else why not.
    fn trouble(&self) -> Option<&'static str> {
        if self.stopped.load(Ordering::Relaxed) {
            return Some("stopped");
        }
        let age = now_ms().saturating_sub(self.last_ms.load(Ordering::Relaxed));
        (age > SEQUENCER_STALE.as_millis() as i64).then_some("stalled")
    }
}

/// What `/readyz` checks besides the database.
#[derive(Clone, Debug, Default)]
pub struct Health {
    sequencer: Option<Arc<Heartbeat>>,
}

impl Health {
    /// Readiness also requires this sequencer's heartbeat.
    pub fn with_sequencer(mut self, heartbeat: Arc<Heartbeat>) -> Health {
        self.sequencer = Some(heartbeat);
        self
    }
}

pub(crate) async fn healthz() -> &'static str {
    "ok"
}

pub(crate) async fn readyz(State(state): State<AppState>) -> Response {
    let store = &state.ctx.store;
    let mut failed = Vec::new();
    let database = match tokio::time::timeout(DATABASE_PROBE, store.ping()).await {
        Ok(Ok(())) => "ok",
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: the database did not answer");
            failed.push("database");
            "unreachable"
        }
        Err(_) => {
            tracing::warn!("readiness: the database did not answer in time");
            failed.push("database");
            "timed out"
        }
    };
    let migrations = if database != "ok" {
        "not checked"
    } else {
        match probity_store::migrate::check_current(store).await {
            Ok(_) => "ok",
            Err(e) => {
                tracing::warn!(error = %e, "readiness: migrations");
                failed.push("migrations");
                match e {
                    probity_store::migrate::MigrationState::NotCurrent { .. } => "not current",
                    probity_store::migrate::MigrationState::Changed(_) => "changed",
                    probity_store::migrate::MigrationState::Unreadable(_) => "unreadable",
                }
            }
        }
    };
    let sequencer = match &state.health.sequencer {
        None => "not configured",
        Some(h) => match h.trouble() {
            None => "ok",
            Some(why) => {
                tracing::warn!(state = why, "readiness: register sequencer");
                failed.push("sequencer");
                why
            }
        },
    };
    let analytics = match probity_service::analytics::loading_percent(&state.ctx) {
        None => "ok".to_string(),
        Some(p) => {
            failed.push("analytics");
            format!("loading ({p}%)")
        }
    };
    let status = if failed.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if failed.is_empty() { "ready" } else { "not ready" },
        "failed": failed,
        "checks": {
            "database": database, "migrations": migrations, "sequencer": sequencer,
            "analytics": analytics,
        },
    });
    let mut resp = (status, Json(body)).into_response();
    resp.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heartbeat_is_alive_until_stopped_or_stale() {
        let h = Heartbeat::new();
        assert_eq!(h.trouble(), None);
        h.last_ms.store(
            now_ms() - SEQUENCER_STALE.as_millis() as i64 - 1,
            Ordering::Relaxed,
        );
        assert_eq!(h.trouble(), Some("stalled"));
        h.beat();
        assert_eq!(h.trouble(), None);
        h.stop();
        assert_eq!(h.trouble(), Some("stopped"));
    }
}
