//! US OFAC Specially Designated Nationals list, `sdn.csv`.
//!
//! No header; 12 columns `ent_num,SDN_Name,SDN_Type,Program,Title,Call_Sign,Vess_type,Tonnage,
//! GRT,Vess_flag,Vess_owner,Remarks`; `-0- ` is null; CRLF; the file ends with a 0x1A byte.
//! Aliases, dates of birth and nationalities are read out of the free-text Remarks.

use super::{
    collapse, date, digits, year_range, BadLineCollector, EntryBuilder, LineCounter, Parsed,
};
use crate::entry::{EntryKind, NameKind, PartialDate};
use crate::error::ListError;
use std::collections::HashMap;

const FORMAT: &str = "OFAC SDN CSV (sdn.csv)";
const COLUMNS: usize = 12;
const ENT_NUM: usize = 0;
const SDN_NAME: usize = 1;
const SDN_TYPE: usize = 2;
const PROGRAM: usize = 3;
const VESS_FLAG: usize = 9;
const REMARKS: usize = 11;

pub(super) fn parse(bytes: &[u8], bad: &mut BadLineCollector) -> Result<Parsed, ListError> {
    let mut bytes = super::strip_utf8_bom(bytes);
    // The end-of-file byte OFAC still writes, and the line ending before it.
    while let Some(rest) = bytes.strip_suffix(b"\x1a") {
        bytes = rest;
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut lines = LineCounter::new(bytes);
    let mut entries = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut shaped = 0usize;
    let mut first_shape: Option<(u64, usize)> = None;
    let mut encoding_error: Option<u64> = None;
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = lines.record(e.position());
                return Err(ListError::WrongFormat {
                    expected: FORMAT,
                    reason: format!("line {line}: the CSV cannot be read here"),
                });
            }
        }
        let line = lines.record(record.position());
        first_shape.get_or_insert((line, record.len()));
        if record.len() == COLUMNS {
            shaped += 1;
        }
        // Text must be UTF-8 (the file is ASCII); the error waits until the end so that a file
        // of another kind is called that rather than badly encoded.
        let Ok(fields) = record
            .iter()
            .map(std::str::from_utf8)
            .collect::<Result<Vec<&str>, _>>()
        else {
            encoding_error.get_or_insert(line);
            continue;
        };
        match read_row(&fields) {
            Ok(builder) => {
                let Some(entry) = builder.build() else {
                    continue;
                };
                if let Some(first) = seen.get(&entry.entry_id) {
                    bad.add(
                        line,
                        format!(
                            "ent_num {} appears again (first on line {first})",
                            entry.entry_id
                        ),
                    );
                } else {
                    seen.insert(entry.entry_id.clone(), line);
                    entries.push(entry);
                }
            }
            Err(reason) => bad.add(line, reason),
        }
    }
    if let (0, Some((line, columns))) = (shaped, first_shape) {
        return Err(ListError::WrongFormat {
            expected: FORMAT,
            reason: format!(
                "no line has the {COLUMNS} columns of an SDN line (line {line} has {columns})"
            ),
        });
    }
    if let Some(line) = encoding_error {
        return Err(ListError::Encoding {
            encoding: "UTF-8",
            line,
        });
    }
    Ok((None, entries))
}

/// A field's text, or `None` for OFAC's null `-0-` (or an empty field).
fn value<'a>(fields: &[&'a str], i: usize) -> Option<&'a str> {
    let v = fields.get(i)?.trim();
    (!v.is_empty() && v != "-0-").then_some(v)
}

