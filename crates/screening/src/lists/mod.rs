//! Parsers for the real list files: UK HM Treasury consolidated list CSV ([`ListKind::UkHmt`]),
//! UN Security Council consolidated XML ([`ListKind::Un`]), US OFAC `sdn.csv`
//! ([`ListKind::OfacSdn`]) and Probity's documented CSV for any other list
//! ([`ListKind::Other`], see `docs/screening-list-csv.md`).
//!
//! Every parser reads the whole file before deciding: with [`BadLines::Refuse`] a file with bad
//! lines is refused naming the first one and counting the others, so the person loading it can
//! fix them all in one go; with [`BadLines::Skip`] the good entries load and every bad line is
//! listed in [`ParsedList::skipped`].

mod hmt;
mod ofac;
mod simple_csv;
mod un;

use crate::entry::{
    BadLines, EntryKind, EntryName, ListEntry, ListKind, NameKind, ParsedList, PartialDate,
    SkippedLine,
};
use crate::error::ListError;
use sha2::{Digest, Sha256};

/// Parses a list file of the given kind.
///
/// Errors: [`ListError::WrongFormat`] when the file is not of that kind at all (or the kind is
/// [`ListKind::Denials`], which is never loaded from a file), [`ListError::Encoding`] when its
/// bytes are not in the format's encoding, [`ListError::BadLine`] when some lines are bad and
/// `bad` is [`BadLines::Refuse`], [`ListError::Empty`] when no entry is left.
pub fn parse(kind: &ListKind, bytes: &[u8], bad: BadLines) -> Result<ParsedList, ListError> {
    // A file of nothing but blanks (or OFAC's end-of-file byte) is empty whatever its kind.
    if bytes.iter().all(|b| b.is_ascii_whitespace() || *b == 0x1a)
        || strip_utf8_bom(bytes).iter().all(u8::is_ascii_whitespace)
    {
        return Err(ListError::Empty);
    }
    let mut collector = BadLineCollector::default();
    let (published, entries) = match kind {
        ListKind::UkHmt => hmt::parse(bytes, &mut collector)?,
        ListKind::Un => un::parse(bytes, &mut collector)?,
        ListKind::OfacSdn => ofac::parse(bytes, &mut collector)?,
        ListKind::Other(_) => simple_csv::parse(bytes, &mut collector)?,
        ListKind::Denials => {
            return Err(ListError::WrongFormat {
                expected: "loadable list",
                reason: "denials are made by Probity from refused cases, not loaded from a file"
                    .to_owned(),
            })
        }
    };
    let skipped = collector.finish(bad)?;
    if entries.is_empty() {
        return Err(ListError::Empty);
    }
    Ok(ParsedList {
        kind: kind.clone(),
        published,
        file_sha256: hex::encode(Sha256::digest(bytes)),
        entries,
        skipped,
    })
}

/// What a format parser returns: the published date the file states, and its entries in file
/// order (each id once).
type Parsed = (Option<PartialDate>, Vec<ListEntry>);

/// Collects bad lines while a parser scans the whole file; [`BadLineCollector::finish`] then
/// refuses the file or hands the lines over to be listed.
#[derive(Debug, Default)]
pub(crate) struct BadLineCollector {
    lines: Vec<SkippedLine>,
}

impl BadLineCollector {
    pub(crate) fn add(&mut self, line: u64, reason: impl Into<String>) {
        self.lines.push(SkippedLine {
            line,
            reason: reason.into(),
        });
    }

    /// Refuse: the first bad line (in file order) and how many more; Skip: all of them.
    pub(crate) fn finish(mut self, mode: BadLines) -> Result<Vec<SkippedLine>, ListError> {
        // Some checks (such as a repeated id) are made after the line they name was read.
        self.lines.sort_by_key(|l| l.line);
        match mode {
            BadLines::Skip => Ok(self.lines),
            BadLines::Refuse => {
                let more = self.lines.len().saturating_sub(1);
                match self.lines.into_iter().next() {
                    Some(first) => Err(ListError::BadLine { first, more }),
                    None => Ok(Vec::new()),
                }
            }
        }
    }

