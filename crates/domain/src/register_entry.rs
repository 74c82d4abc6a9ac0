//! The register entry: the versioned, deterministic binary encoding of a public decision
//! record as it is appended to the transparency log. Confidential facts (exporter, consignee
//! and end-user names, the exporter's goods descriptions, exact quantities) appear only as
//! salted SHA-256 commitments. docs/register-format.md documents every byte.
//!
//! Layout (version 1), all integers big-endian:
//!
//! ```text
//! "probity/decision/v1\n"                       20 bytes
//! seq              u64                           public record number (outbox sequence)
//! kind             str                           e.g. "grant"
//! decided_at       i64                           Unix time in microseconds, UTC
//! case_reference   str
//! licence_number   opt<str>
//! licence_type     str                           "siel" | "oiel"
//! destinations     u16 count, then str each      ISO 3166-1 alpha-2
//! ratings          u16 count, then (str, i64)    rating, value in GBP minor units
//! goods_summary    str
//! criteria         u16 count, then str each
//! end_user_type    opt<str>
//! reason           opt<str>
//! refers_to        opt<str>
//! commitments      5 × 32 bytes                  exporter, consignee, end_user,
//!                                                goods_description, quantity
//! str      = u16 length ‖ UTF-8 bytes
//! opt<str> = 0x00 | 0x01 ‖ str
//! ```
//!
//! Decoding is strict: the label, every length and tag, every value's syntax and spelling
//! (the decoded entry must re-encode to exactly the input) and the absence of trailing bytes
//! are checked, and no input makes it panic.

use thiserror::Error;
use time::OffsetDateTime;

use crate::application::EndUserType;
use crate::case::LicenceType;
use crate::commitment::{commit, Commitments, ConfidentialField, ConfidentialValues, FieldSalts};
use crate::country::CountryCode;
use crate::criteria::CriterionCode;
use crate::record::{PublicDecisionRecord, RatingValue, RecordKind};
use crate::reference::{CaseReference, LicenceNumber};
use crate::Rating;

/// The label every version-1 entry starts with.
pub const ENTRY_LABEL: &[u8] = b"probity/decision/v1\n";
/// Largest encoded entry: what a C2SP entry bundle can carry.
pub const MAX_ENTRY_LEN: usize = u16::MAX as usize;

/// Why bytes are not a valid register entry.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EntryError {
    #[error("entry does not start with the label \"{want}\"")]
    BadLabel { want: &'static str },
    #[error(
        "entry starts with neither \"probity/decision/v1\\n\" nor \"probity/audit-anchor/v1\\n\""
    )]
    UnknownLabel,
    #[error("entry is truncated in {field} at byte {at}")]
    Truncated { field: &'static str, at: usize },
    #[error("{field} at byte {at} is not valid UTF-8")]
    NotUtf8 { field: &'static str, at: usize },
    #[error("{field} at byte {at} has option tag 0x{tag:02x}, want 0x00 or 0x01")]
    BadTag {
        field: &'static str,
        at: usize,
        tag: u8,
    },
    #[error("{field} is invalid: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("{count} trailing bytes after the entry")]
    TrailingBytes { count: usize },
    #[error("entry is not in canonical form (a value is not spelled canonically)")]
    NonCanonical,
    #[error("{field} is {len} bytes long, more than {max}")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
}

/// One entry of the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterEntry {
    /// The public record number (the outbox sequence, `/register/decisions/<seq>`).
    pub seq: u64,
    pub record: PublicDecisionRecord,
    pub commitments: Commitments,
}

impl RegisterEntry {
    /// The entry for `record`, committing to `values` under `salts`. The decision time is
    /// truncated to whole microseconds (the encoding's resolution).
    pub fn build(
        seq: u64,
        record: &PublicDecisionRecord,
        values: &ConfidentialValues,
        salts: &FieldSalts,
    ) -> RegisterEntry {
        let mut record = record.clone();
        record.decided_at = truncate_to_micros(record.decided_at);
        let commitments = Commitments(
            ConfidentialField::ALL
                .map(|f| commit(f.as_str(), salts.get(f), values.value(f).as_bytes())),
        );
        RegisterEntry {
            seq,
            record,
            commitments,
        }
    }

