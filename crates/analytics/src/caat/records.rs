//! The records of a CSV body, as the csv crate reads them with its defaults (RFC 4180: comma,
//! `"` quotes with `""` inside them, CR, LF or CRLF ending a record, blank lines skipped), each
//! with the line it starts on.
//!
//! Most lines of a published file are one record of plain or simply quoted fields: those are
//! split here, their fields borrowed from the body (a line checked as UTF-8 once, no copy).
//! Anything else (a quote inside a field, a line break inside quotes, a CR outside quotes but
//! at the line's end, bytes that are not UTF-8) is read by `csv_core`, the csv crate's own tokenizer, from where the
//! record starts. Both give what the csv crate gives (property test below); the split was a
//! third of the import's parse at 5 M rows.

use memchr::memchr;

use super::csvread::skip_breaks;

/// One record: the line it starts on, and its fields.
pub(super) struct Record<'r> {
    pub line: u64,
    pub fields: Result<RecordText<'r>, NotUtf8>,
}

/// A record's fields as text: field `i` is `text[bounds[i].0..bounds[i].1]`.
#[derive(Clone, Copy)]
pub(super) struct RecordText<'r> {
    pub text: &'r str,
    pub bounds: &'r [(usize, usize)],
}

impl<'r> RecordText<'r> {
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    pub fn get(&self, i: usize) -> Option<&'r str> {
        self.bounds.get(i).map(|&(s, e)| &self.text[s..e])
    }
}

/// A field that is not UTF-8: which (0-based), how far it is valid, and the byte there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct NotUtf8 {
    pub field: usize,
    pub valid_up_to: usize,
    pub byte: u8,
}

/// The records of `body` from `at` (a record boundary), `line` being the line at `at`.
pub(super) struct Records<'a> {
    body: &'a [u8],
    at: usize,
    line: u64,
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    bounds: Vec<(usize, usize)>,
}

impl<'a> Records<'a> {
    pub(super) fn new(body: &'a [u8], at: usize, line: u64) -> Self {
        Records {
            body,
            at,
            line,
            core: csv_core::Reader::new(),
            out: vec![0; 1024],
            ends: vec![0; 64],
            bounds: Vec::new(),
        }
    }

    /// Where the next record starts (past any line breaks).
    pub(super) fn next_start(&self) -> usize {
        skip_breaks(self.body, self.at)
    }

    /// The next record, or `None` at the end of the body.
    pub(super) fn next_record(&mut self) -> Option<Record<'_>> {
        let start = self.next_start();
        // Blank lines are skipped, and counted.
        self.line += memchr::memchr_iter(b'\n', &self.body[self.at..start]).count() as u64;
        self.at = start;
        if start >= self.body.len() {
            return None;
        }
        let line = self.line;
        let rest = &self.body[start..];
        let nl = memchr(b'\n', rest);
        let mut text = &rest[..nl.unwrap_or(rest.len())];
        if let [head @ .., b'\r'] = text {
            text = head;
        }
        if split_simple(text, &mut self.bounds) {
            if let Ok(text) = std::str::from_utf8(text) {
                self.at = start + nl.map_or(rest.len(), |n| n + 1);
                self.line += u64::from(nl.is_some());
                return Some(Record {
                    line,
                    fields: Ok(RecordText {
                        text,
                        bounds: &self.bounds,
                    }),
                });
            }
        }
        let fields = self.read_with_core(start);
        Some(Record { line, fields })
    }

    /// The record at `start` read by the csv crate's tokenizer.
    fn read_with_core(&mut self, start: usize) -> Result<RecordText<'_>, NotUtf8> {
        use csv_core::ReadRecordResult::*;
        // From the start of a record, in a body whose byte-order mark (if any) was stripped
        // when it was opened: a call that reads nothing (no room for output) tells the
        // tokenizer it is past the start, where it would look for one.
        self.core.reset();
        let _ = self.core.read_record(b"\n", &mut [], &mut []);
        let input = &self.body[start..];
        let (mut nin, mut nout, mut nend) = (0, 0, 0);
        loop {
            // Once the body is used up, an empty input ends the record (as the csv crate
            // signals the end of its input).
            let (res, i, o, e) =
                self.core
                    .read_record(&input[nin..], &mut self.out[nout..], &mut self.ends[nend..]);
            (nin, nout, nend) = (nin + i, nout + o, nend + e);
            match res {
                InputEmpty => {}
                OutputFull => self.out.resize(self.out.len() * 2, 0),
                OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                Record | End => break,
            }
        }
        self.line += memchr::memchr_iter(b'\n', &input[..nin]).count() as u64;
        self.at = start + nin;
        let out = &self.out[..nout];
        self.bounds.clear();
        let mut from = 0;
        for &end in &self.ends[..nend] {
            self.bounds.push((from, end));
            from = end;
        }
        // Checked field by field, as the csv crate does: two fields that are not UTF-8 can
        // make text that is.
        if !out.is_ascii() {
            for (field, &(s, e)) in self.bounds.iter().enumerate() {
                if let Err(err) = std::str::from_utf8(&out[s..e]) {
                    let valid_up_to = err.valid_up_to();
                    return Err(NotUtf8 {
                        field,
                        valid_up_to,
                        byte: out[s + valid_up_to],
                    });
                }
            }
        }
        let text = std::str::from_utf8(out).map_err(|err| NotUtf8 {
            field: 0,
            valid_up_to: err.valid_up_to(),
            byte: out[err.valid_up_to()],
        })?;
        Ok(RecordText {
            text,
            bounds: &self.bounds,
        })
    }
}

