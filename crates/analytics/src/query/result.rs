//! Query results: decoded group keys, measures, ordering, and their JSON shape.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::exec::Acc;
use super::plan::Plan;
use super::{Dim, OrderBy, Query};
use crate::countries::Region;
use crate::ratings::RatingKind;
use crate::table::{Decision, LicenceType, Part, Source, BASE_YEAR};

/// The measures of a set of rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Measures {
    /// Distinct licence groups.
    pub licences: u64,
    /// Sum of values in GBP (rows without a value count as 0).
    pub value_gbp: i128,
    /// Distinct refused licence groups.
    pub refused: u64,
    /// Distinct (licence group, criterion) citations.
    pub criteria_citations: u64,
}

/// One group key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Destination {
        code: String,
        name: String,
    },
    DestinationName {
        name: String,
        code: String,
    },
    Region(Region),
    Year(i32),
    Quarter {
        year: i32,
        quarter: u8,
    },
    Month {
        year: i32,
        month: u8,
    },
    Rating(String),
    Kind(RatingKind),
    Decision(Decision),
    /// `None`: the licence group cites no criterion.
    Criterion(Option<String>),
    Source(Source),
    LicenceType(LicenceType),
}

impl Key {
    fn write<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {
        match self {
            Key::Destination { code, name } => {
                m.serialize_entry("destination", code)?;
                m.serialize_entry("destination_name", name)
            }
            Key::DestinationName { name, code } => {
                m.serialize_entry("published_name", name)?;
                m.serialize_entry("published_code", code)
            }
            Key::Region(r) => m.serialize_entry("region", r),
            Key::Year(y) => m.serialize_entry("year", y),
            Key::Quarter { year, quarter } => {
                m.serialize_entry("quarter", &format!("{year}-Q{quarter}"))
            }
            Key::Month { year, month } => m.serialize_entry("month", &format!("{year}-{month:02}")),
            Key::Rating(r) => m.serialize_entry("rating", r),
            Key::Kind(k) => m.serialize_entry("kind", k),
            Key::Decision(d) => m.serialize_entry("decision", d),
            Key::Criterion(c) => m.serialize_entry("criterion", c),
            Key::Source(s) => m.serialize_entry("source", s),
            Key::LicenceType(l) => m.serialize_entry("licence_type", l),
        }
    }
}

/// One result row: its keys (in `group_by` order) and measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryRow {
    pub keys: Vec<Key>,
    pub measures: Measures,
}

/// Serialised flat: `{"destination": "IL", "destination_name": "Israel", "year": 2014,
/// "licences": 3, "value_gbp": 100, "refused": 0, "criteria_citations": 0}`.
impl Serialize for QueryRow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for k in &self.keys {
            k.write(&mut m)?;
        }
        m.serialize_entry("licences", &self.measures.licences)?;
        m.serialize_entry("value_gbp", &self.measures.value_gbp)?;
        m.serialize_entry("refused", &self.measures.refused)?;
        m.serialize_entry("criteria_citations", &self.measures.criteria_citations)?;
        m.end()
    }
}

/// A query's answer: the total over all matching rows, and one row per group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueryResult {
    pub group_by: Vec<Dim>,
    pub total: Measures,
    pub rows: Vec<QueryRow>,
}

impl QueryResult {
    /// The row whose keys are exactly `keys`.
    pub fn row(&self, keys: &[Key]) -> Option<&QueryRow> {
        self.rows.iter().find(|r| r.keys == keys)
    }
}

fn decode(t: &Part, p: &Plan, codes: &[u64]) -> Vec<Key> {
    p.dims
        .iter()
        .zip(codes)
        .map(|(d, &c)| {
            let c = c as usize;
            match d.dim {
                Dim::Destination => {
                    let e = &t.codes[c];
                    Key::Destination {
                        code: e.code.clone(),
                        name: e.name.clone(),
                    }
                }
                Dim::DestinationName => {
                    let e = &t.places[c];
                    Key::DestinationName {
                        name: e.name.clone(),
                        code: e.code.clone(),
                    }
                }
                Dim::Region => Key::Region(Region::ALL[c]),
                Dim::Year | Dim::Quarter | Dim::Month => {
                    let (div, offset) = d.time;
                    let months = (offset as usize + c) * div as usize;
                    let year = BASE_YEAR + (months / 12) as i32;
                    match d.dim {
                        Dim::Year => Key::Year(year),
                        Dim::Quarter => Key::Quarter {
                            year,
                            quarter: (months % 12 / 3 + 1) as u8,
                        },
                        _ => Key::Month {
                            year,
                            month: (months % 12 + 1) as u8,
                        },
                    }
                }
                Dim::Rating => Key::Rating(t.ratings[c].code.clone()),
                Dim::Kind => Key::Kind(RatingKind::ALL[c]),
                Dim::Decision => Key::Decision(Decision::from_u8(c as u8)),
                Dim::Criterion => Key::Criterion(t.criteria.get(c).map(|e| e.code.clone())),
                Dim::Source => Key::Source(Source::from_u8(c as u8)),
                Dim::LicenceType => Key::LicenceType(LicenceType::from_u8(c as u8)),
            }
        })
        .collect()
}

pub(super) fn assemble(
    t: &Part,
    p: &Plan,
    q: &Query,
    total: Measures,
    buckets: Vec<(u64, Acc)>,
) -> QueryResult {
    let mut rows: Vec<(Vec<u64>, Measures)> = buckets
        .into_iter()
        .map(|(key, acc)| {
            (
                p.dims.iter().map(|d| key / d.stride % d.radix).collect(),
                acc.measures(),
            )
        })
        .collect();
    // Codes follow dictionary order, so sorting by codes sorts by display order.
    rows.sort_by(|a, b| {
        let by = |m: &Measures| match q.order_by {
            OrderBy::Keys => 0,
            OrderBy::ValueDesc => m.value_gbp,
            OrderBy::LicencesDesc => m.licences as i128,
            OrderBy::RefusedDesc => m.refused as i128,
        };
        by(&b.1).cmp(&by(&a.1)).then_with(|| a.0.cmp(&b.0))
    });
    if let Some(n) = q.limit {
        rows.truncate(n);
    }
    QueryResult {
        group_by: q.group_by.clone(),
        total,
        rows: rows
            .into_iter()
            .map(|(codes, m)| QueryRow {
                keys: decode(t, p, &codes),
                measures: m,
            })
            .collect(),
    }
}