    /// The entry's bytes. Fails only if a text field or the whole entry is too long.
    pub fn encode(&self) -> Result<Vec<u8>, EntryError> {
        let r = &self.record;
        let mut w = Writer(Vec::with_capacity(512));
        w.0.extend_from_slice(ENTRY_LABEL);
        w.0.extend_from_slice(&self.seq.to_be_bytes());
        w.str("kind", r.kind.as_str())?;
        w.0.extend_from_slice(&micros(r.decided_at).to_be_bytes());
        w.str("case_reference", &r.case_reference.to_string())?;
        w.opt(
            "licence_number",
            r.licence_number.as_ref().map(|n| n.as_str()),
        )?;
        w.str("licence_type", r.licence_type.as_str())?;
        w.count("destinations", r.destinations.len())?;
        for d in &r.destinations {
            w.str("destinations", d.as_str())?;
        }
        w.count("ratings", r.ratings.len())?;
        for rv in &r.ratings {
            w.str("ratings", rv.rating.as_str())?;
            w.0.extend_from_slice(&rv.value_minor.to_be_bytes());
        }
        w.str("goods_summary", &r.goods_summary)?;
        w.count("criteria", r.criteria.len())?;
        for c in &r.criteria {
            w.str("criteria", c.as_str())?;
        }
        w.opt("end_user_type", r.end_user_type.map(EndUserType::as_str))?;
        w.opt("reason", r.reason.as_deref())?;
        w.opt("refers_to", r.refers_to.as_deref())?;
        for c in &self.commitments.0 {
            w.0.extend_from_slice(c);
        }
        if w.0.len() > MAX_ENTRY_LEN {
            return Err(EntryError::TooLong {
                field: "entry",
                len: w.0.len(),
                max: MAX_ENTRY_LEN,
            });
        }
        Ok(w.0)
    }

    /// Strictly decodes an entry (see the module docs). Never panics.
    pub fn decode(bytes: &[u8]) -> Result<RegisterEntry, EntryError> {
        if bytes.len() > MAX_ENTRY_LEN {
            return Err(EntryError::TooLong {
                field: "entry",
                len: bytes.len(),
                max: MAX_ENTRY_LEN,
            });
        }
        let mut r = Reader { buf: bytes, pos: 0 };
        if r.take("label", ENTRY_LABEL.len())? != ENTRY_LABEL {
            return Err(EntryError::BadLabel {
                want: "probity/decision/v1\\n",
            });
        }
        let seq = u64::from_be_bytes(r.array("seq")?);
        let kind: RecordKind = parse("kind", r.str("kind")?)?;
        let decided_at = from_micros(i64::from_be_bytes(r.array("decided_at")?))?;
        let case_reference: CaseReference = parse("case_reference", r.str("case_reference")?)?;
        let licence_number = r
            .opt("licence_number")?
            .map(|s| parse::<LicenceNumber>("licence_number", s))
            .transpose()?;
        let licence_type: LicenceType = parse("licence_type", r.str("licence_type")?)?;
        let mut destinations = Vec::new();
        for _ in 0..r.count("destinations", 3)? {
            destinations.push(parse::<CountryCode>(
                "destinations",
                r.str("destinations")?,
            )?);
        }
        let mut ratings = Vec::new();
        for _ in 0..r.count("ratings", 10)? {
            let rating = Rating::try_from(r.str("ratings")?.to_string()).map_err(|e| {
                EntryError::Invalid {
                    field: "ratings",
                    reason: e.to_string(),
                }
            })?;
            let value_minor = i64::from_be_bytes(r.array("ratings")?);
            ratings.push(RatingValue {
                rating,
                value_minor,
            });
        }
        let goods_summary = r.str("goods_summary")?.to_string();
        let mut criteria = Vec::new();
        for _ in 0..r.count("criteria", 2)? {
            criteria.push(parse::<CriterionCode>("criteria", r.str("criteria")?)?);
        }
        let end_user_type = r
            .opt("end_user_type")?
            .map(|s| parse::<EndUserType>("end_user_type", s))
            .transpose()?;
        let reason = r.opt("reason")?.map(str::to_string);
        let refers_to = r.opt("refers_to")?.map(str::to_string);
        let mut commitments = [[0u8; 32]; 5];
        for c in &mut commitments {
            *c = r.array("commitments")?;
        }
        if r.pos != bytes.len() {
            return Err(EntryError::TrailingBytes {
                count: bytes.len() - r.pos,
            });
        }
        let entry = RegisterEntry {
            seq,
            record: PublicDecisionRecord {
                kind,
                decided_at,
                case_reference,
                licence_number,
                licence_type,
                destinations,
                ratings,
                goods_summary,
                criteria,
                end_user_type,
                reason,
                refers_to,
            },
            commitments: Commitments(commitments),
        };
        // Every value above parsed leniently (case, spacing); only the canonical spelling is
        // a valid entry, so that each record has exactly one encoding.
        if entry.encode()? != bytes {
            return Err(EntryError::NonCanonical);
        }
        Ok(entry)
    }
}

