//! Open-data export as Apache Parquet: the same flat record as the CSV and JSON exports, one
//! row per table row, Snappy-compressed, dictionary-encoded strings, row groups of up to
//! [`ROW_GROUP_ROWS`] rows. DuckDB, pandas/pyarrow and Spark read it directly.
//!
//! Written with the `parquet` crate's column writers (no Arrow), which keeps the build small.

use std::io::Write;
use std::sync::Arc;

use ::parquet::basic::Compression;
use ::parquet::column::writer::ColumnWriter;
use ::parquet::data_type::ByteArray;
use ::parquet::file::metadata::KeyValue;
use ::parquet::file::properties::WriterProperties;
use ::parquet::file::writer::SerializedFileWriter;
use ::parquet::schema::parser::parse_message_type;

use crate::table::{date_to_days, RowView, Table};

/// Rows per row group.
pub const ROW_GROUP_ROWS: usize = 1 << 20;

/// The file's schema, in Parquet's message syntax. Column order and names match the CSV export.
pub const SCHEMA: &str = "
message probity_licences {
    REQUIRED BYTE_ARRAY source (UTF8);
    REQUIRED INT64 licence;
    REQUIRED INT32 date (DATE);
    REQUIRED INT32 year;
    REQUIRED INT32 quarter;
    REQUIRED INT32 month;
    REQUIRED BYTE_ARRAY rating (UTF8);
    REQUIRED BYTE_ARRAY rating_kind (UTF8);
    REQUIRED BYTE_ARRAY destination (UTF8);
    REQUIRED BYTE_ARRAY iso2 (UTF8);
    REQUIRED BYTE_ARRAY region (UTF8);
    REQUIRED BYTE_ARRAY decision (UTF8);
    REQUIRED BYTE_ARRAY licence_type (UTF8);
    OPTIONAL INT64 value_gbp;
    REQUIRED INT32 count;
    REQUIRED BYTE_ARRAY criteria (UTF8);
    REQUIRED BOOLEAN outlier;
}
";

/// Why a Parquet export failed.
#[derive(Debug, thiserror::Error)]
pub enum ParquetError {
    #[error("writing Parquet: {0}")]
    Parquet(#[from] ::parquet::errors::ParquetError),
    #[error("writing Parquet: column {0} has an unexpected physical type")]
    Schema(usize),
}

fn strings<'a>(rows: &[RowView<'a>], f: impl Fn(&RowView<'a>) -> &'a str) -> Vec<ByteArray> {
    rows.iter().map(|r| ByteArray::from(f(r))).collect()
}

fn ints(rows: &[RowView<'_>], f: impl Fn(&RowView<'_>) -> i32) -> Vec<i32> {
    rows.iter().map(f).collect()
}

/// Write the table as Parquet. `metadata` is stored as key-value metadata in the footer
/// (for example the source and licence of the data).
pub fn write_parquet<W: Write + Send>(
    table: &Table,
    out: W,
    metadata: &[(&str, &str)],
) -> Result<(), ParquetError> {
    let rows: Vec<usize> = (0..table.len()).collect();
    write_rows(table, &rows, out, metadata, Layout::Whole)
}

/// Whether the file holds every column, or all but the partition column (`year`, which a
/// year-partitioned dataset carries in its paths: readers such as Spark refuse a column that is
/// in both).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    Whole,
    WithoutYear,
}

