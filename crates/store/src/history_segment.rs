//! The imported licence history's storage format: rows in segments of up to [`SEGMENT_ROWS`],
//! each one `BYTEA` value (`historic_licence_segments.content`), instead of one B-tree row per
//! (licence group, rating). Five million published rows are ~70 MB this way and are written as
//! ~80 values, where as rows they were ~1 GB of table, index and WAL (issue 14).
//!
//! Format, version 1 (every integer an unsigned LEB128 varint unless said otherwise; "zigzag"
//! maps signed to unsigned as protobuf does, `(n << 1) ^ (n >> 63)`):
//!
//! ```text
//! magic        "PHS1"                 4 bytes: Probity history segment, version 1
//! rows         varint                 number of rows
//! 4 × dict     varint n, n × (varint len, len bytes of UTF-8)
//!              rating, destination, destination code, rating as published
//! rows × row   zigzag Δ licence group  (from the previous row's; the first from 0)
//!              varint rating index
//!              varint occurrence
//!              zigzag Δ line
//!              zigzag Δ decision date  (Julian day number; the first from 0)
//!              varint destination index
//!              varint destination-code index
//!              1 byte flags            bit 0 refused, 1 outlier, 2 value, 3 count, 4 as published
//!              zigzag value_gbp        if flag 2
//!              zigzag licence count    if flag 3
//!              varint as-published index if flag 4
//! crc32        4 bytes little-endian   CRC-32 (IEEE) of every byte before it
//! ```
//!
//! Decoding checks everything: a truncated, altered or foreign value is an error naming what
//! was wrong, never rows that were not written.
use time::Date;

/// Rows per segment: ~1 MB each, small enough to encode on every core, few enough to write as
/// one statement each.
pub const SEGMENT_ROWS: usize = 65_536;

const MAGIC: &[u8; 4] = b"PHS1";
const REFUSED: u8 = 1;
const OUTLIER: u8 = 2;
const HAS_VALUE: u8 = 4;
const HAS_COUNT: u8 = 8;
const HAS_PUBLISHED: u8 = 16;
const KNOWN_FLAGS: u8 = 31;

/// One imported licence row, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow<'a> {
    pub licence_group: i64,
    /// The canonical rating code.
    pub rating: &'a str,
    /// Numbers repeated (group, rating) rows of one source so none is dropped.
    pub occurrence: u32,
    /// The line of the values file it was read from.
    pub line: u64,
    pub decided_on: Date,
    pub destination: &'a str,
    /// The destination's stored code (`countries::code_for`).
    pub code: &'a str,
    pub refused: bool,
    pub value_gbp: Option<i64>,
    pub licence_count: Option<i64>,
    /// The rating as the file spelt it, when normalising changed it.
    pub rating_as_published: Option<&'a str>,
    pub outlier: bool,
}

