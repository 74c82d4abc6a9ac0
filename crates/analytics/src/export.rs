//! Open-data export of the table as CSV or JSON, one record per row, in table order.

use std::io::Write;

use serde::Serialize;

use crate::table::{RowView, Table};

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("writing: {0}")]
    Io(#[from] std::io::Error),
}

/// The exported record: flat, self-describing, with derived time columns.
#[derive(Debug, Serialize)]
struct Record<'a> {
    source: &'static str,
    licence: u64,
    date: String,
    year: i32,
    quarter: u8,
    month: u8,
    rating: &'a str,
    rating_kind: &'static str,
    destination: &'a str,
    iso2: &'a str,
    region: &'static str,
    decision: &'static str,
    licence_type: &'static str,
    /// Empty (CSV) or null (JSON) where the source has no value.
    value_gbp: Option<i64>,
    count: u32,
    /// `;`-separated.
    criteria: String,
    outlier: bool,
}

fn record<'a>(r: &RowView<'a>) -> Record<'a> {
    let month = r.date.month() as u8;
    Record {
        source: r.source.name(),
        licence: r.licence,
        date: format!("{:04}-{:02}-{:02}", r.date.year(), month, r.date.day()),
        year: r.date.year(),
        quarter: (month - 1) / 3 + 1,
        month,
        rating: r.rating,
        rating_kind: r.rating_kind.name(),
        destination: r.destination,
        iso2: r.iso2,
        region: r.region.name(),
        decision: r.decision.name(),
        licence_type: r.licence_type.name(),
        value_gbp: r.value_gbp,
        count: r.count,
        criteria: r.criteria.join(";"),
        outlier: r.outlier,
    }
}

/// Write the table as CSV with a header row.
pub fn write_csv<W: Write>(table: &Table, out: W) -> Result<(), ExportError> {
    let mut w = csv::Writer::from_writer(out);
    for r in table.rows() {
        w.serialize(record(&r))?;
    }
    w.flush()?;
    Ok(())
}

/// Write the table as a JSON array of objects, streamed row by row.
pub fn write_json<W: Write>(table: &Table, mut out: W) -> Result<(), ExportError> {
    out.write_all(b"[")?;
    for (i, r) in table.rows().enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut out, &record(&r))?;
    }
    out.write_all(b"\n]\n")?;
    out.flush()?;
    Ok(())
}