/// The schema of a year's file in a partitioned dataset: [`SCHEMA`] without `year`.
pub fn partitioned_schema() -> String {
    SCHEMA
        .lines()
        .filter(|l| !l.contains(" year;"))
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn write_rows<W: Write + Send>(
    table: &Table,
    indices: &[usize],
    out: W,
    metadata: &[(&str, &str)],
    layout: Layout,
) -> Result<(), ParquetError> {
    let schema = match layout {
        Layout::Whole => SCHEMA.to_string(),
        Layout::WithoutYear => partitioned_schema(),
    };
    let schema = Arc::new(parse_message_type(&schema)?);
    let kv = metadata
        .iter()
        .map(|(k, v)| KeyValue::new(k.to_string(), v.to_string()))
        .collect();
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_created_by(format!("probity-analytics {}", env!("CARGO_PKG_VERSION")))
        .set_key_value_metadata(Some(kv))
        .build();
    let mut writer = SerializedFileWriter::new(out, schema, Arc::new(props))?;
    for chunk in indices.chunks(ROW_GROUP_ROWS) {
        let rows: Vec<RowView<'_>> = chunk.iter().filter_map(|&i| table.row(i)).collect();
        let mut rg = writer.next_row_group()?;
        let mut col = 0;
        while let Some(mut c) = rg.next_column()? {
            // Without the year, the columns after `date` are one place earlier in the file.
            let source_col = match layout {
                Layout::WithoutYear if col >= 3 => col + 1,
                _ => col,
            };
            write_column(c.untyped(), source_col, &rows)?;
            c.close()?;
            col += 1;
        }
        rg.close()?;
    }
    writer.close()?;
    Ok(())
}

fn write_column(
    w: &mut ColumnWriter<'_>,
    col: usize,
    rows: &[RowView<'_>],
) -> Result<(), ParquetError> {
    use ColumnWriter::*;
    match (col, w) {
        (0, ByteArrayColumnWriter(w)) => {
            w.write_batch(&strings(rows, |r| r.source.name()), None, None)?
        }
        (1, Int64ColumnWriter(w)) => {
            let v: Vec<i64> = rows.iter().map(|r| r.licence as i64).collect();
            w.write_batch(&v, None, None)?
        }
        (2, Int32ColumnWriter(w)) => {
            w.write_batch(&ints(rows, |r| date_to_days(r.date)), None, None)?
        }
        (3, Int32ColumnWriter(w)) => w.write_batch(&ints(rows, |r| r.date.year()), None, None)?,
        (4, Int32ColumnWriter(w)) => w.write_batch(
            &ints(rows, |r| (r.date.month() as i32 - 1) / 3 + 1),
            None,
            None,
        )?,
        (5, Int32ColumnWriter(w)) => {
            w.write_batch(&ints(rows, |r| r.date.month() as i32), None, None)?
        }
        (6, ByteArrayColumnWriter(w)) => w.write_batch(&strings(rows, |r| r.rating), None, None)?,
        (7, ByteArrayColumnWriter(w)) => {
            w.write_batch(&strings(rows, |r| r.rating_kind.name()), None, None)?
        }
        (8, ByteArrayColumnWriter(w)) => {
            w.write_batch(&strings(rows, |r| r.destination), None, None)?
        }
        (9, ByteArrayColumnWriter(w)) => w.write_batch(&strings(rows, |r| r.iso2), None, None)?,
        (10, ByteArrayColumnWriter(w)) => {
            w.write_batch(&strings(rows, |r| r.region.name()), None, None)?
        }
        (11, ByteArrayColumnWriter(w)) => {
            w.write_batch(&strings(rows, |r| r.decision.name()), None, None)?
        }
        (12, ByteArrayColumnWriter(w)) => {
            w.write_batch(&strings(rows, |r| r.licence_type.name()), None, None)?
        }
        (13, Int64ColumnWriter(w)) => {
            let values: Vec<i64> = rows.iter().filter_map(|r| r.value_gbp).collect();
            let def: Vec<i16> = rows
                .iter()
                .map(|r| i16::from(r.value_gbp.is_some()))
                .collect();
            w.write_batch(&values, Some(&def), None)?
        }
        (14, Int32ColumnWriter(w)) => w.write_batch(
            &ints(rows, |r| r.count.min(i32::MAX as u32) as i32),
            None,
            None,
        )?,
        (15, ByteArrayColumnWriter(w)) => {
            let v: Vec<ByteArray> = rows
                .iter()
                .map(|r| ByteArray::from(r.criteria.join(";").as_str()))
                .collect();
            w.write_batch(&v, None, None)?
        }
        (16, BoolColumnWriter(w)) => {
            let v: Vec<bool> = rows.iter().map(|r| r.outlier).collect();
            w.write_batch(&v, None, None)?
        }
        (c, _) => return Err(ParquetError::Schema(c)),
    };
    Ok(())
}