fn read_row(fields: &[&str]) -> Result<EntryBuilder, String> {
    if fields.len() != COLUMNS {
        return Err(format!(
            "the line has {} columns; an SDN line has {COLUMNS}",
            fields.len()
        ));
    }
    let id = fields[ENT_NUM].trim();
    if digits(id).is_none() {
        return Err(format!("ent_num \"{id}\" is not a number"));
    }
    let kind = match value(fields, SDN_TYPE)
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None => EntryKind::Entity,
        Some("individual") => EntryKind::Individual,
        Some("vessel") => EntryKind::Vessel,
        Some("aircraft") => EntryKind::Aircraft,
        Some(other) => {
            return Err(format!(
                "ent_num {id}: SDN_Type \"{other}\" is not individual, vessel, aircraft or -0-"
            ))
        }
    };
    let Some(name) = value(fields, SDN_NAME) else {
        return Err(format!("ent_num {id} has no SDN_Name"));
    };
    let individual = kind == EntryKind::Individual;
    let mut b = EntryBuilder::new(id, kind);
    b.name(&natural_order(name, individual), NameKind::Primary);
    for programme in value(fields, PROGRAM).unwrap_or("").split("] [") {
        b.programme(programme.trim_matches(|c: char| c == '[' || c == ']' || c.is_whitespace()));
    }
    if let Some(flag) = value(fields, VESS_FLAG) {
        b.country(flag);
    }
    if let Some(remarks) = value(fields, REMARKS) {
        read_remarks(remarks, individual, &mut b);
        b.remark(remarks);
    }
    Ok(b)
}

/// "LAST, First Middle" reads "First Middle LAST" for individuals (a suffix after a second
/// comma, such as "Jr.", goes last); other names are kept as they are.
fn natural_order(name: &str, individual: bool) -> String {
    let name = collapse(name);
    if !individual {
        return name;
    }
    let mut parts = name.split(',').map(str::trim).filter(|p| !p.is_empty());
    let Some(surname) = parts.next() else {
        return name;
    };
    let Some(given) = parts.next() else {
        return surname.to_owned();
    };
    let mut out = format!("{given} {surname}");
    for suffix in parts {
        out.push(' ');
        out.push_str(suffix);
    }
    out
}

/// Reads the `;`-separated clauses of Remarks that say something a match is weighed on:
/// `a.k.a. 'X'`, `f.k.a.`, `n.k.a.`, `w.k.a.`, `DOB …`, `nationality X`, `citizen X`,
/// `Nationality of Registration X`. Other clauses (and ones OFAC cut short at the field's
/// length limit) stay only in the remarks text.
fn read_remarks(remarks: &str, individual: bool, b: &mut EntryBuilder) {
    for clause in remarks.split(';') {
        let clause = clause.trim();
        if let Some((kind, quoted)) = alias_clause(clause) {
            // The last clause ends with the remarks' full stop: `a.k.a. 'BNC'.`
            let quoted = quoted
                .strip_suffix("'.")
                .map_or(quoted, |q| &quoted[..=q.len()]);
            if let Some(alias) = quoted
                .strip_prefix('\'')
                .and_then(|q| q.strip_suffix('\''))
                .filter(|a| !a.trim().is_empty())
            {
                b.name(&natural_order(alias, individual), kind);
            }
            continue;
        }
        let clause = clause.strip_suffix('.').unwrap_or(clause);
        let clause = clause.strip_prefix("alt. ").unwrap_or(clause);
        if let Some(dob) = clause.strip_prefix("DOB ") {
            for d in ofac_dates(dob) {
                b.date_of_birth(d);
            }
        } else if let Some(country) = clause
            .strip_prefix("Nationality of Registration ")
            .or_else(|| clause.strip_prefix("nationality "))
            .or_else(|| clause.strip_prefix("citizen "))
        {
            b.country(country);
        }
    }
}

fn alias_clause(clause: &str) -> Option<(NameKind, &str)> {
    let (prefix, kind) = [
        ("a.k.a. ", NameKind::Alias),
        ("n.k.a. ", NameKind::Alias),
        ("f.k.a. ", NameKind::Former),
        ("w.k.a. ", NameKind::WeakAlias),
    ]
    .into_iter()
    .find(|(p, _)| clause.starts_with(p))?;
    Some((kind, clause[prefix.len()..].trim()))
}

