//! What a register monitor checks about the *meaning* of entries (the log library only
//! knows bytes): every entry decodes, record numbers increase, no licence number is granted
//! twice, every later event on a licence (suspension, reinstatement, revocation,
//! surrender, expiry, exhaustion) refers to a licence granted earlier in the log, and no audit
//! anchor takes back an earlier one: a shorter chain than an earlier anchor stated (events
//! deleted), or the same length ending in another hash (events rewritten), is a failure any
//! outsider can see without the database.
//!
//! [`LogFacts`] is what a monitor remembers between runs (serialisable), so that new entries
//! are checked against every earlier one without fetching the whole log again.

use std::collections::BTreeMap;

use probity_domain::{AuditAnchor, LogEntry, RecordKind, RegisterEntry};
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
    /// Entries per record kind (`audit_anchor` for anchors).
    pub kinds: BTreeMap<String, u64>,
    /// The last audit anchor seen (state files written before anchors existed have none).
    #[serde(default)]
    pub last_anchor: Option<AnchorFact>,
}

/// What the monitor remembers of an audit anchor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchorFact {
    /// The anchor's register index.
    pub index: u64,
    /// The chain length it stated.
    pub length: u64,
    /// The head it stated, 64 lowercase hex digits.
    pub head: String,
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
            | RecordKind::Retention
            | RecordKind::SuspensionMaintained
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
        match LogEntry::decode(bytes).map_err(|e| format!("entry {index} does not decode: {e}"))? {
            LogEntry::Decision(e) => self.check_entry(index, &e),
            LogEntry::AuditAnchor(a) => self.check_anchor(index, &a),
        }
    }

    /// Checks an audit anchor at `index` against the last one and learns from it: the chain
    /// never gets shorter, and the same length never ends in another head. On error the
    /// facts are unchanged.
    pub fn check_anchor(&mut self, index: u64, a: &AuditAnchor) -> Result<(), String> {
        let head = a.head.to_string();
        if let Some(last) = &self.last_anchor {
            if a.length < last.length {
                return Err(format!(
                    "entry {index} is an audit anchor of {} events, but the anchor at entry {} \
                     stated {}: the audit chain was shortened (events were deleted)",
                    a.length, last.index, last.length
                ));
            }
            if a.length == last.length && head != last.head {
                return Err(format!(
                    "entry {index} is an audit anchor of {} events ending in {}, but the anchor \
                     at entry {} stated the same {} events ending in {}: the audit chain was \
                     rewritten",
                    a.length,
                    a.head.short(),
                    last.index,
                    last.length,
                    format_args!("{}…", last.head.get(..8).unwrap_or(&last.head))
                ));
            }
        }
        self.last_anchor = Some(AnchorFact {
            index,
            length: a.length,
            head,
        });
        self.entries = index + 1;
        *self.kinds.entry("audit_anchor".to_owned()).or_default() += 1;
        Ok(())
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
    use probity_domain::{
        AuditAnchor, LicenceNumber, PublicDecisionRecord, RecordKind, RegisterEntry,
    };

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

    fn anchor(length: u64, head: u8) -> Vec<u8> {
        AuditAnchor::new(
            time::macros::datetime!(2026-03-02 09:05 UTC),
            length,
            probity_domain::ChainHash([head; 32]),
        )
        .encode()
        .unwrap()
    }

    #[test]
    fn anchors_are_accepted_between_decisions_and_never_taken_back() {
        let mut f = LogFacts::default();
        f.check(0, &entry_bytes()).unwrap();
        f.check(1, &anchor(10, 1)).unwrap();
        // Anchors take no record number: the next decision continues from the last one.
        f.check_entry(2, &with(8, RecordKind::Refusal, None, None))
            .unwrap();
        // The chain grows; an unchanged chain is never anchored twice, but is no failure.
        f.check(3, &anchor(12, 2)).unwrap();
        f.check(4, &anchor(12, 2)).unwrap();
        assert_eq!(
            (f.entries, f.kinds["audit_anchor"], f.kinds["grant"]),
            (5, 3, 1)
        );
        let kept = f.clone();

        let err = f.check(5, &anchor(11, 3)).unwrap_err();
        assert_eq!(
            err,
            "entry 5 is an audit anchor of 11 events, but the anchor at entry 4 stated 12: \
             the audit chain was shortened (events were deleted)"
        );
        let err = f.check(5, &anchor(12, 3)).unwrap_err();
        assert_eq!(
            err,
            "entry 5 is an audit anchor of 12 events ending in 03030303…, but the anchor at \
             entry 4 stated the same 12 events ending in 02020202…: the audit chain was rewritten"
        );
        assert_eq!(f, kept, "a failed check learns nothing");
        let mut bad = anchor(12, 2);
        bad.push(0);
        assert!(f.check(5, &bad).unwrap_err().contains("does not decode"));
        f.check(5, &anchor(13, 3)).unwrap();
    }

    #[test]
    fn state_remembered_before_anchors_existed_still_loads() {
        let old = r#"{"entries":1,"grants":{},"last_seq":7,"kinds":{"grant":1}}"#;
        let f: LogFacts = serde_json::from_str(old).unwrap();
        assert_eq!((f.entries, f.last_anchor), (1, None));
    }
}
