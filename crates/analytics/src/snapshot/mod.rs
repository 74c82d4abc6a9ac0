//! Snapshots of a built [`Table`]: everything a query reads (columns, dictionaries, cells and
//! sub-cells) written to one file, so that a restarted server answers without building the
//! table again.
//!
//! File layout (all integers little-endian):
//!
//! ```text
//! magic "PRBTYSNP" | format version u32 | payload (u64 length, bytes)
//! | CRC-32 (IEEE) of the payload (u32) | key (u64 length, UTF-8)
//! ```
//!
//! The payload is the table's parts then its dictionaries, field by field (`part.rs`); integer
//! columns are delta-varint encoded (`codec.rs`; version 2: version 1 stored them fixed-width,
//! three times the size). Version 3 put the key last: an import writes the payload while its
//! transaction is still writing, and adds the key its commit decides ([`write_unkeyed`]).
//!
//! The key says what the table was built from (the service writes the database's import
//! fingerprint); a snapshot is used only for the same key. A file of another format version,
//! another key, cut short, or whose checksum does not match is refused with its reason; the
//! caller builds the table again. [`save`] writes to a temporary name, syncs, and renames, so
//! a crash while writing never leaves a file that is used.

mod codec;
mod part;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use codec::{Reader, Writer};

use crate::table::Table;

const MAGIC: &[u8; 8] = b"PRBTYSNP";
/// Bumped whenever the encoding, or the order of an encoded enum, changes.
pub const FORMAT_VERSION: u32 = 3;
/// Bytes encoded before they are handed to the thread writing the file.
const PIECE: usize = 4 << 20;

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("no snapshot at {0}")]
    Missing(PathBuf),
    #[error("reading or writing the snapshot: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a table snapshot (wrong magic bytes)")]
    NotASnapshot,
    #[error("snapshot format version {found}, this build reads version {FORMAT_VERSION}")]
    Version { found: u32 },
    #[error("snapshot of {found:?}, the database now holds {expected:?}")]
    Stale { found: String, expected: String },
    #[error("snapshot cut short: {0}")]
    Truncated(String),
    #[error("snapshot checksum {found:08x} does not match its contents ({computed:08x})")]
    Checksum { found: u32, computed: u32 },
    #[error("snapshot contents unreadable: {0}")]
    Corrupt(String),
}

/// The header of a snapshot, its payload length left 0; returns where the payload starts.
fn put_header(w: &mut Writer) -> usize {
    w.buf.extend_from_slice(MAGIC);
    w.buf.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    w.buf.extend_from_slice(&0u64.to_le_bytes());
    w.buf.len()
}

/// The key, as it ends a snapshot.
fn key_bytes(key: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + key.len());
    out.extend_from_slice(&(key.len() as u64).to_le_bytes());
    out.extend_from_slice(key.as_bytes());
    out
}

fn put_payload(w: &mut Writer, table: &Table) {
    w.u64(table.parts.len() as u64);
    for part in &table.parts {
        part::put_part(w, part);
    }
    part::put_dictionaries(
        w,
        (&table.ratings, &table.places, &table.codes, &table.criteria),
    );
}

/// The snapshot of `table` built from `key`, as bytes.
pub fn encode(table: &Table, key: &str) -> Vec<u8> {
    let mut w = Writer::default();
    let start = put_header(&mut w);
    put_payload(&mut w, table);
    let mut out = w.buf;
    let len = (out.len() - start) as u64;
    out[start - 8..start].copy_from_slice(&len.to_le_bytes());
    let crc = crc32fast::hash(&out[start..]);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&key_bytes(key));
    out
}

/// Write the snapshot of `table`, all but its key, to `file`, each piece written on another
/// thread while the next is encoded (the encoding and the kernel's copy into the page cache
/// were a tenth of a second each at 5 M rows, one after the other); the payload length is
/// patched in and the checksum appended at the end.
fn write_to(file: &File, table: &Table, piece: usize) -> std::io::Result<()> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
    let mut header = Writer::default();
    let start = put_header(&mut header);
    let (total, crc) = std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> std::io::Result<()> {
            let mut out = file;
            for piece in rx {
                out.write_all(&piece)?;
            }
            Ok(())
        });
        let mut crc = crc32fast::Hasher::new();
        let mut at = 0usize;
        let mut send = |piece: Vec<u8>| {
            // The checksum covers the payload: the header's bytes are skipped.
            let skip = start.saturating_sub(at).min(piece.len());
            crc.update(&piece[skip..]);
            at += piece.len();
            // A writer that stopped says why when joined.
            let _ = tx.send(piece);
        };
        let mut w = Writer {
            buf: header.buf,
            sink: Some(&mut send),
            piece,
        };
        put_payload(&mut w, table);
        let rest = std::mem::take(&mut w.buf);
        drop(w);
        send(rest);
        drop(tx);
        let written = writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        written.map(|()| (at, crc.finalize()))
    })?;
    let mut out = file;
    out.seek(SeekFrom::Start((start - 8) as u64))?;
    out.write_all(&((total - start) as u64).to_le_bytes())?;
    out.seek(SeekFrom::End(0))?;
    out.write_all(&crc.to_le_bytes())
}

