//! Import of Campaign Against Arms Trade's UK licence data (github.com/caatdata/uk-arms-export-data).
//!
//! Two releases are supported, recognised by their headers rather than their file names:
//! the 2008–2015 Q1 release (ids are `licence_group`, refusal criteria in a `criteria` column) and
//! the 2025 release (ids are `licence_cohort_id`, `criterion`, `iso2` columns). Ids are renumbered
//! between releases, so files with different id schemes are never joined ([`AnomalyKind::MixedIdSchemes`]).
//!
//! Every oddity is recorded in the [`ImportReport`]; see [`AnomalyKind`] for what is kept and
//! what is rejected. The import is deterministic: the same files give an equal [`CaatDataset`].

mod cross_check;
mod csvparts;
mod csvread;
mod files;
mod groups;
mod records;
mod reference;
mod row;
mod seen;
mod values;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use foldhash::{HashSet as FastSet, HashSetExt};
use serde::Serialize;
use time::Date;

pub use files::CaatFiles;
use files::KINDS;
pub use row::{RowDestination, RowRating, ValueRow};

use crate::countries;
use crate::ratings::RatingKind;
use crate::report::{AnomalyKind, ImportReport};

/// How to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// Abort, returning nothing, if any error-severity anomaly is met.
    pub strict: bool,
    /// Examples kept per anomaly kind.
    pub max_examples: usize,
    /// Rows worth more than this are flagged [`AnomalyKind::OutlierValue`]. The default, £5bn,
    /// is about three times the second-largest row in the 2008–2015 data.
    pub outlier_threshold_gbp: i64,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            strict: false,
            max_examples: 20,
            outlier_threshold_gbp: 5_000_000_000,
        }
    }
}

/// Why an import returned nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("CAAT data directory {0} does not exist or is not a directory")]
    NotFound(PathBuf),
    #[error("cannot list {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("strict import aborted: {} error(s)\n{report}", report.count_severity(crate::report::Severity::Error))]
    Strict { report: Box<ImportReport> },
}

/// Which id the files use. Ids of different schemes denote different things.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdScheme {
    /// `licence_group` (2008–2015 release).
    LicenceGroup,
    /// `licence_cohort_id` (2025 release).
    LicenceCohort,
}

/// One rating from ratings.csv.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RatingDef {
    pub code: String,
    pub military: bool,
    pub kind: RatingKind,
    pub short_description: String,
    pub full_description: String,
    pub line: u64,
}

/// An onward destination for incorporation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncorporationDestination {
    pub group: u64,
    pub name: String,
    pub iso2: Option<String>,
    pub line: u64,
}

/// A source country of transit or trade items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRow {
    pub group: Option<u64>,
    pub licence_id: Option<u64>,
    pub name: String,
    pub iso2: Option<String>,
    pub licence_count: Option<u64>,
    pub line: u64,
}

/// A footnote on a licence group (and, in the 2025 release, one licence in it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LicenceFootnote {
    pub group: u64,
    pub licence_id: Option<u64>,
    pub text: String,
    pub line: u64,
}

/// An embargo or sanctions note on a destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionFootnote {
    pub name: String,
    pub text: String,
    pub line: u64,
}

/// Everything imported from one CAAT directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CaatDataset {
    pub id_scheme: Option<IdScheme>,
    /// In file order.
    pub values: Vec<ValueRow>,
    /// In natural code order, one per canonical code.
    pub ratings: Vec<RatingDef>,
    /// Refusal criteria per group, de-duplicated.
    pub refusal_criteria: BTreeMap<u64, BTreeSet<String>>,
    pub criterion_descriptions: BTreeMap<String, String>,
    pub destinations: Vec<IncorporationDestination>,
    pub sources: Vec<SourceRow>,
    pub licence_footnotes: Vec<LicenceFootnote>,
    pub region_footnotes: Vec<RegionFootnote>,
}

/// Headline numbers for the end-of-import summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatasetSummary {
    pub value_rows: usize,
    pub licence_groups: usize,
    pub refused_groups: usize,
    pub countries: usize,
    pub ratings_used: usize,
    pub first_date: Option<Date>,
    pub last_date: Option<Date>,
    pub total_value_gbp: i128,
}