/// Split one line (without its line break) into fields when it is plain: unquoted fields
/// without quotes or CRs, and quoted fields with no quote inside, each followed by a comma or
/// the end. Returns false (leaving `bounds` to be overwritten) for anything else. A byte at a
/// time: fields are a few bytes long, shorter than a vector search pays for.
fn split_simple(line: &[u8], bounds: &mut Vec<(usize, usize)>) -> bool {
    bounds.clear();
    let mut i = 0;
    loop {
        if line.get(i) == Some(&b'"') {
            let Some(q) = memchr(b'"', &line[i + 1..]) else {
                return false; // closed on a later line, or never
            };
            let close = i + 1 + q;
            bounds.push((i + 1, close));
            match line.get(close + 1) {
                None => return true,
                Some(b',') => i = close + 2,
                Some(_) => return false, // `""` inside, or text after the closing quote
            }
            continue;
        }
        let start = i;
        while let Some(&b) = line.get(i) {
            match b {
                b',' => break,
                b'"' | b'\r' => return false,
                _ => i += 1,
            }
        }
        bounds.push((start, i));
        if i == line.len() {
            return true;
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{NotUtf8, Records};
    use crate::caat::csvread::skip_breaks;

    type Read = (usize, u64, Result<Vec<String>, NotUtf8>);

    /// Every record as the csv crate reads it, with its start and line counted as the import
    /// did before this module.
    fn by_csv_crate(body: &[u8]) -> Vec<Read> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(body);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while rdr.read_byte_record(&mut rec).expect("reading from memory") {
            let start = skip_breaks(body, rec.position().map_or(0, |p| p.byte() as usize));
            let line = 1 + body[..start].iter().filter(|&&b| b == b'\n').count() as u64;
            let fields = match csv::StringRecord::from_byte_record(rec.clone()) {
                Ok(text) => Ok(text.iter().map(str::to_string).collect()),
                Err(err) => {
                    let (field, valid_up_to) =
                        (err.utf8_error().field(), err.utf8_error().valid_up_to());
                    let byte = rec[field][valid_up_to];
                    Err(NotUtf8 {
                        field,
                        valid_up_to,
                        byte,
                    })
                }
            };
            out.push((start, line, fields));
        }
        out
    }

    fn by_records(body: &[u8]) -> Vec<Read> {
        let mut records = Records::new(body, 0, 1);
        let mut out = Vec::new();
        loop {
            let start = records.next_start();
            let Some(r) = records.next_record() else {
                break;
            };
            let fields = r.fields.map(|t| {
                (0..t.len())
                    .map(|i| t.get(i).unwrap().to_string())
                    .collect()
            });
            out.push((start, r.line, fields));
        }
        out
    }

    #[test]
    fn published_shapes_are_read_as_the_csv_crate_reads_them() {
        let body: &[u8] = b"1,2008-01-02,ML10,1,3540,Italy,0\r\n\
                    2,2008-01-02,ML7,,\"Korea, South\",0\r\n\
                    \r\n\
                    3,\"say \"\"hi\"\"\",x\n\
                    4,\"two\nlines\",y\r\
                    5,\xC3\xA9,\"\",\n\
                    6,\xff\xfe,z\n\
                    \"\"\n\
                    7,last";
        assert_eq!(by_records(body), by_csv_crate(body));
        assert_eq!(by_records(body).len(), 8);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn any_bytes_are_read_as_the_csv_crate_reads_them(
            rest in proptest::collection::vec(
                prop::sample::select(vec![
                    b'a', b'b', b'1', b' ', b',', b',', b'"', b'"', b'\r', b'\n', b'\n',
                    0xC3, 0xA9, 0xFF, 0xEF, 0xBB, 0xBF,
                ]),
                0..80,
            )
        ) {
            // After a first line, as a body is read (the csv crate strips a byte-order mark
            // at the very start only; `open` has stripped one there before records are read).
            let body = [b"h\n".as_slice(), &rest].concat();
            prop_assert_eq!(by_records(&body), by_csv_crate(&body));
        }
    }
}