/// Why a stored segment could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SegmentError {
    #[error("not a history segment (it does not start with PHS1)")]
    BadMagic,
    #[error("the segment ends early, inside {0}")]
    Truncated(&'static str),
    #[error("the segment's checksum does not match its content")]
    BadChecksum,
    #[error("a number in {0} is longer than 64 bits")]
    Overflow(&'static str),
    #[error("{field} index {index} is outside its dictionary of {len}")]
    BadIndex {
        field: &'static str,
        index: u64,
        len: usize,
    },
    #[error("a dictionary entry is not UTF-8")]
    NotUtf8,
    #[error("row {row}: Julian day {day} is not a date")]
    BadDate { row: usize, day: i64 },
    #[error("row {row}: unknown flags {flags:#04x}")]
    BadFlags { row: usize, flags: u8 },
    #[error("{0} bytes follow the last row")]
    TrailingBytes(usize),
}

/// Encode `rows` (at most [`SEGMENT_ROWS`] is usual, not required).
pub fn encode(rows: &[HistoryRow<'_>]) -> Vec<u8> {
    let mut dicts: [Dict<'_>; 4] = Default::default();
    let mut out = Vec::with_capacity(64 + rows.len() * 16);
    out.extend_from_slice(MAGIC);
    put(&mut out, rows.len() as u64);
    // Indices first, into a buffer of their own: the dictionaries precede the rows.
    let mut body = Vec::with_capacity(rows.len() * 16);
    let (mut group, mut line, mut day) = (0i64, 0u64, 0i64);
    for r in rows {
        put(&mut body, zigzag(r.licence_group.wrapping_sub(group)));
        put(&mut body, dicts[0].index(r.rating));
        put(&mut body, u64::from(r.occurrence));
        put(&mut body, zigzag(r.line.wrapping_sub(line) as i64));
        let jd = i64::from(r.decided_on.to_julian_day());
        put(&mut body, zigzag(jd - day));
        put(&mut body, dicts[1].index(r.destination));
        put(&mut body, dicts[2].index(r.code));
        let mut flags = 0;
        for (on, bit) in [
            (r.refused, REFUSED),
            (r.outlier, OUTLIER),
            (r.value_gbp.is_some(), HAS_VALUE),
            (r.licence_count.is_some(), HAS_COUNT),
            (r.rating_as_published.is_some(), HAS_PUBLISHED),
        ] {
            if on {
                flags |= bit;
            }
        }
        body.push(flags);
        if let Some(v) = r.value_gbp {
            put(&mut body, zigzag(v));
        }
        if let Some(n) = r.licence_count {
            put(&mut body, zigzag(n));
        }
        if let Some(p) = r.rating_as_published {
            put(&mut body, dicts[3].index(p));
        }
        (group, line, day) = (r.licence_group, r.line, jd);
    }
    for d in &dicts {
        put(&mut out, d.words.len() as u64);
        for w in &d.words {
            put(&mut out, w.len() as u64);
            out.extend_from_slice(w.as_bytes());
        }
    }
    out.extend_from_slice(&body);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// A decoded segment: its dictionaries and rows by index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    dicts: [Vec<String>; 4],
    rows: Vec<Packed>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Packed {
    group: i64,
    rating: u32,
    occurrence: u32,
    line: u64,
    date: Date,
    destination: u32,
    code: u32,
    flags: u8,
    value: i64,
    count: i64,
    published: u32,
}

impl Segment {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows, in the order they were encoded.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = HistoryRow<'_>> + '_ {
        let d = &self.dicts;
        self.rows.iter().map(move |p| HistoryRow {
            licence_group: p.group,
            rating: &d[0][p.rating as usize],
            occurrence: p.occurrence,
            line: p.line,
            decided_on: p.date,
            destination: &d[1][p.destination as usize],
            code: &d[2][p.code as usize],
            refused: p.flags & REFUSED != 0,
            value_gbp: (p.flags & HAS_VALUE != 0).then_some(p.value),
            licence_count: (p.flags & HAS_COUNT != 0).then_some(p.count),
            rating_as_published: (p.flags & HAS_PUBLISHED != 0)
                .then(|| d[3][p.published as usize].as_str()),
            outlier: p.flags & OUTLIER != 0,
        })
    }
}

const DICT_NAMES: [&str; 4] = [
    "rating",
    "destination",
    "destination code",
    "rating as published",
];

/// Decode a stored segment, checking its checksum first.
pub fn decode(bytes: &[u8]) -> Result<Segment, SegmentError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(SegmentError::BadMagic);
    }
    let Some(body_len) = bytes.len().checked_sub(4).filter(|&n| n >= MAGIC.len()) else {
        return Err(SegmentError::Truncated("the checksum"));
    };
    let (body, crc) = bytes.split_at(body_len);
    if crc32fast::hash(body).to_le_bytes() != crc {
        return Err(SegmentError::BadChecksum);
    }
    let mut r = Reader {
        bytes: body,
        at: MAGIC.len(),
    };
    let n = r.varint("the row count")?;
    let mut dicts: [Vec<String>; 4] = Default::default();
    for (dict, name) in dicts.iter_mut().zip(DICT_NAMES) {
        let words = r.varint(name)?;
        for _ in 0..words {
            let len = r.varint(name)?;
            let bytes = r.take(len, name)?;
            let word = std::str::from_utf8(bytes).map_err(|_| SegmentError::NotUtf8)?;
            dict.push(word.to_string());
        }
    }
    // Each row takes at least 8 bytes: a count beyond that is a lie, not an allocation.
    let mut rows = Vec::with_capacity((n as usize).min(r.remaining() / 8));
    let (mut group, mut line, mut day) = (0i64, 0u64, 0i64);
    for row in 0..n as usize {
        group = group.wrapping_add(unzigzag(r.varint("a licence group")?));
        let rating = r.index(&dicts, 0)?;
        let occurrence = u32::try_from(r.varint("an occurrence")?)
            .map_err(|_| SegmentError::Overflow("an occurrence"))?;
        line = line.wrapping_add(unzigzag(r.varint("a line")?) as u64);
        day = day.wrapping_add(unzigzag(r.varint("a date")?));
        let date = i32::try_from(day)
            .ok()
            .and_then(|d| Date::from_julian_day(d).ok())
            .ok_or(SegmentError::BadDate { row, day })?;
        let destination = r.index(&dicts, 1)?;
        let code = r.index(&dicts, 2)?;
        let flags = r.take(1, "the flags")?[0];
        if flags & !KNOWN_FLAGS != 0 {
            return Err(SegmentError::BadFlags { row, flags });
        }
        let value = match flags & HAS_VALUE {
            0 => 0,
            _ => unzigzag(r.varint("a value")?),
        };
        let count = match flags & HAS_COUNT {
            0 => 0,
            _ => unzigzag(r.varint("a licence count")?),
        };
        let published = match flags & HAS_PUBLISHED {
            0 => 0,
            _ => r.index(&dicts, 3)?,
        };
        rows.push(Packed {
            group,
            rating,
            occurrence,
            line,
            date,
            destination,
            code,
            flags,
            value,
            count,
            published,
        });
    }
    if r.remaining() > 0 {
        return Err(SegmentError::TrailingBytes(r.remaining()));
    }
    Ok(Segment { dicts, rows })
}

/// A dictionary being built: each distinct word once, in first-seen order.
struct Dict<'a> {
    words: Vec<&'a str>,
    index: foldhash::HashMap<&'a str, u64>,
    // Rows that share a string (the import's rows of one spelling do) are found by its
    // address, with no hash of its bytes and no comparison: for as long as `'a` lends them,
    // the same address and length are the same word. (address, length, index); 0 is empty.
    by_address: [(usize, usize, u64); ADDRESS_SLOTS],
}

const ADDRESS_SLOTS: usize = 64;

impl Default for Dict<'_> {
    fn default() -> Self {
        Dict {
            words: Vec::new(),
            index: foldhash::HashMap::default(),
            by_address: [(0, 0, 0); ADDRESS_SLOTS],
        }
    }
}

