//! UK HM Treasury (OFSI) consolidated list, CSV.
//!
//! Line 1 is `Last Updated,dd/mm/yyyy,...`, line 2 the header. There is one row per alias ×
//! date of birth × address; rows are grouped by `Group ID` into one entry. The file is
//! Windows-1252; a UTF-8 file (with or without a byte-order mark) is read as UTF-8.

use super::{collapse, date, digits, BadLineCollector, EntryBuilder, LineCounter, Parsed};
use crate::entry::{EntryKind, NameKind, PartialDate};
use crate::error::ListError;
use std::borrow::Cow;
use std::collections::HashMap;

const FORMAT: &str = "UK HM Treasury consolidated list CSV";

/// The columns read, by header name. All must be present: a renamed column would otherwise
/// silently drop what it holds.
const NAMES: [&str; 6] = ["Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6"];
const ADDRESS: [&str; 7] = [
    "Address 1",
    "Address 2",
    "Address 3",
    "Address 4",
    "Address 5",
    "Address 6",
    "Post/Zip Code",
];
const OTHERS: [&str; 9] = [
    "DOB",
    "Country of Birth",
    "Nationality",
    "Country",
    "Other Information",
    "Group Type",
    "Alias Type",
    "Regime",
    "Listed On",
];
const GROUP_ID: &str = "Group ID";

/// Column positions, looked up by header name.
struct Columns {
    names: [usize; 6],
    address: [usize; 7],
    dob: usize,
    country_of_birth: usize,
    nationality: usize,
    country: usize,
    other_information: usize,
    group_type: usize,
    alias_type: usize,
    regime: usize,
    listed_on: usize,
    group_id: usize,
    count: usize,
}

impl Columns {
    fn from_header(header: &csv::StringRecord, line: u64) -> Result<Self, ListError> {
        let fields: Vec<&str> = header.iter().map(str::trim).collect();
        let find = |name: &str| fields.iter().position(|f| f.eq_ignore_ascii_case(name));
        let missing: Vec<String> = NAMES
            .iter()
            .chain(&ADDRESS)
            .chain(&OTHERS)
            .chain(&[GROUP_ID])
            .filter(|name| find(name).is_none())
            .map(|name| format!("\"{name}\""))
            .collect();
        if !missing.is_empty() {
            let s = if missing.len() == 1 { "" } else { "s" };
            return Err(ListError::WrongFormat {
                expected: FORMAT,
                reason: format!(
                    "the header (line {line}) has no column{s} {}",
                    missing.join(", ")
                ),
            });
        }
        let at = |name: &str| find(name).unwrap_or(0);
        Ok(Self {
            names: NAMES.map(at),
            address: ADDRESS.map(at),
            dob: at("DOB"),
            country_of_birth: at("Country of Birth"),
            nationality: at("Nationality"),
            country: at("Country"),
            other_information: at("Other Information"),
            group_type: at("Group Type"),
            alias_type: at("Alias Type"),
            regime: at("Regime"),
            listed_on: at("Listed On"),
            group_id: at(GROUP_ID),
            count: fields.len(),
        })
    }
}

/// One group being gathered, with the line of its first row (to name it in later messages).
struct Group {
    builder: EntryBuilder,
    first_line: u64,
}

