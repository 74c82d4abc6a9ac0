//! UN Security Council consolidated list, XML: `CONSOLIDATED_LIST` with
//! `INDIVIDUALS/INDIVIDUAL` and `ENTITIES/ENTITY`.
//!
//! Each entry element is read into a small tree and then converted, so the order of its
//! children does not matter. Bad entries are skipped or refused like bad lines, named by the
//! line where the element starts. Malformed XML is refused in either mode: after it the reader
//! cannot find where the next entry begins.

use super::{
    collapse, digits, iso_date, year_range, BadLineCollector, EntryBuilder, LineCounter, Parsed,
};
use crate::entry::{EntryKind, NameKind, PartialDate};
use crate::error::ListError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::HashMap;

const FORMAT: &str = "UN consolidated list XML";
const ROOT: &str = "CONSOLIDATED_LIST";

/// An element of an entry: its name, its own text, its children.
#[derive(Debug, Default)]
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The child's text, trimmed and collapsed ("" when absent).
    fn text_of(&self, name: &str) -> String {
        self.child(name)
            .map(|c| collapse(&c.text))
            .unwrap_or_default()
    }
}

pub(super) fn parse(bytes: &[u8], bad: &mut BadLineCollector) -> Result<Parsed, ListError> {
    let text = super::utf8_text(bytes)?;
    let mut lines = LineCounter::new(text.as_bytes());
    let mut reader = Reader::from_str(text);
    let mut published = None;
    let mut root_seen = false;
    let mut entries = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    // Names of the open elements outside entries; the entry being read, with its line.
    let mut open: Vec<String> = Vec::new();
    let mut entry: Vec<Node> = Vec::new();
    let mut entry_line = 0;

    loop {
        let start = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                let line = lines.at(reader.error_position());
                if !root_seen {
                    return Err(not_xml(format!("line {line}: this is not well-formed XML")));
                }
                return Err(std::mem::take(bad).fatal(line, malformed(&e)));
            }
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) if open.is_empty() => {
                let name = element_name(e);
                let line = lines.at(start);
                if root_seen {
                    return Err(std::mem::take(bad)
                        .fatal(line, format!("<{name}> comes after the end of <{ROOT}>")));
                }
                if name != ROOT {
                    return Err(not_xml(format!(
                        "its root element is <{name}>, not <{ROOT}>"
                    )));
                }
                root_seen = true;
                published = date_generated(e, line, bad);
                if matches!(event, Event::Start(_)) {
                    open.push(name);
                }
            }
            Event::Start(e) => {
                let name = element_name(&e);
                if entry.is_empty() && !is_entry(&name) {
                    open.push(name);
                } else {
                    if entry.is_empty() {
                        entry_line = lines.at(start);
                    }
                    entry.push(Node {
                        name,
                        ..Node::default()
                    });
                }
            }
            Event::Empty(e) => {
                let name = element_name(&e);
                if let Some(parent) = entry.last_mut() {
                    parent.children.push(Node {
                        name,
                        ..Node::default()
                    });
                } else if is_entry(&name) {
                    let line = lines.at(start);
                    bad.add(
                        line,
                        format!("the {name} is empty: it has no REFERENCE_NUMBER"),
                    );
                }
            }
            Event::Text(t) => {
                if let Some(node) = entry.last_mut() {
                    let text = t.unescape().map_err(|_| {
                        let line = lines.at(start);
                        std::mem::take(bad)
                            .fatal(line, "the XML has an unknown entity (&...;) here")
                    })?;
                    node.text.push_str(&text);
                } else if !root_seen && !t.iter().all(u8::is_ascii_whitespace) {
                    return Err(not_xml(format!(
                        "it does not start with a <{ROOT}> element"
                    )));
                }
            }
            Event::CData(t) => {
                if let Some(node) = entry.last_mut() {
                    node.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::End(_) => match entry.pop() {
                None => {
                    open.pop();
                }
                Some(node) => match entry.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => {
                        let Some(e) = convert(&node, entry_line, bad) else {
                            continue;
                        };
                        if let Some(first) = seen.get(&e.entry_id) {
                            bad.add(
                                entry_line,
                                format!(
                                    "REFERENCE_NUMBER {} appears again (first on line {first})",
                                    e.entry_id
                                ),
                            );
                        } else {
                            seen.insert(e.entry_id.clone(), entry_line);
                            entries.push(e);
                        }
                    }
                },
            },
            Event::Eof => {
                if !root_seen {
                    return Err(not_xml(format!("there is no <{ROOT}> element in it")));
                }
                let unclosed = entry
                    .first()
                    .map(|n| n.name.clone())
                    .or(open.last().cloned());
                if let Some(unclosed) = unclosed {
                    let line = lines.at(text.trim_end().len() as u64);
                    return Err(std::mem::take(bad).fatal(
                        line,
                        format!("the file ends before <{unclosed}> is closed: it may be cut short"),
                    ));
                }
                break;
            }
            _ => {}
        }
    }
    Ok((published, entries))
}

/// What is wrong, in our words (the reader's own messages are for programmers).
fn malformed(error: &quick_xml::Error) -> String {
    use quick_xml::errors::IllFormedError;
    match error {
        quick_xml::Error::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
            format!("the XML is malformed here: </{found}> where </{expected}> should close")
        }
        quick_xml::Error::IllFormed(IllFormedError::UnmatchedEndTag(name)) => {
            format!("the XML is malformed here: </{name}> closes no element")
        }
        _ => "the XML is malformed here".to_owned(),
    }
}