impl CaatDataset {
    pub fn summary(&self) -> DatasetSummary {
        // Groups (and refused groups) as they start, counted once sorted: published files list
        // a group's rows together in ascending order, so this is a pass and a check, where a
        // set of millions was millions of scattered inserts.
        // Room for a group a row (what is not filled is never touched, where growing copied).
        let mut groups = Vec::with_capacity(self.values.len());
        let mut refused = Vec::new();
        let mut countries = FastSet::new();
        // Rows of one spelling share its rating: a new one is looked at, not every row's.
        let mut rating_spellings = FastSet::new();
        let mut ratings = FastSet::new();
        let (mut first_date, mut last_date, mut total_value_gbp) = (None, None, 0i128);
        let mut previous: Option<&ValueRow> = None;
        // One pass over the rows (each pass over millions of rows is a trip through memory).
        for r in &self.values {
            let p = previous.replace(r);
            let new_group = p.is_none_or(|p| p.group != r.group);
            if new_group {
                groups.push(r.group);
            }
            if r.refused && (new_group || p.is_some_and(|p| !p.refused)) {
                refused.push(r.group);
            }
            if p.is_none_or(|p| !Arc::ptr_eq(&p.destination, &r.destination)) {
                countries.insert(r.destination.name());
            }
            if rating_spellings.insert(Arc::as_ptr(&r.rating)) {
                ratings.insert(r.rating.code());
            }
            first_date = Some(first_date.map_or(r.date, |d: Date| d.min(r.date)));
            last_date = Some(last_date.map_or(r.date, |d: Date| d.max(r.date)));
            total_value_gbp += r.value_gbp.map_or(0, i128::from);
        }
        let distinct = |mut v: Vec<u64>| {
            v.sort_unstable();
            v.dedup();
            v.len()
        };
        DatasetSummary {
            value_rows: self.values.len(),
            licence_groups: distinct(groups),
            refused_groups: distinct(refused),
            countries: countries.len(),
            ratings_used: ratings.len(),
            first_date,
            last_date,
            total_value_gbp,
        }
    }
}

/// Import every CAAT file found in `dir`.
pub fn import_dir(
    dir: &Path,
    opts: &ImportOptions,
) -> Result<(CaatDataset, ImportReport), ImportError> {
    import_files(&CaatFiles::discover(dir)?, opts)
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Import the given files.
pub fn import_files(
    files: &CaatFiles,
    opts: &ImportOptions,
) -> Result<(CaatDataset, ImportReport), ImportError> {
    import_files_with_progress(files, opts, &mut |_| {})
}

/// Progress of an import, reported as each file is read (for a terminal progress bar).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProgress {
    /// The file about to be parsed; empty once everything is done.
    pub file: String,
    pub files_done: usize,
    pub files_total: usize,
    pub bytes_done: u64,
    pub bytes_total: u64,
}

