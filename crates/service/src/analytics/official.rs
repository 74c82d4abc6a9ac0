//! Official statistics: the standard tables a licensing authority publishes for a year or a
//! quarter, generated from the analytics table (imported history and Probity's register).

use std::collections::BTreeMap;

use probity_analytics::{Decision, Dim, Key, LicenceType, OrderBy, Query, Table};
use serde::Serialize;
use time::{Date, Month};

use super::run;
use crate::{ServiceError, ServiceResult};

/// A calendar year or one quarter of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Period {
    Year(i32),
    Quarter(i32, u8),
}

impl Period {
    /// `2014` or `2014-Q3`.
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        let (y, q) = match s.split_once(['-', ' ']) {
            Some((y, q)) => (y, Some(q.trim_start_matches(['Q', 'q']))),
            None => (s, None),
        };
        let y: i32 = y.parse().ok().filter(|y| (1900..2200).contains(y))?;
        match q {
            None => Some(Period::Year(y)),
            Some(q) => match q.parse::<u8>().ok()? {
                q @ 1..=4 => Some(Period::Quarter(y, q)),
                _ => None,
            },
        }
    }

    pub fn label(&self) -> String {
        match self {
            Period::Year(y) => y.to_string(),
            Period::Quarter(y, q) => format!("{y}-Q{q}"),
        }
    }

    pub fn bounds(&self) -> (Date, Date) {
        let (y, first, last) = match *self {
            Period::Year(y) => (y, 1, 12),
            Period::Quarter(y, q) => (y, q * 3 - 2, q * 3),
        };
        let m0 = Month::try_from(first).unwrap_or(Month::January);
        let m1 = Month::try_from(last).unwrap_or(Month::December);
        let from = Date::from_calendar_date(y, m0, 1).unwrap_or(Date::MIN);
        let to = Date::from_calendar_date(y, m1, m1.length(y)).unwrap_or(Date::MAX);
        (from, to)
    }
}

/// A table cell: text, or a whole number (counts, pounds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Text(String),
    Num(i128),
}

/// One published table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfficialTable {
    /// Used in file names and anchors.
    pub id: &'static str,
    pub title: String,
    pub note: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl OfficialTable {
    /// The table as CSV (numbers unformatted).
    pub fn to_csv(&self) -> ServiceResult<String> {
        let failed = |e: &dyn std::fmt::Display| {
            ServiceError::Internal(format!("could not write table {} as CSV: {e}", self.id))
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.header).map_err(|e| failed(&e))?;
        for r in &self.rows {
            let cells: Vec<String> = r
                .iter()
                .map(|c| match c {
                    Cell::Text(t) => t.clone(),
                    Cell::Num(n) => n.to_string(),
                })
                .collect();
            w.write_record(&cells).map_err(|e| failed(&e))?;
        }
        let bytes = w.into_inner().map_err(|e| failed(&e))?;
        String::from_utf8(bytes).map_err(|e| failed(&e))
    }
}

/// The tables of one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfficialTables {
    pub period: Period,
    /// Years with data, for choosing another period.
    pub years: Vec<i32>,
    pub tables: Vec<OfficialTable>,
}

const DECISIONS: [(Decision, &str); 3] = [
    (Decision::Granted, "issued"),
    (Decision::Refused, "refused"),
    (Decision::Revoked, "revoked"),
];

fn type_label(t: LicenceType) -> &'static str {
    match t {
        LicenceType::Unspecified => "type not published",
        LicenceType::StandardIndividual => "SIEL",
        LicenceType::OpenIndividual => "OIEL",
        LicenceType::OpenGeneral => "OGEL",
        LicenceType::TradeControl => "trade control",
        LicenceType::Transhipment => "transhipment",
        LicenceType::Other => "other",
    }
}

fn in_period(p: Period) -> Query {
    let (from, to) = p.bounds();
    Query {
        from: Some(from),
        to: Some(to),
        ..Default::default()
    }
}

/// The years the table covers.
pub fn years(t: &Table) -> Vec<i32> {
    t.date_range()
        .map(|(a, b)| (a.year()..=b.year()).collect())
        .unwrap_or_default()
}

