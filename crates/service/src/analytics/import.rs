//! Importing CAAT's published UK licence data into the database, idempotently.
//!
//! The files are parsed by `probity_analytics::caat` (every oddity counted in its report);
//! the rows are then written in one transaction, so a failed import leaves nothing behind, and
//! a second import of the same files adds nothing: the licence rows in segments of 65,536
//! ([`probity_store::history_segment`]) less those whose key is already stored, the rest with
//! `INSERT … ON CONFLICT DO NOTHING` (`COPY` on PostgreSQL, [`probity_store::bulk_copy`]). A
//! strict import that meets any error-severity anomaly writes nothing at all.
//!
//! Into a database with no history yet, the analytics table is built from the parsed rows on
//! another thread while they are written, and kept for the fingerprint the commit leaves: the
//! history is queryable as soon as it is stored, without reading five million rows back.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use probity_analytics::caat::{CaatDataset, DatasetSummary, IdScheme};
use probity_analytics::{snapshot, ImportError, ImportOptions, ImportReport, Table, TableError};
use probity_store::analytics_history as history;
use probity_store::bulk::{insert_rows, Value};
use probity_store::bulk_copy::{insert_stream, Conflicts};
use probity_store::historic_provenance::{self, ProvenanceInserted};
use probity_store::to_micros;
use serde::Serialize;

use crate::{Ctx, ServiceError};

mod parse;
mod provenance;
mod segments;

pub use parse::{parse_caat, ParsedCaat};

/// The `source` of rows keyed by `licence_group` (the 2008–2015 release).
pub const CAAT_GROUP_SOURCE: &str = "caat-uk/licence_group";
/// The `source` of rows keyed by `licence_cohort_id` (the 2025 release).
pub const CAAT_COHORT_SOURCE: &str = "caat-uk/licence_cohort";

/// Where an import is, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportStage {
    /// Parsing files: bytes read of the total.
    Parsing {
        file: String,
        bytes_done: u64,
        bytes_total: u64,
    },
    /// Writing rows to the database.
    Writing { done: u64, total: u64 },
}

/// Why an import did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    /// The files could not be read, or a strict import met errors (nothing was written).
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<sqlx::Error> for ImportFailure {
    fn from(e: sqlx::Error) -> Self {
        ImportFailure::Service(e.into())
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    pub run_id: String,
    pub source: String,
    pub file_set_hash: String,
    /// Earlier runs of the same file set.
    pub previous_runs: Vec<String>,
    pub summary: DatasetSummary,
    /// Distinct destination codes among the value rows.
    pub destination_codes: usize,
    pub rows_inserted: u64,
    pub criteria_inserted: u64,
    pub ratings_inserted: u64,
    /// New rows of incorporation destinations, trade sources and footnotes.
    pub provenance_inserted: ProvenanceInserted,
    pub report: ImportReport,
}

fn source_of(ds: &CaatDataset) -> &'static str {
    match ds.id_scheme {
        Some(IdScheme::LicenceCohort) => CAAT_COHORT_SOURCE,
        _ => CAAT_GROUP_SOURCE,
    }
}

/// Import the CAAT files in `dir`. `progress` is called as files are parsed and rows written.
pub async fn import_caat(
    ctx: &Ctx,
    dir: &Path,
    opts: &ImportOptions,
    progress: &mut (dyn FnMut(ImportStage) + Send),
) -> Result<ImportOutcome, ImportFailure> {
    let parsed = parse_caat(&ctx.clock, dir, opts, progress).await?;
    store_caat(ctx, parsed, progress).await
}

