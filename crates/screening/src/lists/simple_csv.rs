//! Probity's documented CSV for any other list (`docs/screening-list-csv.md`).
//!
//! UTF-8, a header naming the columns: `id` and `name` required; `kind`, `aliases`,
//! `date_of_birth`, `country`, `address`, `programme`, `remarks` optional. Unknown columns are
//! refused so that a misspelt column is not silently ignored. Rows with the same id make one
//! entry: the first row's name is the primary name, the others' become aliases.

use super::{collapse, date, digits, BadLineCollector, EntryBuilder, LineCounter, Parsed};
use crate::entry::{EntryKind, NameKind, PartialDate};
use crate::error::ListError;
use std::collections::HashMap;

const FORMAT: &str = "Probity list CSV";
const KNOWN: [&str; 9] = [
    "id",
    "name",
    "kind",
    "aliases",
    "date_of_birth",
    "country",
    "address",
    "programme",
    "remarks",
];

/// Where each column is; optional ones may be absent.
struct Columns {
    at: [Option<usize>; 9],
    count: usize,
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> Result<Self, ListError> {
        let wrong = |reason: String| ListError::WrongFormat {
            expected: FORMAT,
            reason,
        };
        let mut at = [None; 9];
        let mut unknown = Vec::new();
        for (i, field) in header.iter().enumerate() {
            let name = field.trim().to_ascii_lowercase();
            match KNOWN.iter().position(|k| *k == name) {
                Some(k) if at[k].is_some() => {
                    return Err(wrong(format!("the header has the column \"{name}\" twice")))
                }
                Some(k) => at[k] = Some(i),
                None => unknown.push(format!("\"{}\"", field.trim())),
            }
        }
        if !unknown.is_empty() {
            let s = if unknown.len() == 1 { "" } else { "s" };
            return Err(wrong(format!(
                "the header has the unknown column{s} {}; the columns are {}",
                unknown.join(", "),
                KNOWN.join(", ")
            )));
        }
        for required in ["id", "name"] {
            if at[index(required)].is_none() {
                return Err(wrong(format!(
                    "the header (line 1) has no \"{required}\" column"
                )));
            }
        }
        Ok(Self {
            at,
            count: header.len(),
        })
    }

    fn get<'r>(&self, row: &'r csv::StringRecord, column: &str) -> &'r str {
        self.at[index(column)]
            .and_then(|i| row.get(i))
            .unwrap_or("")
            .trim()
    }
}

fn index(column: &str) -> usize {
    KNOWN.iter().position(|k| *k == column).unwrap_or(0)
}

pub(super) fn parse(bytes: &[u8], bad: &mut BadLineCollector) -> Result<Parsed, ListError> {
    let text = super::utf8_text(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let mut lines = LineCounter::new(text.as_bytes());
    let header = match records.next() {
        None => return Err(ListError::Empty),
        Some(record) => record.map_err(|_| unreadable(1))?,
    };
    let cols = Columns::from_header(&header)?;

    let mut builders: Vec<(EntryBuilder, u64)> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for record in records {
        let row = record.map_err(|e| unreadable(lines.record(e.position())))?;
        let line = lines.record(row.position());
        if let Err(reason) = read_row(&row, &cols, line, &mut builders, &mut by_id) {
            bad.add(line, reason);
        }
    }
    let entries = builders
        .into_iter()
        .filter_map(|(b, _)| b.build())
        .collect();
    Ok((None, entries))
}

/// The text is valid UTF-8 by now, so the CSV reader has little left to fail on.
fn unreadable(line: u64) -> ListError {
    ListError::WrongFormat {
        expected: FORMAT,
        reason: format!("line {line}: the CSV cannot be read here"),
    }
}

fn read_row(
    row: &csv::StringRecord,
    cols: &Columns,
    line: u64,
    builders: &mut Vec<(EntryBuilder, u64)>,
    by_id: &mut HashMap<String, usize>,
) -> Result<(), String> {
    if row.len() != cols.count {
        return Err(format!(
            "the row has {} columns where the header has {}",
            row.len(),
            cols.count
        ));
    }
    let id = cols.get(row, "id");
    if id.is_empty() {
        return Err("the id is empty".to_owned());
    }
    let name = collapse(cols.get(row, "name"));
    if name.is_empty() {
        return Err(format!("id {id}: the name is empty"));
    }
    let kind_text = cols.get(row, "kind");
    let kind = EntryKind::parse(kind_text).ok_or_else(|| {
        format!("id {id}: kind \"{kind_text}\" is not individual, entity, vessel or aircraft")
    })?;
    let dates = split(cols.get(row, "date_of_birth"))
        .map(|d| {
            iso_partial(d).ok_or_else(|| {
                format!("id {id}: date_of_birth \"{d}\" is not yyyy, yyyy-mm or yyyy-mm-dd")
            })
        })
        .collect::<Result<Vec<PartialDate>, String>>()?;

    let index = match by_id.get(id) {
        Some(&i) => i,
        None => {
            builders.push((EntryBuilder::new(id, kind), line));
            by_id.insert(id.to_owned(), builders.len() - 1);
            builders.len() - 1
        }
    };
    let (b, first_line) = &mut builders[index];
    if kind != b.kind() && kind != EntryKind::Unknown {
        if b.kind() != EntryKind::Unknown {
            return Err(format!(
                "id {id} has kind {} here but {} on line {first_line}",
                kind.as_str(),
                b.kind().as_str()
            ));
        }
        // The first row left the kind open; a later row may say it.
        b.set_kind(kind);
    }
    b.name(&name, NameKind::Primary);
    for alias in split(cols.get(row, "aliases")) {
        b.name(alias, NameKind::Alias);
    }
    for d in dates {
        b.date_of_birth(d);
    }
    for country in split(cols.get(row, "country")) {
        b.country(country);
    }
    b.address(cols.get(row, "address"));
    b.programme(cols.get(row, "programme"));
    b.remark(cols.get(row, "remarks"));
    Ok(())
}

/// The non-empty, trimmed items of a `;`-separated field.
fn split(field: &str) -> impl Iterator<Item = &str> {
    field.split(';').map(str::trim).filter(|s| !s.is_empty())
}

/// `yyyy`, `yyyy-mm` or `yyyy-mm-dd`.
fn iso_partial(text: &str) -> Option<PartialDate> {
    let mut parts = text.split('-');
    let year = parts.next().filter(|y| y.len() == 4).and_then(digits)?;
    let month = match parts.next() {
        Some(m) if m.len() == 2 => Some(digits(m)?),
        Some(_) => return None,
        None => None,
    };
    let day = match parts.next() {
        Some(d) if d.len() == 2 => Some(digits(d)?),
        Some(_) => return None,
        None => None,
    };
    if parts.next().is_some() {
        return None;
    }
    date(year, month, day)
}
