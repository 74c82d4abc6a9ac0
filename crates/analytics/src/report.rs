//! The import report: every oddity met while importing, counted by kind, with examples.
//!
//! Nothing is dropped silently: a row that cannot be imported is an [`Severity::Error`] anomaly
//! with file, line and reason; a row imported but normalised or flagged is a warning; an expected
//! property of the published data (for example refused rows without a value) is information.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// How serious an anomaly is. Strict imports abort on any [`Severity::Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// An expected property of the published data, counted for the summary.
    Info,
    /// The row was imported, but normalised or flagged.
    Warning,
    /// The row or file could not be imported as it stands.
    Error,
}

/// Every kind of oddity the importer knows about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyKind {
    // Errors.
    /// A file could not be read at all.
    UnreadableFile,
    /// A file's header lacks a required column or repeats one; the file was skipped.
    WrongHeader,
    /// A line is not valid UTF-8 (for example Windows-1252); the row was skipped.
    NotUtf8,
    /// A line has a different number of fields from the header; the row was skipped.
    WrongFieldCount,
    /// A number could not be parsed; the row was skipped.
    BadNumber,
    /// A date could not be parsed or is out of range; the row was skipped.
    BadDate,
    /// A 0/1 flag held something else; the row was skipped.
    BadFlag,
    /// A required field was empty; the row was skipped.
    EmptyField,
    /// A country name is not in the mapping; the row was kept with the unknown code `ZZ`.
    UnknownCountry,
    /// A rating is not in `ratings.csv`; the row was kept, its kind inferred from its pattern.
    UnknownRating,
    /// The files use different id schemes (licence groups vs cohorts); the file was not joined.
    MixedIdSchemes,
    // Warnings.
    /// Rows of one licence group disagree on date, country or refused flag.
    InconsistentGroup,
    /// The same (licence group, rating) appears on more than one row; all rows were kept.
    DuplicateGroupRating,
    /// A rating was written in non-canonical case (for example `ml16`) and normalised.
    RatingCaseNormalised,
    /// `ratings.csv` defines the same normalised code twice; the canonical spelling won.
    DuplicateRatingDefinition,
    /// A value above the outlier threshold; imported as is and flagged.
    OutlierValue,
    /// A negative value; imported as is.
    NegativeValue,
    /// An approved row with an empty value; imported with no value.
    MissingValue,
    /// A repeated refusal-criterion row; counted once.
    DuplicateCriterionRow,
    /// A refused licence group with no refusal criterion.
    RefusedWithoutCriteria,
    /// Refusal criteria given for a licence group that was not refused.
    CriteriaForGrantedGroup,
    /// Refusal criteria given for a licence group absent from the values file.
    CriteriaForUnknownGroup,
    /// The file's `iso2` disagrees with the documented mapping of the name.
    Iso2Mismatch,
    /// Leading or trailing spaces were trimmed from a field.
    WhitespaceTrimmed,
    /// A whole number written with a decimal part of zero (for example `28591.0`).
    NonIntegerNumber,
    /// A column that the importer does not use; ignored.
    UnknownColumn,
    /// More than one candidate file of one kind; only the first was read.
    IgnoredFile,
    // Information.
    /// A refused row has no value (as published).
    RefusedWithoutValue,
    /// An approved row with value 0 (as published).
    ZeroValue,
    /// A file of this kind is absent from the directory.
    FileAbsent,
    /// A row refers to a licence group absent from the values file (expected for some files).
    UnknownGroupReference,
    /// A UTF-8 byte-order mark was stripped.
    ByteOrderMark,
}

impl AnomalyKind {
    /// How serious this kind is.
    pub fn severity(self) -> Severity {
        use AnomalyKind::*;
        match self {
            UnreadableFile | WrongHeader | NotUtf8 | WrongFieldCount | BadNumber | BadDate
            | BadFlag | EmptyField | UnknownCountry | UnknownRating | MixedIdSchemes => {
                Severity::Error
            }
            InconsistentGroup
            | DuplicateGroupRating
            | RatingCaseNormalised
            | DuplicateRatingDefinition
            | OutlierValue
            | NegativeValue
            | MissingValue
            | DuplicateCriterionRow
            | RefusedWithoutCriteria
            | CriteriaForGrantedGroup
            | CriteriaForUnknownGroup
            | Iso2Mismatch
            | WhitespaceTrimmed
            | NonIntegerNumber
            | UnknownColumn
            | IgnoredFile => Severity::Warning,
            RefusedWithoutValue
            | ZeroValue
            | FileAbsent
            | UnknownGroupReference
            | ByteOrderMark => Severity::Info,
        }
    }
}