pub(super) fn parse(bytes: &[u8], bad: &mut BadLineCollector) -> Result<Parsed, ListError> {
    let text = decode(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let mut lines = LineCounter::new(text.as_bytes());
    let mut published = None;

    let (mut header, mut header_line) =
        next_record(&mut records, &mut lines)?.ok_or(ListError::Empty)?;
    if header.get(0).map(str::trim) == Some("Last Updated") {
        let value = header.get(1).unwrap_or("").trim();
        if !value.is_empty() {
            match dmy_date(value) {
                Ok(Some(d)) => published = Some(d),
                _ => bad.add(
                    header_line,
                    format!("the Last Updated date \"{value}\" is not a date (dd/mm/yyyy)"),
                ),
            }
        }
        (header, header_line) =
            next_record(&mut records, &mut lines)?.ok_or_else(|| ListError::WrongFormat {
                expected: FORMAT,
                reason: "there is no header line after the Last Updated line".to_owned(),
            })?;
    }
    let cols = Columns::from_header(&header, header_line)?;

    let mut groups: Vec<Group> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    while let Some((row, line)) = next_record(&mut records, &mut lines)? {
        if let Err(reason) = read_row(&row, &cols, line, &mut groups, &mut by_id) {
            bad.add(line, reason);
        }
    }
    let entries = groups
        .into_iter()
        .filter_map(|g| g.builder.build())
        .collect();
    Ok((published, entries))
}

/// Windows-1252, unless the bytes are UTF-8 (a byte-order mark, or simply valid UTF-8: text in
/// Windows-1252 with accented letters is practically never valid UTF-8).
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = super::strip_utf8_bom(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

fn next_record(
    records: &mut csv::StringRecordsIter<'_, &[u8]>,
    lines: &mut LineCounter<'_>,
) -> Result<Option<(csv::StringRecord, u64)>, ListError> {
    match records.next() {
        None => Ok(None),
        Some(Ok(record)) => {
            let line = lines.record(record.position());
            Ok(Some((record, line)))
        }
        // The text is already decoded, so the CSV reader has nothing left to fail on; say so
        // in our words should that ever change.
        Some(Err(e)) => Err(ListError::WrongFormat {
            expected: FORMAT,
            reason: format!(
                "line {}: the CSV cannot be read here",
                lines.record(e.position())
            ),
        }),
    }
}

/// Adds one row to its group, or says why the row is bad.
fn read_row(
    row: &csv::StringRecord,
    cols: &Columns,
    line: u64,
    groups: &mut Vec<Group>,
    by_id: &mut HashMap<String, usize>,
) -> Result<(), String> {
    if row.len() != cols.count {
        return Err(format!(
            "the row has {} columns where the header has {}",
            row.len(),
            cols.count
        ));
    }
    let field = |i: usize| row.get(i).unwrap_or("").trim();
    let id = field(cols.group_id);
    if id.is_empty() {
        return Err("the Group ID is empty".to_owned());
    }
    if digits(id).is_none() {
        return Err(format!("Group ID \"{id}\" is not a number"));
    }
    let kind = match field(cols.group_type).to_ascii_lowercase().as_str() {
        "individual" => EntryKind::Individual,
        "entity" => EntryKind::Entity,
        "ship" | "vessel" => EntryKind::Vessel,
        "" => EntryKind::Unknown,
        other => {
            return Err(format!(
                "Group Type \"{other}\" is not Individual, Entity or Ship"
            ))
        }
    };
    let name = compose_name(cols.names.map(field), kind);
    if name.is_empty() {
        return Err(format!(
            "Group ID {id}: the row has no name (Name 1 to Name 6 are empty)"
        ));
    }
    let dob = field(cols.dob);
    let dob = dmy_date(dob)
        .map_err(|()| format!("Group ID {id}: DOB \"{dob}\" is not a date (dd/mm/yyyy)"))?;
    let listed = field(cols.listed_on);
    let listed = dmy_date(listed).map_err(|()| {
        format!("Group ID {id}: Listed On \"{listed}\" is not a date (dd/mm/yyyy)")
    })?;

    let index = match by_id.get(id) {
        Some(&i) => i,
        None => {
            groups.push(Group {
                builder: EntryBuilder::new(id, kind),
                first_line: line,
            });
            by_id.insert(id.to_owned(), groups.len() - 1);
            groups.len() - 1
        }
    };
    let group = &mut groups[index];
    let b = &mut group.builder;
    if b.kind() != kind {
        return Err(format!(
            "Group ID {id} is {} here but {} on line {}",
            article(kind),
            article(b.kind()),
            group.first_line
        ));
    }
    b.name(&name, alias_kind(field(cols.alias_type)));
    if let Some(d) = dob {
        b.date_of_birth(d);
    }
    if let Some(d) = listed {
        b.listed_on(d);
    }
    for col in [cols.nationality, cols.country_of_birth, cols.country] {
        for country in split_enumeration(field(col)) {
            b.country(&country);
        }
    }
    let mut address: Vec<&str> = cols
        .address
        .iter()
        .map(|&i| field(i))
        .filter(|s| !s.is_empty())
        .collect();
    // A bare country is not an address; with street or town it completes one.
    if !address.is_empty() {
        let country = field(cols.country);
        if !country.is_empty() {
            address.push(country);
        }
        b.address(&address.join(", "));
    }
    b.programme(field(cols.regime));
    b.remark(field(cols.other_information));
    Ok(())
}

/// Individuals: "Name 1 … Name 5 Name 6" (given names, then the surname in Name 6). Others:
/// the fields in the file's column order (Name 6 first), as given.
fn compose_name(fields: [&str; 6], kind: EntryKind) -> String {
    let [n1, n2, n3, n4, n5, n6] = fields;
    let parts = if kind == EntryKind::Individual {
        [n1, n2, n3, n4, n5, n6]
    } else {
        [n6, n1, n2, n3, n4, n5]
    };
    collapse(&parts.join(" "))
}

fn alias_kind(alias_type: &str) -> NameKind {
    let t = alias_type.to_ascii_lowercase();
    if t == "prime alias" || t == "primary name" {
        NameKind::Primary
    } else if t.contains("fka") || t.contains("formerly") {
        NameKind::Former
    } else if t.contains("low") || t.contains("weak") {
        NameKind::WeakAlias
    } else {
        NameKind::Alias
    }
}

fn article(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Individual => "an Individual",
        EntryKind::Entity => "an Entity",
        EntryKind::Vessel => "a Ship",
        EntryKind::Aircraft => "an aircraft",
        EntryKind::Unknown => "without a Group Type",
    }
}

/// `dd/mm/yyyy` with `00` for unknown parts: `Ok(None)` when empty or wholly unknown,
/// `00/00/1980` is the year alone, `00/05/1980` the year and month.
fn dmy_date(text: &str) -> Result<Option<PartialDate>, ()> {
    if text.is_empty() {
        return Ok(None);
    }
    let mut parts = text.split('/');
    let (Some(d), Some(m), Some(y), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(());
    };
    let (d, m, y) = (
        digits(d.trim()).ok_or(())?,
        digits(m.trim()).ok_or(())?,
        digits(y.trim()).ok_or(())?,
    );
    if y == 0 {
        return if d == 0 && m == 0 { Ok(None) } else { Err(()) };
    }
    let month = (m != 0).then_some(m);
    let day = (d != 0).then_some(d);
    date(y, month, day).map(Some).ok_or(())
}

/// Splits numbered lists such as "(1) Afghan (2) Pakistani", "1) Uzbek 2) Afghan",
/// "a) French, b) Tunisian" or "(1)-(2) Tunisia (3) Libya" into their items.
fn split_enumeration(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if let Some(len) = marker_len(&chars, i) {
            items.push(std::mem::take(&mut current));
            i += len;
        } else {
            current.push(chars[i]);
            i += 1;
        }
    }
    items.push(current);
    items
        .into_iter()
        .map(|item| {
            let item =
                item.trim_matches(|c: char| c == '-' || c == ',' || c == ';' || c.is_whitespace());
            collapse(item)
        })
        // "(1) to (6) Algeria" leaves a bare "to" between two markers.
        .filter(|item| !item.is_empty() && item != "to")
        .collect()
}