impl<'a> Dict<'a> {
    fn index(&mut self, word: &'a str) -> u64 {
        let address = word.as_ptr() as usize;
        // Fibonacci hashing of the address (allocations are aligned: its low bits are zeros).
        let hashed = (address as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let slot = (hashed >> (u64::BITS - ADDRESS_SLOTS.ilog2())) as usize;
        let (a, len, i) = self.by_address[slot];
        if a == address && len == word.len() {
            return i;
        }
        let next = self.words.len() as u64;
        let i = *self.index.entry(word).or_insert_with(|| {
            self.words.push(word);
            next
        });
        self.by_address[slot] = (address, word.len(), i);
        i
    }
}

struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn take(&mut self, n: u64, what: &'static str) -> Result<&'b [u8], SegmentError> {
        if n > self.remaining() as u64 {
            return Err(SegmentError::Truncated(what));
        }
        let s = &self.bytes[self.at..self.at + n as usize];
        self.at += n as usize;
        Ok(s)
    }

    fn varint(&mut self, what: &'static str) -> Result<u64, SegmentError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let Some(&b) = self.bytes.get(self.at) else {
                return Err(SegmentError::Truncated(what));
            };
            self.at += 1;
            let bits = u64::from(b & 0x7f);
            // The tenth byte may carry only the top bit.
            if shift == 63 && bits > 1 {
                return Err(SegmentError::Overflow(what));
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(SegmentError::Overflow(what))
    }

    fn index(&mut self, dicts: &[Vec<String>; 4], which: usize) -> Result<u32, SegmentError> {
        let field = DICT_NAMES[which];
        let index = self.varint(field)?;
        let len = dicts[which].len();
        if index >= len as u64 {
            return Err(SegmentError::BadIndex { field, index, len });
        }
        Ok(index as u32)
    }
}

fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

#[cfg(test)]
#[path = "history_segment_tests.rs"]
mod tests;
