//! The imported history's table kept in a snapshot file between runs (beside the database):
//! read instead of built when it was written for the same imports; written after each build.
//! A snapshot that cannot be used (another format, other imports, damaged, cut short) is
//! logged and replaced; the answers never depend on it.
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use probity_analytics::snapshot::{self, SnapshotError};
use probity_analytics::Table;
use probity_store::analytics_history::Fingerprint;

use super::historic_rows::load_historic;
use super::load::{FromImport, TableCache};
use crate::{Ctx, ServiceError, ServiceResult};

/// How the table of the imported history was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoricSource {
    /// Read from the snapshot written for the same imports.
    Snapshot,
    /// Built from the database (no snapshot, or one that could not be used).
    Built,
    /// Built by an import in this process from the rows it had just parsed and written.
    Import,
}

/// Keep the table an import built from the rows it wrote into a database with no history
/// before, for the fingerprint the import's commit left: the next build takes it instead of
/// reading the rows back (and writes the snapshot, unless the import did).
pub(super) fn keep_from_import(
    ctx: &Ctx,
    fingerprint: Fingerprint,
    table: Arc<Table>,
    snapshot_written: bool,
) {
    *ctx.analytics
        .table
        .from_import
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = Some(FromImport {
        fingerprint,
        table,
        snapshot_written,
    });
}

/// Where the imported history's table is kept, if anywhere.
pub(super) fn snapshot_path(ctx: &Ctx) -> Option<PathBuf> {
    ctx.analytics
        .table
        .snapshot
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
}

/// Finish the snapshot an import wrote while its transaction wrote, with the key of the
/// imports its commit left; whether it was written (a failure is logged: the table is built
/// and kept again when next asked for).
pub(super) async fn finish_from_import(unkeyed: snapshot::Unkeyed, fp: &Fingerprint) -> bool {
    let key = snapshot_key(fp);
    match tokio::task::spawn_blocking(move || unkeyed.finish(&key)).await {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "analytics snapshot not written");
            false
        }
        Err(e) => {
            tracing::warn!(error = %e, "analytics snapshot not written");
            false
        }
    }
}

/// Keep the imported history's table in a snapshot file at `path` (beside the database):
/// read instead of building when it was written for the same imports, written after every
/// build. A snapshot that cannot be used is logged and replaced.
pub fn use_snapshot(ctx: &Ctx, path: PathBuf) {
    *ctx.analytics
        .table
        .snapshot
        .write()
        .unwrap_or_else(|e| e.into_inner()) = Some(path);
}

/// How the imported history's table was last obtained, if it has been.
pub fn historic_source(ctx: &Ctx) -> Option<HistoricSource> {
    *ctx.analytics
        .table
        .historic_source
        .read()
        .unwrap_or_else(|e| e.into_inner())
}

/// What a snapshot must have been written for: the imports that made the history.
fn snapshot_key(fp: &Fingerprint) -> String {
    format!(
        "probity-historic imports={} rows={} newest={}",
        fp.n, fp.total, fp.newest
    )
}

/// The history's table from the snapshot if it fits, else built (and the snapshot rewritten).
pub(super) async fn historic_table(ctx: &Ctx, hfp: &Fingerprint) -> ServiceResult<Arc<Table>> {
    let cache = &ctx.analytics.table;
    let mut path = snapshot_path(ctx);
    let key = snapshot_key(hfp);
    let from_import = cache
        .from_import
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
        .filter(|f| f.fingerprint == *hfp);
    let table = if let Some(f) = from_import {
        set_source(cache, HistoricSource::Import);
        if f.snapshot_written {
            path = None;
        }
        f.table
    } else {
        if let Some(table) = read_snapshot(path.clone(), key.clone()).await? {
            set_source(cache, HistoricSource::Snapshot);
            return Ok(Arc::new(table));
        }
        cache.rows_read.store(0, Ordering::Relaxed);
        cache
            .rows_total
            .store(hfp.total.max(0) as u64, Ordering::Relaxed);
        let table = Arc::new(load_historic(&ctx.store, &cache.rows_read).await?.build());
        set_source(cache, HistoricSource::Built);
        table
    };
    if let Some(path) = path {
        let t = table.clone();
        let written = tokio::task::spawn_blocking(move || snapshot::save(&t, &key, &path)).await;
        match written {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "analytics snapshot not written"),
            Err(e) => tracing::warn!(error = %e, "analytics snapshot not written"),
        }
    }
    Ok(table)
}

/// The snapshot at `path` if it is there and fits `key`; one that does not fit is logged.
async fn read_snapshot(path: Option<PathBuf>, key: String) -> ServiceResult<Option<Table>> {
    let Some(path) = path else {
        return Ok(None);
    };
    let read = tokio::task::spawn_blocking(move || snapshot::load(&path, &key))
        .await
        .map_err(|e| ServiceError::Internal(format!("reading the snapshot: {e}")))?;
    match read {
        Ok(table) => Ok(Some(table)),
        Err(SnapshotError::Missing(_)) => Ok(None),
        Err(e) => {
            tracing::warn!(error = %e, "analytics snapshot not used; building the table");
            Ok(None)
        }
    }
}

fn set_source(cache: &TableCache, source: HistoricSource) {
    *cache
        .historic_source
        .write()
        .unwrap_or_else(|e| e.into_inner()) = Some(source);
}
