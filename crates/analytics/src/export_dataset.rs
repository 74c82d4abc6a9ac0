//! Open data as a year-partitioned Parquet dataset, for engines that read straight from an
//! object store (DuckDB, Spark, BigQuery): one file per year under hive-style paths
//! (`year=2014/part-0.parquet`, the `year` column carried by the path, not the file), and a
//! `manifest.json` that lists every file with its year, rows, bytes and SHA-256. The manifest
//! is written last, to a temporary name then renamed: a dataset without one is incomplete and
//! must not be read.
//!
//! ```sql
//! -- DuckDB
//! SELECT year, sum(value_gbp) FROM read_parquet('out/year=*/*.parquet', hive_partitioning = true)
//! GROUP BY year ORDER BY year;
//! ```

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::export_parquet::{partitioned_schema, write_rows, Layout, ParquetError};
use crate::table::Table;

/// The manifest's format name and version.
pub const MANIFEST_FORMAT: &str = "probity-licences-parquet-by-year";
pub const MANIFEST_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DatasetFile {
    /// Relative to the dataset's folder, with `/` separators.
    pub path: String,
    pub year: i32,
    pub rows: u64,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub format: &'static str,
    pub version: u32,
    pub partitioning: &'static str,
    pub partition_column: &'static str,
    /// Every file's schema, in Parquet's message syntax.
    pub schema: String,
    pub rows: u64,
    pub files: Vec<DatasetFile>,
    /// Source and licence of the data, as in each file's footer.
    pub metadata: BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error(transparent)]
    Parquet(#[from] ParquetError),
    #[error("writing the dataset: {0}")]
    Io(#[from] std::io::Error),
    #[error("writing the manifest: {0}")]
    Json(#[from] serde_json::Error),
}

/// Write `table` as a year-partitioned dataset into `dir` (created if missing); returns the
/// manifest, which is also written as `dir/manifest.json`.
pub fn write_dataset(
    table: &Table,
    dir: &Path,
    metadata: &[(&str, &str)],
) -> Result<Manifest, DatasetError> {
    let mut years: BTreeMap<i32, Vec<usize>> = BTreeMap::new();
    for i in 0..table.len() {
        if let Some(r) = table.row(i) {
            years.entry(r.date.year()).or_default().push(i);
        }
    }
    std::fs::create_dir_all(dir)?;
    let mut files = Vec::new();
    for (year, rows) in &years {
        let rel = format!("year={year}/part-0.parquet");
        let path = dir.join(format!("year={year}")).join("part-0.parquet");
        std::fs::create_dir_all(path.parent().unwrap_or(dir))?;
        let mut out = BufWriter::new(File::create(&path)?);
        write_rows(table, rows, &mut out, metadata, Layout::WithoutYear)?;
        out.flush()?;
        let bytes = std::fs::read(&path)?;
        files.push(DatasetFile {
            path: rel,
            year: *year,
            rows: rows.len() as u64,
            bytes: bytes.len() as u64,
            sha256: hex::encode(Sha256::digest(&bytes)),
        });
    }
    let manifest = Manifest {
        format: MANIFEST_FORMAT,
        version: MANIFEST_VERSION,
        partitioning: "hive",
        partition_column: "year",
        schema: partitioned_schema(),
        rows: table.len() as u64,
        files,
        metadata: metadata
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    let tmp = dir.join(".manifest.json.tmp");
    {
        let mut f = File::create(&tmp)?;
        serde_json::to_writer_pretty(&mut f, &manifest)?;
        f.write_all(b"\n")?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, dir.join("manifest.json"))?;
    Ok(manifest)
}