fn not_xml(reason: String) -> ListError {
    ListError::WrongFormat {
        expected: FORMAT,
        reason,
    }
}

fn element_name(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.name().as_ref()).into_owned()
}

fn is_entry(name: &str) -> bool {
    name == "INDIVIDUAL" || name == "ENTITY"
}

/// The root's `dateGenerated` (`2018-10-29T19:09:49.856-04:00`): the date part.
fn date_generated(
    root: &BytesStart<'_>,
    line: u64,
    bad: &mut BadLineCollector,
) -> Option<PartialDate> {
    let value = root
        .try_get_attribute("dateGenerated")
        .ok()
        .flatten()?
        .unescape_value()
        .ok()?
        .into_owned();
    let date = iso_date(&value);
    if date.is_none() {
        bad.add(
            line,
            format!("the list's dateGenerated \"{value}\" is not a date (yyyy-mm-dd)"),
        );
    }
    date
}

/// One INDIVIDUAL or ENTITY, or `None` (and a bad line) when it cannot be an entry.
fn convert(node: &Node, line: u64, bad: &mut BadLineCollector) -> Option<crate::entry::ListEntry> {
    let what = node.name.as_str();
    let reference = node.text_of("REFERENCE_NUMBER");
    if reference.is_empty() {
        bad.add(line, format!("the {what} has no REFERENCE_NUMBER"));
        return None;
    }
    let individual = what == "INDIVIDUAL";
    let kind = if individual {
        EntryKind::Individual
    } else {
        EntryKind::Entity
    };
    let mut b = EntryBuilder::new(&reference, kind);
    let primary = if individual {
        let parts =
            ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"].map(|n| node.text_of(n));
        collapse(&parts.join(" "))
    } else {
        node.text_of("FIRST_NAME")
    };
    b.name(&primary, NameKind::Primary);
    for alias in node.children(if individual {
        "INDIVIDUAL_ALIAS"
    } else {
        "ENTITY_ALIAS"
    }) {
        let quality = alias.text_of("QUALITY").to_ascii_lowercase();
        let kind = match quality.as_str() {
            "low" => NameKind::WeakAlias,
            "f.k.a." | "fka" => NameKind::Former,
            _ => NameKind::Alias,
        };
        b.name(&alias.text_of("ALIAS_NAME"), kind);
    }
    b.name(
        &node.text_of("NAME_ORIGINAL_SCRIPT"),
        NameKind::OriginalScript,
    );
    if !b.has_name() {
        bad.add(line, format!("{what} {reference} has no name"));
        return None;
    }

    for dob in node.children("INDIVIDUAL_DATE_OF_BIRTH") {
        match dates_of_birth(dob) {
            Ok(dates) => dates.into_iter().for_each(|d| b.date_of_birth(d)),
            Err(text) => {
                bad.add(
                    line,
                    format!("{what} {reference}: the date of birth \"{text}\" is not a date"),
                );
                return None;
            }
        }
    }
    for nationality in node.children("NATIONALITY") {
        for value in nationality.children("VALUE") {
            b.country(&value.text);
        }
    }
    for place in node.children("INDIVIDUAL_PLACE_OF_BIRTH") {
        b.country(&place.text_of("COUNTRY"));
    }
    for address in node.children(if individual {
        "INDIVIDUAL_ADDRESS"
    } else {
        "ENTITY_ADDRESS"
    }) {
        let parts: Vec<String> = ["STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY"]
            .iter()
            .map(|n| address.text_of(n))
            .filter(|s| !s.is_empty())
            .collect();
        b.address(&parts.join(", "));
        b.country(&address.text_of("COUNTRY"));
    }
    b.programme(&node.text_of("UN_LIST_TYPE"));
    let listed = node.text_of("LISTED_ON");
    if !listed.is_empty() {
        match iso_date(&listed) {
            Some(d) => b.listed_on(d),
            None => {
                bad.add(
                    line,
                    format!(
                        "{what} {reference}: LISTED_ON \"{listed}\" is not a date (yyyy-mm-dd)"
                    ),
                );
                return None;
            }
        }
    }
    b.remark(&node.text_of("COMMENTS1"));
    b.build()
}

/// The dates one INDIVIDUAL_DATE_OF_BIRTH gives: a DATE, a YEAR, or each year from FROM_YEAR
/// to TO_YEAR. Nothing when it is empty; the text when it cannot be read.
fn dates_of_birth(dob: &Node) -> Result<Vec<PartialDate>, String> {
    let date = dob.text_of("DATE");
    if !date.is_empty() {
        return iso_date(&date).map(|d| vec![d]).ok_or(date);
    }
    let year = dob.text_of("YEAR");
    if !year.is_empty() {
        return digits(&year)
            .and_then(|y| super::date(y, None, None))
            .map(|d| vec![d])
            .ok_or(year);
    }
    let (from, to) = (dob.text_of("FROM_YEAR"), dob.text_of("TO_YEAR"));
    if from.is_empty() && to.is_empty() {
        return Ok(Vec::new());
    }
    let range = match (digits(&from), digits(&to)) {
        (Some(f), Some(t)) => year_range(f, t),
        (Some(y), None) | (None, Some(y)) if from.is_empty() || to.is_empty() => year_range(y, y),
        _ => None,
    };
    range.ok_or_else(|| format!("{from} to {to}"))
}
