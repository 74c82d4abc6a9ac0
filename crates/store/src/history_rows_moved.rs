//! Migration 19's data step: the licence rows stored one per row (`historic_licence_rows`)
//! moved into segments (`historic_licence_segments`), in the migration's transaction, and the
//! old table dropped; on PostgreSQL, segments are stored uncompressed. Each import run's rows keep their run; a run's segments hold its rows in
//! key order, as the old primary key had them.
use std::future::Future;
use std::pin::Pin;

use futures_util::StreamExt;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use time::Date;

use crate::history_segment::{encode, HistoryRow, SEGMENT_ROWS};

/// A migration's step in Rust, after its SQL, in its transaction.
pub type DataStep =
    for<'t> fn(
        &'t mut Transaction<'static, Any>,
    ) -> Pin<Box<dyn Future<Output = Result<(), sqlx::Error>> + Send + 't>>;

/// The step of migration 19.
pub fn step<'t>(
    tx: &'t mut Transaction<'static, Any>,
) -> Pin<Box<dyn Future<Output = Result<(), sqlx::Error>> + Send + 't>> {
    Box::pin(move_rows(tx))
}

/// One old row, owned (the segment borrows from a batch of these).
struct OldRow {
    run: String,
    source: String,
    group: i64,
    rating: String,
    occurrence: i64,
    line: i64,
    decided_on: Date,
    destination: String,
    code: String,
    refused: bool,
    value_gbp: Option<i64>,
    licence_count: Option<i64>,
    rating_as_published: Option<String>,
    outlier: bool,
}

fn old_row(r: &AnyRow) -> Result<OldRow, sqlx::Error> {
    let text: String = r.try_get("decided_on")?;
    let decided_on = Date::parse(
        &text,
        &time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|e| sqlx::Error::Decode(format!("historic row date {text:?}: {e}").into()))?;
    let occurrence: i64 = r.try_get("occurrence")?;
    Ok(OldRow {
        run: r.try_get("import_run")?,
        source: r.try_get("source")?,
        group: r.try_get("licence_group")?,
        rating: r.try_get("rating")?,
        occurrence,
        line: r.try_get("line")?,
        decided_on,
        destination: r.try_get("destination")?,
        code: r.try_get("iso2")?,
        refused: r.try_get::<i64, _>("refused")? != 0,
        value_gbp: r.try_get("value_gbp")?,
        licence_count: r.try_get("licence_count")?,
        rating_as_published: r.try_get("rating_as_published")?,
        outlier: r.try_get::<i64, _>("outlier")? != 0,
    })
}

async fn move_rows(tx: &mut Transaction<'static, Any>) -> Result<(), sqlx::Error> {
    // Segments are already compact (~12 bytes a row); PostgreSQL's pglz would halve them again
    // but cost the import seconds at 5 M rows, and every read as much again. Not compressed.
    if tx.backend_name() == "PostgreSQL" {
        sqlx::query(
            "ALTER TABLE historic_licence_segments ALTER COLUMN content SET STORAGE EXTERNAL",
        )
        .execute(&mut **tx)
        .await?;
    }
    let mut segments = Vec::new();
    {
        // Rows come in run order, so each batch holds one run's rows of one source.
        let mut rows = sqlx::query(
            "SELECT import_run, source, licence_group, rating, occurrence, line, decided_on, \
             destination, iso2, refused, value_gbp, licence_count, rating_as_published, outlier \
             FROM historic_licence_rows \
             ORDER BY import_run, source, licence_group, rating, occurrence",
        )
        .fetch(&mut **tx);
        let mut batch: Vec<OldRow> = Vec::new();
        let mut seq = 0i64;
        while let Some(r) = rows.next().await {
            let r = old_row(&r?)?;
            if let Some(f) = batch.first() {
                let same_run = f.run == r.run;
                if !same_run || f.source != r.source || batch.len() == SEGMENT_ROWS {
                    segments.push(seal(&batch, seq)?);
                    batch.clear();
                    // Numbered within the run: (import_run, seq) is the key.
                    seq = if same_run { seq + 1 } else { 0 };
                }
            }
            batch.push(r);
        }
        if !batch.is_empty() {
            segments.push(seal(&batch, seq)?);
        }
    }
    for s in segments {
        sqlx::query(
            "INSERT INTO historic_licence_segments (import_run, seq, source, row_count, \
             content) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(s.run)
        .bind(s.seq)
        .bind(s.source)
        .bind(s.rows)
        .bind(s.content)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("DROP TABLE historic_licence_rows")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

struct Sealed {
    run: String,
    source: String,
    seq: i64,
    rows: i64,
    content: Vec<u8>,
}

/// One batch of one run's rows, encoded.
fn seal(batch: &[OldRow], seq: i64) -> Result<Sealed, sqlx::Error> {
    let rows = batch
        .iter()
        .map(|r| {
            let bad = |what: &str| {
                sqlx::Error::Decode(format!("historic row {}: {what} out of range", r.group).into())
            };
            Ok(HistoryRow {
                licence_group: r.group,
                rating: &r.rating,
                occurrence: u32::try_from(r.occurrence).map_err(|_| bad("occurrence"))?,
                line: u64::try_from(r.line).map_err(|_| bad("line"))?,
                decided_on: r.decided_on,
                destination: &r.destination,
                code: &r.code,
                refused: r.refused,
                value_gbp: r.value_gbp,
                licence_count: r.licence_count,
                rating_as_published: r.rating_as_published.as_deref(),
                outlier: r.outlier,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Sealed {
        run: batch[0].run.clone(),
        source: batch[0].source.clone(),
        seq,
        rows: rows.len() as i64,
        content: encode(&rows),
    })
}