/// The length of an enumeration marker at `i` — `(1)`, `(12)`, `(a)`, `1)`, `a)` — when it
/// starts a word; a marker without its opening bracket must be one letter or up to two digits.
fn marker_len(chars: &[char], i: usize) -> Option<usize> {
    let at_word_start = i == 0 || chars[i - 1].is_whitespace() || chars[i - 1] == '-';
    if !at_word_start {
        return None;
    }
    let open = chars[i] == '(';
    let start = if open { i + 1 } else { i };
    let mut end = start;
    while end < chars.len() && chars[end].is_ascii_digit() && end - start < 2 {
        end += 1;
    }
    if end == start && chars.get(start).is_some_and(|c| c.is_ascii_lowercase()) {
        end += 1;
    }
    (end > start && chars.get(end) == Some(&')')).then_some(end + 1 - i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enumerations_split_into_items() {
        assert_eq!(
            split_enumeration("1) Saudi Arabia 2) Qatar"),
            ["Saudi Arabia", "Qatar"]
        );
        assert_eq!(
            split_enumeration("a) French, b) Tunisian"),
            ["French", "Tunisian"]
        );
        assert_eq!(
            split_enumeration("(1)-(2) Tunisia (3) Libya"),
            ["Tunisia", "Libya"]
        );
        assert_eq!(
            split_enumeration("(1) to (6) Algeria (7) Morocco"),
            ["Algeria", "Morocco"]
        );
        assert_eq!(
            split_enumeration("Iran (Islamic Republic of)"),
            ["Iran (Islamic Republic of)"]
        );
        assert_eq!(split_enumeration(""), Vec::<String>::new());
    }

    #[test]
    fn dates_with_unknown_parts() {
        assert_eq!(dmy_date("00/00/1980").unwrap().unwrap().to_string(), "1980");
        assert_eq!(
            dmy_date("00/05/1980").unwrap().unwrap().to_string(),
            "1980-05"
        );
        assert_eq!(
            dmy_date("01/08/1979").unwrap().unwrap().to_string(),
            "1979-08-01"
        );
        assert_eq!(dmy_date("00/00/0000"), Ok(None));
        assert!(dmy_date("31/02/1980").is_err());
        assert!(dmy_date("1980").is_err());
    }

    #[test]
    fn individual_names_read_given_names_then_surname() {
        let fields = ["Nayef", "Salam", "", "", "", "AL-HABABI"];
        assert_eq!(
            compose_name(fields, EntryKind::Individual),
            "Nayef Salam AL-HABABI"
        );
        let fields = ["", "", "", "", "", "TONG SAN 2"];
        assert_eq!(compose_name(fields, EntryKind::Entity), "TONG SAN 2");
    }
}
