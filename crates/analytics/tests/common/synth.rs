//! Synthetic tables for engine tests.

use probity_analytics::{Decision, LicenceType, RowInput, Source, Table, TableBuilder};
use time::Date;

pub const RATINGS: &[&str] = &["ML1", "ML10", "5A002", "PL9009", "End Use", "ML10a"];
pub const PLACES: &[&str] = &["Israel", "Sarawak", "Malaysia", "Iran", "Atlantis"];
pub const CRITERIA: &[&str] = &["1", "2", "3", "7"];

#[derive(Debug, Clone)]
pub struct Row {
    pub source: Source,
    pub licence: u64,
    pub date: Date,
    pub rating: &'static str,
    pub place: &'static str,
    pub decision: Decision,
    pub value: Option<i64>,
    pub criteria: Vec<String>,
    pub outlier: bool,
}

pub fn date(day: u16) -> Date {
    Date::from_ordinal_date(2019 + (day / 365) as i32, 1 + day % 365).unwrap()
}

pub fn build(rows: &[Row]) -> Table {
    let mut b = TableBuilder::new();
    for r in rows {
        b.push(&RowInput {
            source: r.source,
            licence: r.licence,
            date: r.date,
            rating: r.rating,
            destination: r.place,
            decision: r.decision,
            licence_type: LicenceType::Unspecified,
            value_gbp: r.value,
            count: 1,
            criteria: &r.criteria,
            outlier: r.outlier,
        })
        .unwrap();
    }
    b.build()
}
