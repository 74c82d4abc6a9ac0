//! Queries over a [`Table`]: filters, group-by dimensions and measures.
//!
//! Measures: `licences` counts distinct licence groups, `value_gbp` sums row values, `refused`
//! counts distinct refused groups, `criteria_citations` counts (group, criterion) pairs once each.
//! Filters apply per row, so "military licences to Israel" sums the military rows only and
//! counts each group with at least one military row once.

mod cells;
mod exec;
mod licences;
mod merge;
mod plan;
mod rating_cells;
mod result;

use serde::Serialize;
use time::Date;

pub use licences::{LicenceOrder, LicenceSummary};
pub use result::{Key, Measures, QueryResult, QueryRow};

use crate::countries::{self, Region};
use crate::ratings::RatingKind;
use crate::table::{Decision, LicenceType, Source};

/// Where to: a code, a published name, or a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Destination {
    /// ISO 3166-1 alpha-2 or pseudo-code; matches every published name mapped to it.
    Code(String),
    /// A destination name exactly as published.
    Name(String),
    Region(Region),
}

impl Destination {
    /// Read user input: a region name or slug, a known code, or a destination name (exact, then
    /// ignoring case). Anything else is [`QueryError::UnknownCountry`].
    pub fn parse(text: &str) -> Result<Destination, QueryError> {
        let t = text.trim();
        if let Some(r) = Region::parse(t) {
            return Ok(Destination::Region(r));
        }
        let upper = t.to_ascii_uppercase();
        if t.len() == 2 && countries::is_known_code(&upper) {
            return Ok(Destination::Code(upper));
        }
        if let Some(c) = countries::lookup(t) {
            return Ok(Destination::Name(c.name.to_string()));
        }
        countries::names()
            .find(|c| c.name.eq_ignore_ascii_case(t))
            .map(|c| Destination::Name(c.name.to_string()))
            .ok_or_else(|| QueryError::UnknownCountry(t.to_string()))
    }
}

/// Which ratings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingFilter {
    /// One rating (case of control-list codes is normalised, so `ml10` is `ML10`).
    Exact(String),
    /// A rating and its sub-items (`ML1` matches `ML1a` but not `ML10`), or a family (`5A`, `ML`).
    Prefix(String),
}

/// A group-by dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dim {
    /// Destination code (names mapped to one code are one destination).
    Destination,
    /// Destination name exactly as published.
    DestinationName,
    Region,
    Year,
    Quarter,
    Month,
    Rating,
    /// Rating kind: military, dual-use, national, other.
    Kind,
    Decision,
    /// A group is counted once under each criterion it cites; groups citing none fall under `null`.
    Criterion,
    Source,
    LicenceType,
}

impl Dim {
    pub const ALL: [Dim; 12] = [
        Dim::Destination,
        Dim::DestinationName,
        Dim::Region,
        Dim::Year,
        Dim::Quarter,
        Dim::Month,
        Dim::Rating,
        Dim::Kind,
        Dim::Decision,
        Dim::Criterion,
        Dim::Source,
        Dim::LicenceType,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Dim::Destination => "destination",
            Dim::DestinationName => "destination-name",
            Dim::Region => "region",
            Dim::Year => "year",
            Dim::Quarter => "quarter",
            Dim::Month => "month",
            Dim::Rating => "rating",
            Dim::Kind => "kind",
            Dim::Decision => "decision",
            Dim::Criterion => "criterion",
            Dim::Source => "source",
            Dim::LicenceType => "licence-type",
        }
    }

    pub fn parse(text: &str) -> Option<Dim> {
        let t = text.trim().to_ascii_lowercase().replace('_', "-");
        Dim::ALL.into_iter().find(|d| d.name() == t)
    }
}

/// How to order result rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderBy {
    /// By group keys, in dictionary order (names alphabetical, ratings natural, time ascending).
    #[default]
    Keys,
    ValueDesc,
    LicencesDesc,
    RefusedDesc,
}

/// A query. Every filter is optional; `Query::default()` is everything, ungrouped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Query {
    pub destination: Option<Destination>,
    /// Inclusive.
    pub from: Option<Date>,
    /// Inclusive.
    pub to: Option<Date>,
    pub rating: Option<RatingFilter>,
    pub kind: Option<RatingKind>,
    pub licence_type: Option<LicenceType>,
    pub decision: Option<Decision>,
    /// Only licence groups citing this refusal criterion.
    pub criterion: Option<String>,
    pub source: Option<Source>,
    /// Leave these licence groups out (e.g. the single largest).
    pub exclude_licences: Vec<(Source, u64)>,
    /// Leave out rows flagged as outliers at import.
    pub exclude_outliers: bool,
    pub group_by: Vec<Dim>,
    pub order_by: OrderBy,
    /// Keep only the first `limit` rows after ordering (the total still covers everything).
    pub limit: Option<usize>,
}

/// Why a query was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("unknown country, code or region: {0:?}")]
    UnknownCountry(String),
    #[error("unknown rating: {0:?}")]
    UnknownRating(String),
    #[error("no rating starts with {0:?}")]
    UnknownRatingPrefix(String),
    #[error("unknown refusal criterion: {0:?}")]
    UnknownCriterion(String),
    #[error("date range is reversed: from {from} is after to {to}")]
    ReversedDateRange { from: Date, to: Date },
    #[error("licence {1} from source {0} is not in the table")]
    UnknownLicence(Source, u64),
    #[error("dimension {0} appears twice in group_by")]
    DuplicateDim(&'static str),
    #[error("too many group combinations for these dimensions")]
    TooManyGroups,
}