/// `10 Jan 1960`, `Jan 1960`, `1960`, `circa 1960`, ranges `01 Jan 1960 to 31 Dec 1962` and
/// `1960-1962` (each year of the range). Nothing when the text cannot be read: remarks are free
/// text, not a field to refuse a line over.
fn ofac_dates(text: &str) -> Vec<PartialDate> {
    let text = text.trim().trim_end_matches('.');
    let text = text.strip_prefix("circa ").unwrap_or(text).trim();
    let range = text
        .split_once(" to ")
        .or_else(|| text.split_once('-').filter(|(a, _)| a.len() == 4));
    if let Some((from, to)) = range {
        return match (one_date(from), one_date(to)) {
            (Some(f), Some(t)) if f.year == t.year && f.month.is_some() && f.month == t.month => {
                date(u32::from(f.year), f.month.map(u32::from), None)
                    .into_iter()
                    .collect()
            }
            (Some(f), Some(t)) => {
                year_range(u32::from(f.year), u32::from(t.year)).unwrap_or_default()
            }
            _ => Vec::new(),
        };
    }
    one_date(text).into_iter().collect()
}

fn one_date(text: &str) -> Option<PartialDate> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        [year] => date(digits(year)?, None, None),
        [month, year] => date(digits(year)?, Some(month_number(month)?), None),
        [day, month, year] => date(
            digits(year)?,
            Some(month_number(month)?),
            Some(digits(day)?),
        ),
        _ => None,
    }
}

fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let position = MONTHS.iter().position(|m| name.get(..3) == Some(*m))?;
    u32::try_from(position + 1).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(text: &str) -> Vec<String> {
        ofac_dates(text).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn remark_dates() {
        assert_eq!(dates("10 Dec 1948"), ["1948-12-10"]);
        assert_eq!(dates("1960"), ["1960"]);
        assert_eq!(dates("circa 1960"), ["1960"]);
        assert_eq!(dates("Jan 1960."), ["1960-01"]);
        assert_eq!(
            dates("01 Jan 1960 to 31 Dec 1962"),
            ["1960", "1961", "1962"]
        );
        assert_eq!(dates("01 Feb 1960 to 28 Feb 1960"), ["1960-02"]);
        assert_eq!(dates("circa 1979-1982"), ["1979", "1980", "1981", "1982"]);
        assert!(dates("unknown").is_empty());
    }

    #[test]
    fn individuals_read_given_names_first() {
        assert_eq!(natural_order("ABBAS, Abu", true), "Abu ABBAS");
        assert_eq!(
            natural_order("DELOS REYES, Feliciano Semborio, Jr.", true),
            "Feliciano Semborio DELOS REYES Jr."
        );
        assert_eq!(
            natural_order("ANGLO-CARIBBEAN CO., LTD.", false),
            "ANGLO-CARIBBEAN CO., LTD."
        );
        assert_eq!(natural_order("TAYSIR", true), "TAYSIR");
    }

    #[test]
    fn remarks_give_aliases_dates_and_countries() {
        let mut b = EntryBuilder::new("1", EntryKind::Individual);
        b.name("Miguel Angel RODRIGUEZ OREJUELA", NameKind::Primary);
        read_remarks(
            "DOB 23 Nov 1943; alt. DOB 15 Jul 1943; nationality Colombia; a.k.a. 'EL SENOR'; \
             f.k.a. 'OREJUELA, Miguel'; a.k.a. 'DOCTOR M.R.O.'; a.k.a. 'ABU AL-WAFA''; \
             a.k.a. 'CUT SHO",
            true,
            &mut b,
        );
        let e = b.build().expect("named");
        let names: Vec<(&str, NameKind)> =
            e.names.iter().map(|n| (n.name.as_str(), n.kind)).collect();
        assert_eq!(
            names,
            [
                ("Miguel Angel RODRIGUEZ OREJUELA", NameKind::Primary),
                ("EL SENOR", NameKind::Alias),
                ("Miguel OREJUELA", NameKind::Former),
                ("DOCTOR M.R.O.", NameKind::Alias),
                ("ABU AL-WAFA'", NameKind::Alias),
            ]
        );
        assert_eq!(e.dates_of_birth.len(), 2);
        assert_eq!(e.countries, ["Colombia"]);
    }
}
