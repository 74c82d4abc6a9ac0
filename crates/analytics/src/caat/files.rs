//! Finding the CAAT files in a directory, by the names either release uses.

use std::path::{Path, PathBuf};

use super::ImportError;

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