    /// A defect after which the rest of the file cannot be read (malformed XML): refused in
    /// either mode, naming that line first and counting the bad lines seen before it.
    pub(crate) fn fatal(self, line: u64, reason: impl Into<String>) -> ListError {
        ListError::BadLine {
            first: SkippedLine {
                line,
                reason: reason.into(),
            },
            more: self.lines.len(),
        }
    }
}

/// Builds one entry from the pieces a parser finds, keeping every list de-duplicated in source
/// order and the primary name first.
#[derive(Debug)]
pub(crate) struct EntryBuilder {
    entry_id: String,
    kind: EntryKind,
    primary: Option<String>,
    names: Vec<EntryName>,
    dates_of_birth: Vec<PartialDate>,
    countries: Vec<String>,
    addresses: Vec<String>,
    programmes: Vec<String>,
    listed_on: Option<PartialDate>,
    remarks: Vec<String>,
}

impl EntryBuilder {
    pub(crate) fn new(entry_id: &str, kind: EntryKind) -> Self {
        Self {
            entry_id: entry_id.to_owned(),
            kind,
            primary: None,
            names: Vec::new(),
            dates_of_birth: Vec::new(),
            countries: Vec::new(),
            addresses: Vec::new(),
            programmes: Vec::new(),
            listed_on: None,
            remarks: Vec::new(),
        }
    }

    pub(crate) fn kind(&self) -> EntryKind {
        self.kind
    }

    pub(crate) fn set_kind(&mut self, kind: EntryKind) {
        self.kind = kind;
    }

    /// Adds a name. A second, different primary name becomes an alias; a name already held
    /// keeps the kind it was first given.
    pub(crate) fn name(&mut self, name: &str, kind: NameKind) {
        let name = collapse(name);
        if name.is_empty() {
            return;
        }
        if kind == NameKind::Primary && self.primary.is_none() {
            self.names.retain(|n| n.name != name);
            self.primary = Some(name);
            return;
        }
        let kind = if kind == NameKind::Primary {
            NameKind::Alias
        } else {
            kind
        };
        if self.primary.as_deref() != Some(name.as_str())
            && !self.names.iter().any(|n| n.name == name)
        {
            self.names.push(EntryName { name, kind });
        }
    }

    pub(crate) fn has_name(&self) -> bool {
        self.primary.is_some() || !self.names.is_empty()
    }

    pub(crate) fn date_of_birth(&mut self, date: PartialDate) {
        push_unique(&mut self.dates_of_birth, date);
    }

    pub(crate) fn country(&mut self, country: &str) {
        if let Some(country) = clean_country(country) {
            push_unique(&mut self.countries, country);
        }
    }

    pub(crate) fn address(&mut self, address: &str) {
        let address = collapse(address);
        if !address.is_empty() {
            push_unique(&mut self.addresses, address);
        }
    }

    pub(crate) fn programme(&mut self, programme: &str) {
        let programme = collapse(programme);
        if !programme.is_empty() {
            push_unique(&mut self.programmes, programme);
        }
    }

    pub(crate) fn listed_on(&mut self, date: PartialDate) {
        // The first date the source gives wins; later rows of the same entry repeat it.
        self.listed_on.get_or_insert(date);
    }

    pub(crate) fn remark(&mut self, remark: &str) {
        let remark = collapse(remark);
        if !remark.is_empty() {
            push_unique(&mut self.remarks, remark);
        }
    }

    /// The entry, or `None` when it has no name at all. Without a primary name, the first
    /// other name becomes the primary.
    pub(crate) fn build(self) -> Option<ListEntry> {
        let mut names = self.names;
        match self.primary {
            Some(primary) => names.insert(
                0,
                EntryName {
                    name: primary,
                    kind: NameKind::Primary,
                },
            ),
            None => names.first_mut()?.kind = NameKind::Primary,
        }
        Some(ListEntry {
            entry_id: self.entry_id,
            kind: self.kind,
            names,
            dates_of_birth: self.dates_of_birth,
            countries: self.countries,
            addresses: self.addresses,
            programmes: self.programmes,
            listed_on: self.listed_on,
            remarks: self.remarks.join("\n"),
        })
    }
}

/// Trims and collapses every run of whitespace (including newlines) to one space.
pub(crate) fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Pushes `item` unless it is already there, so lists stay de-duplicated in source order
/// (lists per entry are short, so a scan is cheap).
pub(crate) fn push_unique<T: PartialEq>(items: &mut Vec<T>, item: T) {
    if !items.contains(&item) {
        items.push(item);
    }
}

