//! Finding the CAAT files in a directory, by the names either release uses.

use std::path::{Path, PathBuf};

use super::csvparts::parts_for;
use super::ImportError;

/// A file's bytes. A large one is read in two halves at once, on two threads: alone, the
/// copy into fresh memory took one core a fifth of a second at 5 M rows while the other
/// waited. One that changes size while it is read is read again, whole.
pub(super) fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        let file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        let Ok(len) = usize::try_from(len) else {
            return std::fs::read(path);
        };
        if parts_for(len) < 2 {
            return std::fs::read(path);
        }
        let mut buf = vec![0u8; len];
        let (first, second) = buf.split_at_mut(len / 2);
        let read = std::thread::scope(|scope| {
            let other = scope.spawn(|| file.read_exact_at(second, (len / 2) as u64));
            let mine = file.read_exact_at(first, 0);
            let theirs = other
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            mine.and(theirs)
        });
        match read {
            Ok(()) if file.metadata()?.len() == len as u64 => Ok(buf),
            // Shorter, or longer, than when it was opened.
            Ok(()) => std::fs::read(path),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => std::fs::read(path),
            Err(e) => Err(e),
        }
    }
    #[cfg(not(unix))]
    {
        std::fs::read(path)
    }
}

/// The files to read; `None` for a kind that is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaatFiles {
    pub values: Option<PathBuf>,
    pub ratings: Option<PathBuf>,
    pub refusal_criteria: Option<PathBuf>,
    pub destinations: Option<PathBuf>,
    pub sources: Option<PathBuf>,
    pub licence_footnotes: Option<PathBuf>,
    pub region_footnotes: Option<PathBuf>,
    /// Further candidates for a kind already found; not read.
    pub ignored: Vec<PathBuf>,
}

pub(super) const KINDS: [(&str, &[&str]); 7] = [
    ("values", &["values.csv"]),
    ("ratings", &["ratings.csv"]),
    (
        "refusal criteria",
        &["refusal-criteria.csv", "refusal_criteria.csv"],
    ),
    (
        "destinations",
        &["destinations.csv", "incorporation-destinations.csv"],
    ),
    ("sources", &["sources.csv", "trade-sources.csv"]),
    (
        "licence footnotes",
        &["footnotes_licence.csv", "footnotes-licence.csv"],
    ),
    (
        "region footnotes",
        &["footnotes_region.csv", "footnotes-region.csv"],
    ),
];

fn rank(kind: usize, name: &str) -> Option<usize> {
    let exact = KINDS[kind].1.iter().position(|n| *n == name);
    // A dated copy such as values-2008-2015q1.csv ranks after values.csv.
    let dated = kind == 0
        && (name.starts_with("values-") || name.starts_with("values_"))
        && name.ends_with(".csv");
    exact.or(dated.then_some(KINDS[kind].1.len()))
}

impl CaatFiles {
    /// Find the files of each kind in `dir` (not recursive).
    pub fn discover(dir: &Path) -> Result<CaatFiles, ImportError> {
        if !dir.is_dir() {
            return Err(ImportError::NotFound(dir.to_path_buf()));
        }
        let io = |source| ImportError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let mut names = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            if entry.path().is_file() {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        names.sort(); // read_dir order is unspecified; keep discovery deterministic
        let mut files = CaatFiles::default();
        for kind in 0..KINDS.len() {
            let mut found: Vec<(usize, &String)> = names
                .iter()
                .filter_map(|n| rank(kind, n).map(|r| (r, n)))
                .collect();
            found.sort();
            let mut it = found.into_iter().map(|(_, n)| dir.join(n));
            *files.slot(kind) = it.next();
            files.ignored.extend(it);
        }
        Ok(files)
    }

    pub(super) fn slot(&mut self, kind: usize) -> &mut Option<PathBuf> {
        match kind {
            0 => &mut self.values,
            1 => &mut self.ratings,
            2 => &mut self.refusal_criteria,
            3 => &mut self.destinations,
            4 => &mut self.sources,
            5 => &mut self.licence_footnotes,
            _ => &mut self.region_footnotes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::read_file;

    #[test]
    fn a_large_file_read_in_halves_is_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("values.csv");
        // Above the size read in parts, odd so that the halves differ; every byte placed.
        let bytes: Vec<u8> = (0..(5 << 20) + 7).map(|i: u32| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(read_file(&path).unwrap(), bytes);
        let small = dir.path().join("ratings.csv");
        std::fs::write(&small, b"code\nML1\n").unwrap();
        assert_eq!(read_file(&small).unwrap(), b"code\nML1\n");
        let missing = read_file(&dir.path().join("none.csv")).unwrap_err();
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
    }
}