fn short(what: &str) -> SnapshotError {
    SnapshotError::Truncated(format!("the file ends inside the {what}"))
}

/// The table in `bytes`, if they are a whole, intact snapshot of `key` in this format.
pub fn decode(bytes: &[u8], key: &str) -> Result<Table, SnapshotError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(SnapshotError::NotASnapshot);
    }
    let mut r = Reader::new(&bytes[MAGIC.len()..]);
    let found = r.u32().map_err(|_| short("header"))?;
    if found != FORMAT_VERSION {
        return Err(SnapshotError::Version { found });
    }
    let len = r.u64().map_err(|_| short("header"))?;
    let len = usize::try_from(len).map_err(|_| short("payload"))?;
    if r.rest.len() < len.saturating_add(4) {
        return Err(SnapshotError::Truncated(format!(
            "the payload should be {len} bytes and a checksum; {} are left",
            r.rest.len()
        )));
    }
    let (payload, tail) = r.rest.split_at(len);
    let (sum, tail) = tail.split_at(4);
    let mut t = Reader::new(tail);
    let found_key = t.str().map_err(|_| short("key"))?;
    if found_key != key {
        return Err(SnapshotError::Stale {
            found: found_key,
            expected: key.to_string(),
        });
    }
    if !t.rest.is_empty() {
        return Err(SnapshotError::Corrupt(format!(
            "{} bytes after the key",
            t.rest.len()
        )));
    }
    let found = u32::from_le_bytes(sum.try_into().expect("4 bytes"));
    let computed = crc32fast::hash(payload);
    if found != computed {
        return Err(SnapshotError::Checksum { found, computed });
    }
    let mut p = Reader::new(payload);
    let n = p.count()?;
    let mut parts = Vec::with_capacity(n);
    for _ in 0..n {
        parts.push(Arc::new(part::get_part(&mut p)?));
    }
    let (ratings, places, codes, criteria) = part::get_dictionaries(&mut p)?;
    if !p.rest.is_empty() {
        return Err(SnapshotError::Corrupt(format!(
            "{} bytes left over after the table",
            p.rest.len()
        )));
    }
    Ok(Table {
        parts,
        ratings,
        places,
        codes,
        criteria,
    })
}

/// Write the snapshot of `table` to `path`: to a temporary file beside it, synced, then
/// renamed over `path` (and the directory synced), so that `path` is always either the old
/// snapshot or the whole new one.
pub fn save(table: &Table, key: &str, path: &Path) -> Result<(), SnapshotError> {
    write_unkeyed(table, path)?.finish(key)
}

/// A snapshot written but for its key, in a temporary file beside where it is to go (removed
/// if it is dropped unfinished).
#[derive(Debug)]
pub struct Unkeyed {
    file: Option<File>,
    tmp: PathBuf,
    path: PathBuf,
}

/// Temporary names of one process differ by this count (an import's snapshot and a server's
/// may be written at once).
static TEMPORARIES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Write all of the snapshot of `table` but its key, to go to `path` once
/// [`Unkeyed::finish`] adds the key.
pub fn write_unkeyed(table: &Table, path: &Path) -> Result<Unkeyed, SnapshotError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "snapshot".into());
    let n = TEMPORARIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_file_name(format!(".{name}.{}.{n}.tmp", std::process::id()));
    // Never over another's temporary file (another process of the same id on a shared disk).
    let file = File::options().write(true).create_new(true).open(&tmp)?;
    let unkeyed = Unkeyed {
        file: Some(file),
        tmp,
        path: path.to_path_buf(),
    };
    write_to(unkeyed.file.as_ref().expect("just made"), table, PIECE)?;
    Ok(unkeyed)
}

impl Unkeyed {
    /// Add `key`, sync, and rename the file over its path (and sync the directory).
    pub fn finish(mut self, key: &str) -> Result<(), SnapshotError> {
        let mut f = self.file.take().expect("finished once");
        let renamed = (|| {
            f.write_all(&key_bytes(key))?;
            f.sync_all()?;
            std::fs::rename(&self.tmp, &self.path)
        })();
        drop(f);
        if let Err(e) = renamed {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(e.into());
        }
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // Make the rename itself durable (directories can be opened read-only on Unix).
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

impl Drop for Unkeyed {
    fn drop(&mut self) {
        // Unfinished (an error on the way, or a commit that failed): not left behind.
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// The table snapshotted at `path` for `key`.
pub fn load(path: &Path, key: &str) -> Result<Table, SnapshotError> {
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(SnapshotError::Missing(path.to_path_buf()))
        }
        Err(e) => return Err(e.into()),
    };
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes)?;
    decode(&bytes, key)
}

#[cfg(test)]
mod tests;