/// Write what [`parse_caat`] read into `ctx`'s database, and build the statistics table from
/// it: the rest of [`import_caat`].
pub async fn store_caat(
    ctx: &Ctx,
    parsed: ParsedCaat,
    progress: &mut (dyn FnMut(ImportStage) + Send),
) -> Result<ImportOutcome, ImportFailure> {
    let ParsedCaat {
        dir,
        strict,
        started,
        clock,
        hash,
        names,
        ds,
        report,
    } = parsed;
    // Where the time goes, for whoever tunes this (PROBITY_LOG=probity_service=debug).
    let phase = |name: &str| {
        tracing::debug!(
            phase = name,
            seconds = clock.elapsed().as_secs_f64(),
            "import"
        )
    };
    phase("parsed");
    let ds = Arc::new(ds);
    // The headline numbers go through every row: counted on another core meanwhile.
    let summary = {
        let ds = ds.clone();
        tokio::task::spawn_blocking(move || ds.summary())
    };
    let source = source_of(&ds);
    let previous_runs = history::runs_of_file_set(&ctx.store, &hash)
        .await
        .map_err(ServiceError::from)?;
    if !ds.values.is_empty() {
        let other = history::other_row_source(&ctx.store, source)
            .await
            .map_err(ServiceError::from)?;
        if let Some(other) = other {
            return Err(ServiceError::Conflict(format!(
                "this database already holds CAAT rows keyed as {other}, and these files are keyed \
                 as {source}; CAAT renumbers ids between releases and the releases overlap in \
                 time, so they cannot be combined: import this release into another database"
            ))
            .into());
        }
    }

    let run_id = uuid::Uuid::now_v7().to_string();
    let mut tx = ctx
        .store
        .begin_command()
        .await
        .map_err(ServiceError::from)?;
    let files_json = serde_json::to_string(&serde_json::json!({
        "names": names,
        "files": report.files,
    }))
    .map_err(|e| ServiceError::Internal(format!("could not record the files read: {e}")))?;
    let directory = dir.display().to_string();
    history::insert_run(
        &mut tx,
        &history::NewRun {
            id: &run_id,
            source,
            directory: &directory,
            file_set_hash: &hash,
            files_json: &files_json,
            started_at: to_micros(started),
            strict,
            value_rows_read: ds.values.len() as i64,
            records_rejected: report.records_rejected as i64,
        },
    )
    .await
    .map_err(ServiceError::from)?;
    // Read inside the transaction that writes: nothing else can add history before it commits.
    let history_was_empty = history::history_is_empty(&mut tx)
        .await
        .map_err(ServiceError::from)?;
    let table_build = history_was_empty.then(|| {
        let ds = ds.clone();
        let path = super::historic_snapshot::snapshot_path(ctx);
        tokio::task::spawn_blocking(move || {
            let table = Table::from_caat(&ds)?;
            // The snapshot written while the transaction still writes; its key (the imports
            // the commit leaves) is added once it has committed.
            let unkeyed = path.and_then(|p| match snapshot::write_unkeyed(&table, &p) {
                Ok(u) => Some(u),
                Err(e) => {
                    tracing::warn!(error = %e, "analytics snapshot not written");
                    None
                }
            });
            Ok::<_, TableError>((table, unkeyed))
        })
    });

    phase("history read");
    let criteria_rows: usize = ds.refusal_criteria.values().map(BTreeSet::len).sum();
    let prov = provenance::rows(&ds);
    let total = (ds.ratings.len()
        + ds.criterion_descriptions.len()
        + criteria_rows
        + ds.values.len()
        + prov.len()) as u64;
    let mut done = 0u64;
    let mut tick = |n: u64| {
        done += n;
        progress(ImportStage::Writing { done, total });
    };
    let ratings: Vec<Vec<Value>> = ds
        .ratings
        .iter()
        .map(|r| {
            vec![
                Value::Text(&r.code),
                Value::Int(i64::from(r.military)),
                Value::Text(r.kind.name()),
                Value::Text(&r.short_description),
                Value::Text(&r.full_description),
                Value::Text(&run_id),
            ]
        })
        .collect();
    let ratings_inserted = insert_rows(
        &mut tx,
        "historic_ratings",
        &[
            "code",
            "military",
            "kind",
            "short_description",
            "full_description",
            "import_run",
        ],
        &ratings,
        &mut tick,
    )
    .await
    .map_err(ServiceError::from)?;
    let descriptions: Vec<Vec<Value>> = ds
        .criterion_descriptions
        .iter()
        .map(|(c, d)| vec![Value::Text(c), Value::Text(d), Value::Text(&run_id)])
        .collect();
    let mut criteria_inserted = insert_rows(
        &mut tx,
        "historic_criteria",
        &["code", "description", "import_run"],
        &descriptions,
        &mut tick,
    )
    .await
    .map_err(ServiceError::from)?;
    let run = run_id.as_str();
    // Rows of one import have distinct keys (`occurrence` numbers repeats).
    let conflicts = if history_was_empty {
        Conflicts::NoneStored
    } else {
        Conflicts::Skip
    };
    let cited = ds.refusal_criteria.iter().flat_map(|(g, set)| {
        set.iter().map(move |c| {
            vec![
                Value::Text(source),
                Value::Int(*g as i64),
                Value::Text(c),
                Value::Text(run),
            ]
        })
    });
    criteria_inserted += insert_stream(
        &ctx.store,
        &mut tx,
        "historic_refusal_criteria",
        &["source", "licence_group", "criterion", "import_run"],
        cited,
        conflicts,
        &mut tick,
    )
    .await
    .map_err(ServiceError::from)?;
    phase("reference rows written");
    // The rows already stored are read inside the transaction that adds to them.
    let stored = if history_was_empty {
        segments::StoredKeys::default()
    } else {
        let segments = history::segments_in(&mut tx, source)
            .await
            .map_err(ServiceError::from)?;
        segments::StoredKeys::read(&segments).map_err(ServiceError::from)?
    };
    // Segments are encoded on a blocking thread while the one before is written.
    let (out, mut encoded) = tokio::sync::mpsc::channel(2);
    let encoder = {
        let ds = ds.clone();
        tokio::task::spawn_blocking(move || segments::encode_rows(&ds, &stored, &out))
    };
    let mut rows_inserted = 0u64;
    let mut seq = 0i64;
    while let Some(e) = encoded.recv().await {
        if e.rows > 0 {
            history::insert_segment(&mut tx, run, seq, source, e.rows, &e.content)
                .await
                .map_err(ServiceError::from)?;
            seq += 1;
            rows_inserted += e.rows as u64;
        }
        tick(e.read as u64);
    }
    phase("licence rows written");
    let destination_codes = match encoder.await {
        Ok(n) => n,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    };
    let provenance_inserted =
        historic_provenance::insert_all(&mut tx, source, &run_id, &prov, &mut tick)
            .await
            .map_err(ServiceError::from)?;
    let anomalies: BTreeMap<String, u64> = report
        .counts
        .iter()
        .map(|(k, n)| (kind_name(*k), *n))
        .collect();
    let anomalies_json = serde_json::to_string(&anomalies)
        .map_err(|e| ServiceError::Internal(format!("could not record the anomalies: {e}")))?;
    history::finish_run(
        &mut tx,
        &run_id,
        &history::RunTotals {
            finished_at: to_micros(ctx.clock.now()),
            rows_inserted: rows_inserted as i64,
            criteria_inserted: criteria_inserted as i64,
            ratings_inserted: ratings_inserted as i64,
            anomalies_json: &anomalies_json,
        },
    )
    .await
    .map_err(ServiceError::from)?;
    let fingerprint = history::historic_fingerprint_in(&mut tx)
        .await
        .map_err(ServiceError::from)?;
    phase("provenance written");
    tx.commit().await?;
    if let Some(build) = table_build {
        match build.await {
            Ok(Ok((table, unkeyed))) => {
                let written = match unkeyed {
                    Some(u) => super::historic_snapshot::finish_from_import(u, &fingerprint).await,
                    None => false,
                };
                let table = Arc::new(table);
                super::historic_snapshot::keep_from_import(ctx, fingerprint, table, written)
            }
            // The rows are stored; the table is built from them when first asked for.
            Ok(Err(e)) => tracing::warn!(error = %e, "analytics table not built by the import"),
            Err(e) => tracing::warn!(error = %e, "analytics table not built by the import"),
        }
    }
    phase("committed, table built");
    let summary = match summary.await {
        Ok(summary) => summary,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    };
    phase("summarised");
    // Freeing millions of rows takes a tenth of a second: done on a thread of its own, off
    // the caller's path, and not one the runtime waits for when it shuts down (a CLI that
    // exits leaves the freeing to the kernel).
    // If the system refuses a thread, the closure is dropped here, and the rows with it.
    let _ = std::thread::Builder::new()
        .name("import-free".into())
        .spawn(move || drop(ds));
    Ok(ImportOutcome {
        run_id,
        source: source.to_string(),
        file_set_hash: hash,
        previous_runs,
        summary,
        destination_codes,
        rows_inserted,
        criteria_inserted,
        ratings_inserted,
        provenance_inserted,
        report,
    })
}

/// The snake_case name of an anomaly kind (as serialised).
pub(crate) fn kind_name(k: probity_analytics::AnomalyKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{k:?}"))
}
