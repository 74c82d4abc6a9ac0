//! Reading one CSV file: header mapping by column name, line numbers, UTF-8 checks.
//! Rows the reader cannot hand over (bad encoding, wrong field count) are reported and rejected.

pub(super) use super::records::Records;
use super::records::{NotUtf8, RecordText};
use crate::report::{AnomalyKind, FileReport, ImportReport};

/// One column the caller wants, with the header names it may have.
pub(crate) struct ColSpec {
    pub names: &'static [&'static str],
    pub required: bool,
    /// Free text: keep surrounding spaces instead of trimming them.
    pub text: bool,
}

pub(crate) const fn col(names: &'static [&'static str], required: bool) -> ColSpec {
    ColSpec {
        names,
        required,
        text: false,
    }
}

pub(crate) const fn text(names: &'static [&'static str], required: bool) -> ColSpec {
    ColSpec {
        names,
        required,
        text: true,
    }
}

/// The fields of one record, addressed by the caller's column specs.
pub(crate) struct Fields<'a> {
    rec: RecordText<'a>,
    cols: &'a [Option<usize>],
}

impl<'a> Fields<'a> {
    /// The field for spec `k`, `None` if the column is absent. Checked to be UTF-8 once, when
    /// the record was read (per field it was a tenth of the parse).
    pub fn get(&self, k: usize) -> Option<&'a str> {
        let i = self.cols.get(k).copied().flatten()?;
        self.rec.get(i)
    }

    /// The field for spec `k`, or "" when the column is absent.
    pub fn str(&self, k: usize) -> &'a str {
        self.get(k).unwrap_or("")
    }
}

/// Which id scheme a header names, from the caller's id spec alias that matched.
pub(crate) struct Header {
    pub cols: Vec<Option<usize>>,
    /// The header name that matched each spec, lower-cased.
    pub matched: Vec<Option<String>>,
}

/// Read `bytes` as CSV. `on_row(line, fields, report)` returns whether the row was imported.
/// Returns the header mapping (None if the header was unusable) and the file summary.
pub(crate) fn read_csv(
    file: &str,
    bytes: &[u8],
    specs: &[ColSpec],
    report: &mut ImportReport,
    on_row: impl FnMut(&Header, u64, &Fields<'_>, &mut ImportReport) -> bool,
) -> (Option<Header>, FileReport) {
    let opened = open(file, bytes, specs, report);
    read_whole(file, opened, specs, report, on_row)
}

/// Every record of an opened file, in order on this thread; the file's summary is added to
/// `report.files` and returned.
pub(super) fn read_whole(
    file: &str,
    opened: Opened<'_>,
    specs: &[ColSpec],
    report: &mut ImportReport,
    on_row: impl FnMut(&Header, u64, &Fields<'_>, &mut ImportReport) -> bool,
) -> (Option<Header>, FileReport) {
    let mut summary = FileReport {
        file: file.to_string(),
        records: 0,
        imported: 0,
    };
    let Opened {
        body,
        rdr,
        header,
        width,
    } = opened;
    // The header's line breaks counted: the records' lines are the file's.
    let at = rdr.position().byte() as usize;
    let line = 1 + memchr::memchr_iter(b'\n', &body[..at.min(body.len())]).count() as u64;
    let h = header.as_ref();
    read_records(
        file,
        Records::new(body, at, line),
        h,
        width,
        specs,
        report,
        &mut summary,
        None,
        on_row,
    );
    report.files.push(summary.clone());
    (header, summary)
}

/// A file whose header has been read: the body (without a byte-order mark), a reader at the
/// first record, the header mapping (None if unusable) and the header's field count.
pub(super) struct Opened<'a> {
    pub body: &'a [u8],
    pub rdr: csv::Reader<&'a [u8]>,
    pub header: Option<Header>,
    pub width: usize,
}

/// Strip a byte-order mark and read the header (both reported).
pub(super) fn open<'a>(
    file: &str,
    bytes: &'a [u8],
    specs: &[ColSpec],
    report: &mut ImportReport,
) -> Opened<'a> {
    let body = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => {
            report.note(
                AnomalyKind::ByteOrderMark,
                file,
                1,
                "UTF-8 byte-order mark stripped".into(),
            );
            rest
        }
        None => bytes,
    };
    let mut rdr = reader(body);
    let mut rec = csv::ByteRecord::new();
    let header = match rdr.read_byte_record(&mut rec) {
        Ok(true) => map_header(file, &rec, specs, report),
        Ok(false) => {
            report.note(
                AnomalyKind::WrongHeader,
                file,
                1,
                "empty file: no header".into(),
            );
            None
        }
        Err(e) => {
            report.note(
                AnomalyKind::UnreadableFile,
                file,
                1,
                format!("cannot read header: {e}"),
            );
            None
        }
    };
    Opened {
        body,
        rdr,
        header,
        width: rec.len(),
    }
}

fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
}

/// Every record of `records`, checked and handed to `on_row` (counted in `summary`). With `stop`,
/// reading stops before the first record that starts (past any line breaks) at or after that
/// offset of the part, and returns where that record starts; `None` when the input ended.
#[allow(clippy::too_many_arguments)]
pub(super) fn read_records(
    file: &str,
    mut records: Records<'_>,
    header: Option<&Header>,
    width: usize,
    specs: &[ColSpec],
    report: &mut ImportReport,
    summary: &mut FileReport,
    stop: Option<usize>,
    mut on_row: impl FnMut(&Header, u64, &Fields<'_>, &mut ImportReport) -> bool,
) -> Option<usize> {
    loop {
        if let Some(stop) = stop {
            let at = records.next_start();
            if at >= stop {
                return Some(at);
            }
        }
        let record = records.next_record()?;
        let line = record.line;
        if let Ok(t) = &record.fields {
            if t.len() == 1 && t.get(0).is_some_and(str::is_empty) {
                continue; // a lone empty field (`""`), not a record
            }
        }
        summary.records += 1;
        let Some(h) = header else {
            report.records_rejected += 1;
            continue;
        };
        let text = match record.fields {
            Ok(text) => text,
            Err(NotUtf8 {
                field,
                valid_up_to,
                byte,
            }) => {
                report.note(
                    AnomalyKind::NotUtf8,
                    file,
                    line,
                    format!(
                        "field {} is not UTF-8: byte 0x{byte:02X} at offset {valid_up_to} \
                         (the file may be Windows-1252 or Latin-1)",
                        field + 1
                    ),
                );
                report.records_rejected += 1;
                continue;
            }
        };
        if text.len() != width {
            report.note(
                AnomalyKind::WrongFieldCount,
                file,
                line,
                format!("{} fields, header has {width}", text.len()),
            );
            report.records_rejected += 1;
            continue;
        }
        let fields = Fields {
            rec: text,
            cols: &h.cols,
        };
        for (k, spec) in specs.iter().enumerate() {
            if let Some(v) = fields.get(k) {
                if !spec.text && trim(v).len() != v.len() {
                    report.note(
                        AnomalyKind::WhitespaceTrimmed,
                        file,
                        line,
                        format!("column {} is {v:?}", spec.names[0]),
                    );
                }
            }
        }
        if on_row(h, line, &fields, report) {
            summary.imported += 1;
        } else {
            report.records_rejected += 1;
        }
    }
}

/// `at` advanced past line breaks (at most to the end of `body`).
pub(super) fn skip_breaks(body: &[u8], at: usize) -> usize {
    let mut at = at.min(body.len());
    while at < body.len() && matches!(body[at], b'\r' | b'\n') {
        at += 1;
    }
    at
}

fn map_header(
    file: &str,
    rec: &csv::ByteRecord,
    specs: &[ColSpec],
    report: &mut ImportReport,
) -> Option<Header> {
    let mut names = Vec::with_capacity(rec.len());
    for f in rec.iter() {
        match std::str::from_utf8(f) {
            Ok(s) => names.push(s.trim().to_ascii_lowercase()),
            Err(_) => {
                report.note(AnomalyKind::NotUtf8, file, 1, "header is not UTF-8".into());
                return None;
            }
        }
    }
    let mut cols = Vec::with_capacity(specs.len());
    let mut matched = Vec::with_capacity(specs.len());
    let mut used = vec![false; names.len()];
    let mut problems = Vec::new();
    for spec in specs {
        let hits: Vec<usize> = (0..names.len())
            .filter(|&i| spec.names.iter().any(|n| *n == names[i]))
            .collect();
        match hits.as_slice() {
            [] if spec.required => {
                problems.push(format!("missing column {}", spec.names.join(" or ")))
            }
            [] => {
                cols.push(None);
                matched.push(None);
            }
            [i] => {
                used[*i] = true;
                cols.push(Some(*i));
                matched.push(Some(names[*i].clone()));
            }
            _ => problems.push(format!(
                "column {} appears more than once",
                spec.names.join(" or ")
            )),
        }
    }
    if !problems.is_empty() {
        let reason = format!("{}; header is {:?}", problems.join("; "), names.join(","));
        report.note(AnomalyKind::WrongHeader, file, 1, reason);
        return None;
    }
    for (i, name) in names.iter().enumerate() {
        if !used[i] {
            report.note(
                AnomalyKind::UnknownColumn,
                file,
                1,
                format!("column {name:?} ignored"),
            );
        }
    }
    Some(Header { cols, matched })
}

/// A whole number; `"12.0"` is accepted (the bool says a decimal part was present).
pub(crate) fn parse_whole(s: &str) -> Result<(i64, bool), String> {
    let t = trim(s);
    if let Some(v) = plain_digits(t) {
        return Ok((v, false));
    }
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b == b'0') {
            return Err(format!("{t:?} is not a whole number"));
        }
    }
    let digits = int.strip_prefix('-').unwrap_or(int);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{t:?} is not a number"));
    }
    int.parse::<i64>()
        .map(|v| (v, frac.is_some()))
        .map_err(|_| format!("{t:?} is out of range"))
}