/// Drops sub-microsecond precision and normalises to UTC.
pub fn truncate_to_micros(t: OffsetDateTime) -> OffsetDateTime {
    from_micros(micros(t)).unwrap_or(t)
}

fn micros(t: OffsetDateTime) -> i64 {
    // Every OffsetDateTime (years ±9999) fits in i64 microseconds.
    i64::try_from(t.unix_timestamp_nanos().div_euclid(1000)).unwrap_or(i64::MAX)
}

fn from_micros(us: i64) -> Result<OffsetDateTime, EntryError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000).map_err(|e| {
        EntryError::Invalid {
            field: "decided_at",
            reason: e.to_string(),
        }
    })
}

fn parse<T: std::str::FromStr>(field: &'static str, s: &str) -> Result<T, EntryError>
where
    T::Err: std::fmt::Display,
{
    s.parse().map_err(|e: T::Err| EntryError::Invalid {
        field,
        reason: e.to_string(),
    })
}

struct Writer(Vec<u8>);

impl Writer {
    fn count(&mut self, field: &'static str, n: usize) -> Result<(), EntryError> {
        let n = u16::try_from(n).map_err(|_| EntryError::TooLong {
            field,
            len: n,
            max: usize::from(u16::MAX),
        })?;
        self.0.extend_from_slice(&n.to_be_bytes());
        Ok(())
    }

    fn str(&mut self, field: &'static str, s: &str) -> Result<(), EntryError> {
        self.count(field, s.len())?;
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }

    fn opt(&mut self, field: &'static str, s: Option<&str>) -> Result<(), EntryError> {
        match s {
            None => self.0.push(0),
            Some(s) => {
                self.0.push(1);
                self.str(field, s)?;
            }
        }
        Ok(())
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, field: &'static str, n: usize) -> Result<&'a [u8], EntryError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or(EntryError::Truncated {
                field,
                at: self.pos,
            })?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], EntryError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(field, N)?);
        Ok(out)
    }

    fn u16(&mut self, field: &'static str) -> Result<usize, EntryError> {
        Ok(usize::from(u16::from_be_bytes(self.array(field)?)))
    }

    /// A list count, refused if the remaining bytes cannot hold that many items of at least
    /// `min_item` bytes (so a forged count cannot make us allocate or loop for long).
    fn count(&mut self, field: &'static str, min_item: usize) -> Result<usize, EntryError> {
        let at = self.pos;
        let n = self.u16(field)?;
        if n.saturating_mul(min_item) > self.buf.len() - self.pos {
            return Err(EntryError::Truncated { field, at });
        }
        Ok(n)
    }

    fn str(&mut self, field: &'static str) -> Result<&'a str, EntryError> {
        let len = self.u16(field)?;
        let at = self.pos;
        std::str::from_utf8(self.take(field, len)?).map_err(|_| EntryError::NotUtf8 { field, at })
    }

    fn opt(&mut self, field: &'static str) -> Result<Option<&'a str>, EntryError> {
        let at = self.pos;
        match self.array::<1>(field)?[0] {
            0 => Ok(None),
            1 => self.str(field).map(Some),
            tag => Err(EntryError::BadTag { field, at, tag }),
        }
    }
}

#[cfg(test)]
#[path = "register_entry_tests.rs"]
mod tests;