/// [`import_files`], calling `progress` before each file is parsed and once at the end.
pub fn import_files_with_progress(
    files: &CaatFiles,
    opts: &ImportOptions,
    progress: &mut dyn FnMut(&ImportProgress),
) -> Result<(CaatDataset, ImportReport), ImportError> {
    let mut report = ImportReport::new(opts.max_examples);
    let mut slots = files.clone();
    let present: Vec<PathBuf> = (0..KINDS.len())
        .filter_map(|k| slots.slot(k).clone())
        .collect();
    let mut state = ImportProgress {
        file: String::new(),
        files_done: 0,
        files_total: present.len(),
        bytes_done: 0,
        bytes_total: present
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum(),
    };
    let mut ds = CaatDataset::default();
    for p in &files.ignored {
        report.note(
            AnomalyKind::IgnoredFile,
            &file_name(p),
            0,
            "another file of this kind was read".into(),
        );
    }
    let mut load = |kind: usize, report: &mut ImportReport| -> Option<(String, Vec<u8>)> {
        let Some(path) = slots.slot(kind).clone() else {
            let reason = format!("no {} file ({})", KINDS[kind].0, KINDS[kind].1.join(" or "));
            report.note(AnomalyKind::FileAbsent, KINDS[kind].1[0], 0, reason);
            return None;
        };
        let name = file_name(&path);
        state.file.clone_from(&name);
        progress(&state);
        state.files_done += 1;
        let read = files::read_file(&path);
        state.bytes_done += read.as_ref().map_or(0, |b| b.len() as u64);
        match read {
            Ok(bytes) => Some((name, bytes)),
            Err(e) => {
                report.note(
                    AnomalyKind::UnreadableFile,
                    &name,
                    0,
                    format!("{}: {e}", path.display()),
                );
                None
            }
        }
    };

    if let Some((name, bytes)) = load(1, &mut report) {
        ds.ratings = reference::parse_ratings(&name, &bytes, &mut report);
    }
    // Looked up for every row: foldhash, not SipHash.
    let known: foldhash::HashMap<String, bool> = ds
        .ratings
        .iter()
        .map(|r| (r.code.clone(), r.military))
        .collect();
    let mut groups = groups::Groups::default();
    let mut values = None;
    if let Some((name, bytes)) = load(0, &mut report) {
        let (rows, scheme) = values::parse_values(&name, &bytes, &known, opts, &mut report);
        ds.id_scheme = scheme;
        values = Some((name, rows));
    }
    // The group checks take one core for a while: they run while this thread reads the other
    // files, each noting into a report of its own, put back together in the order one thread
    // doing both in turn would have noted them (the checks, then the other files).
    let mut later = report.fresh();
    let (mut criteria, mut dests, mut sources, mut notes) = (None, None, None, None);
    let checked = std::thread::scope(|scope| {
        let check = values.map(|(name, mut rows)| {
            let mut noted = report.fresh();
            scope.spawn(move || {
                let g = groups::check_groups(&name, &mut rows, &mut noted);
                (rows, g, noted)
            })
        });
        // A file joins only if its ids are of the same scheme as those already read.
        let mut joins = |name: &str, scheme: Option<IdScheme>, report: &mut ImportReport| match (
            ds.id_scheme,
            scheme,
        ) {
            (Some(a), Some(b)) if a != b => {
                let rows = report
                    .files
                    .iter_mut()
                    .find(|f| f.file == name)
                    .map_or(0, |f| std::mem::take(&mut f.imported));
                let reason = format!(
                    "ids are {b:?} but the files read before use {a:?}: ids are renumbered between \
                     releases, so this file's {rows} records were not joined"
                );
                report.note(AnomalyKind::MixedIdSchemes, name, 1, reason);
                report.records_rejected += rows;
                false
            }
            (None, Some(b)) => {
                ds.id_scheme = Some(b);
                true
            }
            _ => true,
        };
        if let Some((name, bytes)) = load(2, &mut later) {
            let c = reference::parse_criteria(&name, &bytes, &mut later);
            if joins(&name, c.scheme, &mut later) {
                criteria = Some((name, c));
            }
        }
        if let Some((name, bytes)) = load(3, &mut later) {
            let (d, scheme) = reference::parse_destinations(&name, &bytes, &mut later);
            if joins(&name, scheme, &mut later) {
                dests = Some((name, d));
            }
        }
        if let Some((name, bytes)) = load(4, &mut later) {
            let (s, scheme) = reference::parse_sources(&name, &bytes, &mut later);
            if joins(&name, scheme, &mut later) {
                sources = Some((name, s));
            }
        }
        if let Some((name, bytes)) = load(5, &mut later) {
            let (n, scheme) = reference::parse_licence_footnotes(&name, &bytes, &mut later);
            if joins(&name, scheme, &mut later) {
                notes = Some((name, n));
            }
        }
        if let Some((name, bytes)) = load(6, &mut later) {
            ds.region_footnotes = reference::parse_region_footnotes(&name, &bytes, &mut later);
        }
        check.map(|h| {
            h.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    });
    if let Some((rows, g, noted)) = checked {
        ds.values = rows;
        groups = g;
        report.absorb(noted);
    }
    let files = std::mem::take(&mut later.files);
    report.absorb(later);
    report.files.extend(files);

    cross_check::cross_check(
        &mut ds,
        &groups,
        criteria,
        dests,
        sources,
        notes,
        &mut report,
    );
    state.file.clear();
    progress(&state);
    if opts.strict && report.has_errors() {
        return Err(ImportError::Strict {
            report: Box::new(report),
        });
    }
    Ok((ds, report))
}

/// Record an unknown destination name, or a disagreement with the file's own iso2.
pub(crate) fn check_country(
    report: &mut ImportReport,
    file: &str,
    line: u64,
    name: &str,
    iso2: Option<&str>,
) {
    check_country_with(report, file, line, name, iso2, countries::lookup(name));
}

/// [`check_country`], `info` being what the country mapping says of `name`.
pub(crate) fn check_country_with(
    report: &mut ImportReport,
    file: &str,
    line: u64,
    name: &str,
    iso2: Option<&str>,
    info: Option<countries::CountryInfo>,
) {
    match info {
        None => {
            let via = match iso2 {
                Some(c) if countries::is_known_code(&c.to_ascii_uppercase()) => {
                    format!("; the file's iso2 {c} is used")
                }
                _ => format!("; kept with code {}", countries::UNKNOWN_CODE),
            };
            let reason = format!("destination {name:?} is not in the country mapping{via}");
            report.note(AnomalyKind::UnknownCountry, file, line, reason);
        }
        Some(info) => {
            if let Some(c) = iso2 {
                if !c.eq_ignore_ascii_case(info.code) {
                    let reason = format!("{name:?}: file says {c}, mapping says {}", info.code);
                    report.note(AnomalyKind::Iso2Mismatch, file, line, reason);
                }
            }
        }
    }
}
