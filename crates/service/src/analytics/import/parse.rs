//! The part of an import that does not touch the database: the files found, read, checked
//! and hashed. A caller may open the database meanwhile (`probity import caat` does: on
//! PostgreSQL a new database's migrations take a fifth of a second).
use std::io::Read as _;
use std::path::{Path, PathBuf};

use probity_analytics::caat::CaatDataset;
use probity_analytics::{
    import_files_with_progress, CaatFiles, ImportError, ImportOptions, ImportProgress, ImportReport,
};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{ImportFailure, ImportStage};
use crate::Clock;

/// CAAT files parsed and hashed, not yet written ([`super::store_caat`] writes them).
pub struct ParsedCaat {
    pub(super) dir: PathBuf,
    /// Parsed strictly (the run records it).
    pub(super) strict: bool,
    /// When the import began (the run's start).
    pub(super) started: OffsetDateTime,
    pub(super) clock: std::time::Instant,
    pub(super) hash: String,
    pub(super) names: Vec<String>,
    pub(super) ds: CaatDataset,
    pub(super) report: ImportReport,
}

/// Find, read, check and hash the CAAT files in `dir`; `clock` dates the import's start.
/// `progress` is called as files are parsed.
pub async fn parse_caat(
    clock: &Clock,
    dir: &Path,
    opts: &ImportOptions,
    progress: &mut (dyn FnMut(ImportStage) + Send),
) -> Result<ParsedCaat, ImportFailure> {
    let started = clock.now();
    let instant = std::time::Instant::now();
    let files = CaatFiles::discover(dir)?;
    // The files are hashed on another core while they are parsed (the parse leaves one idle
    // between its parallel parts); a file that cannot be read is reported as before, first.
    let hashing = {
        let files = files.clone();
        tokio::task::spawn_blocking(move || file_set_hash(&files))
    };
    let parsed = import_files_with_progress(&files, opts, &mut |p: &ImportProgress| {
        progress(ImportStage::Parsing {
            file: p.file.clone(),
            bytes_done: p.bytes_done,
            bytes_total: p.bytes_total,
        })
    });
    let (hash, names) = match hashing.await {
        Ok(hashed) => hashed?,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    };
    let (ds, report) = parsed?;
    Ok(ParsedCaat {
        dir: dir.to_path_buf(),
        strict: opts.strict,
        started,
        clock: instant,
        hash,
        names,
        ds,
        report,
    })
}

/// SHA-256 over each file's name and bytes, in name order.
fn file_set_hash(files: &CaatFiles) -> Result<(String, Vec<String>), ImportError> {
    let mut paths: Vec<&PathBuf> = [
        &files.values,
        &files.ratings,
        &files.refusal_criteria,
        &files.destinations,
        &files.sources,
        &files.licence_footnotes,
        &files.region_footnotes,
    ]
    .into_iter()
    .flatten()
    .collect();
    paths.sort_by_key(|p| p.file_name().map(|n| n.to_os_string()));
    let mut h = Sha256::new();
    let mut names = Vec::new();
    let mut buf = vec![0u8; 1 << 20];
    for p in paths {
        let name = p
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let io = |source| ImportError::Io {
            path: p.clone(),
            source,
        };
        let mut file = std::fs::File::open(p).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        h.update((name.len() as u64).to_be_bytes());
        h.update(name.as_bytes());
        h.update(len.to_be_bytes());
        // Streamed through one buffer: a copy of each file in fresh memory cost more than
        // the hashing (measured at 5 M rows). A file that changes while it is read is refused.
        let mut read = 0u64;
        loop {
            let n = match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io(e)),
            };
            h.update(&buf[..n]);
            read += n as u64;
        }
        if read != len {
            return Err(io(std::io::Error::other(format!(
                "the file changed while it was read ({len} bytes, then {read})"
            ))));
        }
        names.push(name);
    }
    Ok((hex::encode(h.finalize()), names))
}