/// One recorded oddity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anomaly {
    pub kind: AnomalyKind,
    /// File name (without directory).
    pub file: String,
    /// 1-based line number; 0 for anomalies about a whole file.
    pub line: u64,
    pub reason: String,
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {:?}: {}",
            self.file, self.line, self.kind, self.reason
        )
    }
}

/// What was read from one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileReport {
    pub file: String,
    /// Data records read (header excluded).
    pub records: u64,
    /// Records imported (possibly normalised or flagged).
    pub imported: u64,
}

/// The outcome of an import: counts by anomaly kind plus a bounded number of examples.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub files: Vec<FileReport>,
    pub counts: BTreeMap<AnomalyKind, u64>,
    /// Up to `max_examples` per kind, in the order met.
    pub examples: Vec<Anomaly>,
    /// Records that could not be imported (each also counted under its anomaly kind).
    pub records_rejected: u64,
    #[serde(skip)]
    max_examples: usize,
}

impl ImportReport {
    pub(crate) fn new(max_examples: usize) -> Self {
        ImportReport {
            max_examples,
            ..Default::default()
        }
    }

    pub(crate) fn note(&mut self, kind: AnomalyKind, file: &str, line: u64, reason: String) {
        let n = self.counts.entry(kind).or_insert(0);
        *n += 1;
        if *n as usize <= self.max_examples {
            self.examples.push(Anomaly {
                kind,
                file: file.to_string(),
                line,
                reason,
            });
        }
    }

    /// An empty report keeping as many examples per kind as this one.
    pub(crate) fn fresh(&self) -> ImportReport {
        ImportReport::new(self.max_examples)
    }

    /// Add `later`, a report of what was met after everything in this one (a later part of a
    /// file read on another thread): the counts add up and the examples kept are the first
    /// `max_examples` of each kind over both, in the order met — what one report noting both
    /// in turn would hold. `later.files` is not taken (the caller counts the file's records).
    pub(crate) fn absorb(&mut self, later: ImportReport) {
        let before = self.counts.clone();
        let mut taken: BTreeMap<AnomalyKind, usize> = BTreeMap::new();
        for e in later.examples {
            let j = taken.entry(e.kind).or_insert(0);
            let ordinal = before.get(&e.kind).copied().unwrap_or(0) as usize + *j;
            *j += 1;
            if ordinal < self.max_examples {
                self.examples.push(e);
            }
        }
        for (kind, n) in later.counts {
            *self.counts.entry(kind).or_insert(0) += n;
        }
        self.records_rejected += later.records_rejected;
    }

    /// How many anomalies of this kind were met.
    pub fn count(&self, kind: AnomalyKind) -> u64 {
        self.counts.get(&kind).copied().unwrap_or(0)
    }

    /// How many anomalies of this severity were met.
    pub fn count_severity(&self, severity: Severity) -> u64 {
        self.counts
            .iter()
            .filter(|(k, _)| k.severity() == severity)
            .map(|(_, n)| n)
            .sum()
    }

    /// True if any error-severity anomaly was met.
    pub fn has_errors(&self) -> bool {
        self.count_severity(Severity::Error) > 0
    }

    /// Examples of one kind.
    pub fn examples_of(&self, kind: AnomalyKind) -> impl Iterator<Item = &Anomaly> {
        self.examples.iter().filter(move |a| a.kind == kind)
    }

    /// The report for one file, if it was read.
    pub fn file(&self, name: &str) -> Option<&FileReport> {
        self.files.iter().find(|f| f.file == name)
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for file in &self.files {
            writeln!(
                f,
                "{}: {} records, {} imported",
                file.file, file.records, file.imported
            )?;
        }
        for (kind, n) in &self.counts {
            writeln!(f, "{:?} ({:?}): {}", kind, kind.severity(), n)?;
        }
        write!(f, "records rejected: {}", self.records_rejected)
    }
}