/// A country as a list names it, without a trailing note such as "(since 2009)" or
/// "(at time of listing)"; `None` for an empty or "n/a" value.
pub(crate) fn clean_country(text: &str) -> Option<String> {
    let mut country = collapse(text);
    while country.ends_with(')') {
        match country.rfind('(') {
            Some(open) if open > 0 => {
                country.truncate(open);
                country = collapse(&country);
            }
            _ => break,
        }
    }
    let country = country
        .trim_matches(|c: char| c == ',' || c == ';' || c == '.' || c.is_whitespace())
        .to_owned();
    match country.to_ascii_lowercase().as_str() {
        "" | "na" | "n/a" | "-" | "unknown" | "none" | "none identified" => None,
        _ => Some(country),
    }
}

/// A date, if the parts make one (years 1000 to 2999, months 1 to 12, days valid for the month).
pub(crate) fn date(year: u32, month: Option<u32>, day: Option<u32>) -> Option<PartialDate> {
    if !(1000..=2999).contains(&year) || (day.is_some() && month.is_none()) {
        return None;
    }
    if let Some(m) = month {
        if !(1..=12).contains(&m) {
            return None;
        }
        if let Some(d) = day {
            let leap =
                (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
            let last = match m {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            if !(1..=last).contains(&d) {
                return None;
            }
        }
    }
    Some(PartialDate {
        year: u16::try_from(year).ok()?,
        month: month.and_then(|m| u8::try_from(m).ok()),
        day: day.and_then(|d| u8::try_from(d).ok()),
    })
}

/// An ISO date `yyyy-mm-dd` (anything after the tenth character, such as the UN's time-zone
/// suffix `-05:00` or a time, is ignored).
pub(crate) fn iso_date(text: &str) -> Option<PartialDate> {
    let text = text.trim();
    let head = text.get(..10)?;
    let bytes = head.as_bytes();
    if bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    date(
        digits(&head[..4])?,
        Some(digits(&head[5..7])?),
        Some(digits(&head[8..10])?),
    )
}

/// A number made only of ASCII digits (no sign, no spaces).
pub(crate) fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 9 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Each year from `from` to `to` as a year-only date; ranges of more than 20 years keep the
/// first 20 (a wider range says little about the person).
pub(crate) fn year_range(from: u32, to: u32) -> Option<Vec<PartialDate>> {
    if to < from {
        return None;
    }
    (from..=to.min(from + 19))
        .map(|y| date(y, None, None))
        .collect()
}

pub(crate) fn strip_utf8_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// The 1-based line holding byte `offset`.
pub(crate) fn line_of_offset(bytes: &[u8], offset: usize) -> u64 {
    let end = offset.min(bytes.len());
    1 + bytes[..end].iter().filter(|b| **b == b'\n').count() as u64
}

/// Turns byte offsets into 1-based line numbers, counting each newline once as a parser moves
/// forward through the file.
pub(crate) struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    /// The line holding byte `offset`.
    pub(crate) fn at(&mut self, offset: u64) -> u64 {
        let offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        if offset < self.offset {
            return line_of_offset(self.bytes, offset);
        }
        self.line += self.bytes[self.offset..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        self.offset = offset;
        self.line
    }

    /// The line a CSV record starts on, from the byte offset the csv crate gives. Its own line
    /// numbers are wrong after CRLF endings and blank lines, and its offset can point at the
    /// previous record's line ending, so line endings there are stepped over first (a record
    /// never starts with one).
    pub(crate) fn record(&mut self, position: Option<&csv::Position>) -> u64 {
        let mut offset = position.map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        while matches!(self.bytes.get(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        self.at(offset as u64)
    }
}

/// The bytes as UTF-8 text (a byte-order mark is dropped), or an encoding error naming the line
/// of the first bad byte.
pub(crate) fn utf8_text(bytes: &[u8]) -> Result<&str, ListError> {
    let bytes = strip_utf8_bom(bytes);
    std::str::from_utf8(bytes).map_err(|e| ListError::Encoding {
        encoding: "UTF-8",
        line: line_of_offset(bytes, e.valid_up_to()),
    })
}

#[cfg(test)]
mod tests;
