//! What a register monitor checks about the *meaning* of entries (the log library only
//! knows bytes): every entry decodes, record numbers increase, no licence number is granted
//! twice, and every later event on a licence (suspension, reinstatement, revocation,
//! surrender, expiry, exhaustion) refers to a licence granted earlier in the log.
//!
//! [`LogFacts`] is what a monitor remembers between runs (serialisable), so that new entries
//! are checked against every earlier one without fetching the whole log again.

use std::collections::BTreeMap;

use probity_domain::{RecordKind, RegisterEntry};
use serde::{Deserialize, Serialize};

/// Facts learnt from the entries checked so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogFacts {
    /// Entries checked (the next index expected).
    pub entries: u64,
    /// Licence number → index of the entry that granted it.
    pub grants: BTreeMap<String, u64>,
    /// The last record number seen.
    pub last_seq: Option<u64>,
    /// Entries per record kind.
    pub kinds: BTreeMap<String, u64>,
}

/// Whether a record of `kind` is an event on an existing licence.
fn is_licence_event(kind: RecordKind) -> bool {
    matches!(
        kind,
        RecordKind::Suspension
            | RecordKind::Reinstatement
            | RecordKind::Revocation
            | RecordKind::Surrender
            | RecordKind::Expiry
            | RecordKind::Exhaustion
    )
}

impl LogFacts {
    /// Checks the encoded entry at `index` (which must be the next one) and learns from it.
    /// On error the facts are unchanged.
    pub fn check(&mut self, index: u64, bytes: &[u8]) -> Result<(), String> {
        if index != self.entries {
            return Err(format!(
                "entry {index} checked out of order (expected entry {})",
                self.entries
            ));
        }
        let entry = RegisterEntry::decode(bytes)
            .map_err(|e| format!("entry {index} does not decode: {e}"))?;
        self.check_entry(index, &entry)
    }

    /// Checks a decoded entry at `index` and learns from it. On error the facts are unchanged.
    pub fn check_entry(&mut self, index: u64, e: &RegisterEntry) -> Result<(), String> {
        if let Some(last) = self.last_seq.filter(|&s| e.seq <= s) {
            return Err(format!(
                "entry {index} has record number {} after record number {last}",
                e.seq
            ));
        }
        let kind = e.record.kind;
        let mut grant = None;
        if kind == RecordKind::Grant {
            let Some(n) = &e.record.licence_number else {
                return Err(format!("entry {index} is a grant without a licence number"));
            };
            let n = n.to_string();
            if let Some(first) = self.grants.get(&n) {
                return Err(format!(
                    "entry {index} grants licence {n}, which entry {first} already granted"
                ));
            }
            grant = Some(n);
        } else if is_licence_event(kind) {
            let what = kind.as_str().replace('_', " ");
            let Some(target) = &e.record.refers_to else {
                return Err(format!(
                    "entry {index} ({what}) does not say which licence it concerns"
                ));
            };
            if !self.grants.contains_key(target) {
                return Err(format!(
                    "entry {index} ({what}) refers to licence {target}, which no earlier entry grants"
                ));
            }
            if let Some(n) = &e.record.licence_number {
                if n.to_string() != *target {
                    return Err(format!(
                        "entry {index} ({what}) names licence {n} but refers to {target}"
                    ));
                }
            }
        }
        if let Some(n) = grant {
            self.grants.insert(n, index);
        }
        self.last_seq = Some(e.seq);
        self.entries = index + 1;
        *self.kinds.entry(kind.as_str().to_owned()).or_default() += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use probity_domain::{LicenceNumber, PublicDecisionRecord, RecordKind, RegisterEntry};

    use super::*;

    fn entry_bytes() -> Vec<u8> {
        let hex = include_str!("../../../domain/src/register_entry_example.hex");
        let clean: String = hex.split_whitespace().collect();
        (0..clean.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&clean[i..i + 2], 16).unwrap())
            .collect()
    }

    fn base() -> RegisterEntry {
        RegisterEntry::decode(&entry_bytes()).unwrap()
    }

    fn with(
        seq: u64,
        kind: RecordKind,
        licence: Option<&str>,
        refers: Option<&str>,
    ) -> RegisterEntry {
        let mut e = base();
        e.seq = seq;
        e.record = PublicDecisionRecord {
            kind,
            licence_number: licence.map(|l| l.parse::<LicenceNumber>().unwrap()),
            refers_to: refers.map(str::to_owned),
            ..e.record
        };
        e
    }

    #[test]
    fn example_entry_decodes_and_is_checked() {
        let mut f = LogFacts::default();
        f.check(0, &entry_bytes()).unwrap();
        assert_eq!(f.entries, 1);
        assert!(f
            .check(0, &entry_bytes())
            .unwrap_err()
            .contains("out of order"));
        let mut bad = entry_bytes();
        bad[0] ^= 1;
        assert!(f.check(1, &bad).unwrap_err().contains("does not decode"));
    }

    #[test]
    fn events_need_an_earlier_grant_and_grants_are_unique() {
        let lic = "GBSIEL/2026/0000123/L1";
        let mut f = LogFacts::default();
        // A suspension before any grant.
        let err = f
            .check_entry(0, &with(1, RecordKind::Suspension, Some(lic), Some(lic)))
            .unwrap_err();
        assert!(
            err.contains("entry 0 (suspension) refers to licence"),
            "{err}"
        );
        assert_eq!(f, LogFacts::default());

        f.check_entry(0, &with(1, RecordKind::Grant, Some(lic), None))
            .unwrap();
        f.check_entry(1, &with(2, RecordKind::Suspension, Some(lic), Some(lic)))
            .unwrap();
        f.check_entry(2, &with(3, RecordKind::Reinstatement, Some(lic), Some(lic)))
            .unwrap();
        f.check_entry(3, &with(4, RecordKind::Refusal, None, None))
            .unwrap();
        let err = f
            .check_entry(4, &with(5, RecordKind::Grant, Some(lic), None))
            .unwrap_err();
        assert!(err.contains("which entry 0 already granted"), "{err}");
        let err = f
            .check_entry(4, &with(5, RecordKind::Revocation, None, None))
            .unwrap_err();
        assert!(err.contains("does not say"), "{err}");
        let err = f
            .check_entry(
                4,
                &with(5, RecordKind::Expiry, None, Some("GBSIEL/2026/0000099/L1")),
            )
            .unwrap_err();
        assert!(err.contains("no earlier entry grants"), "{err}");
        let err = f
            .check_entry(4, &with(4, RecordKind::Refusal, None, None))
            .unwrap_err();
        assert!(err.contains("after record number 4"), "{err}");
        let err = f
            .check_entry(4, &with(5, RecordKind::Grant, None, None))
            .unwrap_err();
        assert!(err.contains("without a licence number"), "{err}");
        assert_eq!(f.entries, 4);
        assert_eq!(f.kinds["grant"], 1);
    }
}