/// `t` as a number when it is 1 to 18 ASCII digits (too few to overflow), read in one pass:
/// almost every id, value and date part is.
fn plain_digits(t: &str) -> Option<i64> {
    if t.is_empty() || t.len() > 18 {
        return None;
    }
    t.bytes().try_fold(0i64, |v, b| {
        b.is_ascii_digit().then(|| v * 10 + i64::from(b - b'0'))
    })
}

/// A non-negative id.
pub(crate) fn parse_id(s: &str) -> Result<u64, String> {
    let t = trim(s);
    if let Some(v) = plain_digits(t) {
        return Ok(v as u64);
    }
    if t.is_empty() {
        return Err("empty id".into());
    }
    if !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("id {t:?} is not a whole number"));
    }
    // Ids are stored as BIGINT: one above i64::MAX would collide with another when stored.
    t.parse::<i64>()
        .map(|n| n as u64)
        .map_err(|_| format!("id {t:?} is out of range (at most {})", i64::MAX))
}

/// A date written YYYY-MM-DD, years 1900–2199.
pub(crate) fn parse_date(s: &str) -> Result<time::Date, String> {
    let t = trim(s);
    let bad = || format!("{t:?} is not a date (YYYY-MM-DD)");
    let b = t.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Result<i32, String> {
        plain_digits(&t[r]).map(|v| v as i32).ok_or_else(bad)
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1900..2200).contains(&y) {
        return Err(format!("{t:?}: year outside 1900–2199"));
    }
    let month = u8::try_from(m)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or_else(bad)?;
    let day = u8::try_from(d).map_err(|_| bad())?;
    time::Date::from_calendar_date(y, month, day)
        .map_err(|_| format!("{t:?} is not a calendar date"))
}

/// A 0/1 flag (also true/false).
pub(crate) fn parse_flag(s: &str) -> Result<bool, String> {
    let t = trim(s);
    if t == "0" || t.eq_ignore_ascii_case("false") {
        Ok(false)
    } else if t == "1" || t.eq_ignore_ascii_case("true") {
        Ok(true)
    } else {
        Err(format!("{:?} is not 0 or 1", t.to_ascii_lowercase()))
    }
}

/// `s` without the whitespace around it, as [`str::trim`] gives it; at once when neither end
/// is whitespace (almost every field: `str::trim` decodes a character at each end, twice a
/// field for millions of fields).
pub(crate) fn trim(s: &str) -> &str {
    // ASCII and not White_Space (tab to carriage return, space): no trimming to do.
    let plain = |b: u8| b.is_ascii() && b != b' ' && !(0x09..=0x0d).contains(&b);
    match s.as_bytes() {
        [] => s,
        [first, .., last] if plain(*first) && plain(*last) => s,
        [only] if plain(*only) => s,
        _ => s.trim(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn trim_is_str_trim(s in "[ \t\r\n\u{b}\u{c}\u{1c}\u{85}\u{a0}\u{3000}a-z0-9é,.-]{0,6}") {
            proptest::prop_assert_eq!(trim(&s), s.trim());
        }

        #[test]
        fn digits_read_in_one_pass_are_what_the_standard_parser_reads(s in "[0-9]{1,20}") {
            let standard = s.parse::<i64>();
            proptest::prop_assert_eq!(parse_whole(&s).ok(), standard.clone().ok().map(|v| (v, false)));
            proptest::prop_assert_eq!(parse_id(&s).ok(), standard.ok().map(|v| v as u64));
        }
    }

    #[test]
    fn parses_numbers_dates_flags() {
        assert_eq!(parse_whole("3540"), Ok((3540, false)));
        assert_eq!(parse_whole("28591.0"), Ok((28591, true)));
        assert!(parse_whole("12.5").is_err());
        assert!(parse_whole("1e3").is_err());
        assert!(parse_whole("").is_err());
        assert!(parse_whole("99999999999999999999").is_err());
        assert_eq!(parse_whole("-5"), Ok((-5, false)));
        assert!(parse_id("-5").is_err());
        assert_eq!(parse_id("9223372036854775807"), Ok(i64::MAX as u64));
        assert!(parse_id("9223372036854775808").is_err(), "above BIGINT");
        assert!(parse_date("2012-02-30").is_err());
        assert!(parse_date("2012-2-3").is_err());
        assert!(parse_date("1812-02-03").is_err());
        assert_eq!(parse_date("2012-02-29").map(|d| d.ordinal()), Ok(60));
        assert_eq!(parse_flag("1"), Ok(true));
        assert!(parse_flag("yes").is_err());
    }
}