/// The official tables for `period` (default: the latest year with data).
pub fn official_tables(t: &Table, period: Option<Period>) -> ServiceResult<OfficialTables> {
    let years = years(t);
    let period = period
        .or_else(|| years.last().map(|y| Period::Year(*y)))
        .ok_or_else(|| ServiceError::NotFound("statistics (no data yet)"))?;
    let label = period.label();
    let mut tables = Vec::new();

    // 1. Decisions per quarter (or month, for a quarter).
    let step = match period {
        Period::Year(_) => Dim::Quarter,
        Period::Quarter(..) => Dim::Month,
    };
    let r = run(
        t,
        &Query {
            group_by: vec![step, Dim::Decision],
            ..in_period(period)
        },
    )?;
    let mut by_step: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    for row in &r.rows {
        let (Some(k), Some(Key::Decision(d))) = (row.keys.first(), row.keys.get(1)) else {
            continue;
        };
        let key = match k {
            Key::Quarter { year, quarter } => format!("{year}-Q{quarter}"),
            Key::Month { year, month } => format!("{year}-{month:02}"),
            _ => continue,
        };
        if let Some(i) = DECISIONS.iter().position(|(x, _)| x == d) {
            by_step.entry(key).or_default()[i] += row.measures.licences;
        }
    }
    tables.push(OfficialTable {
        id: "decisions",
        title: format!("Licences issued, refused and revoked, {label}"),
        note: "Licences are counted as licence groups where the published data has no finer grain."
            .into(),
        header: ["period", "issued", "refused", "revoked"]
            .map(String::from)
            .to_vec(),
        rows: by_step
            .into_iter()
            .map(|(k, n)| {
                let mut row = vec![Cell::Text(k)];
                row.extend(n.iter().map(|&x| Cell::Num(x.into())));
                row
            })
            .collect(),
    });

    // 2. By destination and licence type.
    let r = run(
        t,
        &Query {
            group_by: vec![Dim::Destination, Dim::LicenceType, Dim::Decision],
            ..in_period(period)
        },
    )?;
    let mut types: Vec<LicenceType> = Vec::new();
    let mut by_dest: BTreeMap<(String, String), BTreeMap<(LicenceType, usize), u64>> =
        BTreeMap::new();
    for row in &r.rows {
        let [Key::Destination { code, name }, Key::LicenceType(lt), Key::Decision(d)] =
            &row.keys[..]
        else {
            continue;
        };
        let Some(i) = DECISIONS.iter().position(|(x, _)| x == d) else {
            continue;
        };
        if !types.contains(lt) {
            types.push(*lt);
        }
        *by_dest
            .entry((name.clone(), code.clone()))
            .or_default()
            .entry((*lt, i))
            .or_default() += row.measures.licences;
    }
    types.sort();
    let mut header = vec!["destination".to_string(), "code".to_string()];
    for lt in &types {
        for (_, what) in DECISIONS {
            header.push(format!("{} {what}", type_label(*lt)));
        }
    }
    tables.push(OfficialTable {
        id: "by-destination",
        title: format!("Licences by destination and type, {label}"),
        note: "The imported 2008–2015 data does not say which type each licence was.".into(),
        header,
        rows: by_dest
            .into_iter()
            .map(|((name, code), counts)| {
                let mut row = vec![Cell::Text(name), Cell::Text(code)];
                for lt in &types {
                    for i in 0..DECISIONS.len() {
                        let n = counts.get(&(*lt, i)).copied().unwrap_or(0);
                        row.push(Cell::Num(n.into()));
                    }
                }
                row
            })
            .collect(),
    });

    // 3. Values by destination.
    let r = run(
        t,
        &Query {
            decision: Some(Decision::Granted),
            group_by: vec![Dim::Destination],
            order_by: OrderBy::ValueDesc,
            ..in_period(period)
        },
    )?;
    tables.push(OfficialTable {
        id: "values",
        title: format!("Value of licences issued by destination, {label}"),
        note: "Values in pounds sterling as stated on the licences; open licences carry none."
            .into(),
        header: ["destination", "code", "licences issued", "value (GBP)"]
            .map(String::from)
            .to_vec(),
        rows: r
            .rows
            .iter()
            .filter_map(|row| match row.keys.first() {
                Some(Key::Destination { code, name }) => Some(vec![
                    Cell::Text(name.clone()),
                    Cell::Text(code.clone()),
                    Cell::Num(row.measures.licences.into()),
                    Cell::Num(row.measures.value_gbp),
                ]),
                _ => None,
            })
            .collect(),
    });

    // 4. Refusals by criterion.
    let r = run(
        t,
        &Query {
            decision: Some(Decision::Refused),
            group_by: vec![Dim::Criterion],
            ..in_period(period)
        },
    )?;
    tables.push(OfficialTable {
        id: "criteria",
        title: format!("Refusals by criterion, {label}"),
        note: "A refusal citing several criteria counts under each.".into(),
        header: ["criterion", "description", "refusals"]
            .map(String::from)
            .to_vec(),
        rows: r
            .rows
            .iter()
            .filter_map(|row| match row.keys.first() {
                Some(Key::Criterion(c)) => {
                    let (code, description) = match c {
                        Some(c) => (
                            c.clone(),
                            t.criteria()
                                .iter()
                                .find(|e| &e.code == c)
                                .map(|e| e.description.clone())
                                .unwrap_or_default(),
                        ),
                        None => ("none".into(), "no criterion published".into()),
                    };
                    Some(vec![
                        Cell::Text(code),
                        Cell::Text(description),
                        Cell::Num(row.measures.refused.into()),
                    ])
                }
                _ => None,
            })
            .collect(),
    });
    Ok(OfficialTables {
        period,
        years,
        tables,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_bound() {
        assert_eq!(Period::parse("2014"), Some(Period::Year(2014)));
        assert_eq!(Period::parse("2014-Q3"), Some(Period::Quarter(2014, 3)));
        assert_eq!(Period::parse("2014-Q5"), None);
        assert_eq!(Period::parse("soon"), None);
        let (a, b) = Period::Quarter(2016, 1).bounds();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2016-01-01".into(), "2016-03-31".into())
        );
    }
}
