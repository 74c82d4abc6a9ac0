//! Any entry of the register: a public decision record ([`RegisterEntry`]) or an audit
//! anchor ([`AuditAnchor`]). The first bytes (the label) say which; every reader of the log
//! decodes through [`LogEntry::decode`], so an entry of either kind is accepted everywhere
//! and anything else is refused.

use crate::audit_anchor::{AuditAnchor, ANCHOR_LABEL};
use crate::register_entry::{EntryError, RegisterEntry, ENTRY_LABEL};

/// One entry of the register, of either kind.
// Entries are decoded one at a time and looked at, not kept by the million: boxing the common
// kind to shrink the rare one would cost an allocation per decoded decision for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEntry {
    Decision(RegisterEntry),
    AuditAnchor(AuditAnchor),
}

impl LogEntry {
    /// Strictly decodes an entry of either kind, chosen by its label. Never panics.
    pub fn decode(bytes: &[u8]) -> Result<LogEntry, EntryError> {
        if bytes.starts_with(ENTRY_LABEL) {
            RegisterEntry::decode(bytes).map(LogEntry::Decision)
        } else if bytes.starts_with(ANCHOR_LABEL) {
            AuditAnchor::decode(bytes).map(LogEntry::AuditAnchor)
        } else {
            Err(EntryError::UnknownLabel)
        }
    }

    pub fn encode(&self) -> Result<Vec<u8>, EntryError> {
        match self {
            LogEntry::Decision(e) => e.encode(),
            LogEntry::AuditAnchor(a) => a.encode(),
        }
    }

    /// The entry's kind as published: a decision's record kind (`grant`, …) or
    /// `audit_anchor`.
    pub fn kind(&self) -> &'static str {
        match self {
            LogEntry::Decision(e) => e.record.kind.as_str(),
            LogEntry::AuditAnchor(_) => "audit_anchor",
        }
    }

    /// The decision record, if this is one.
    pub fn decision(&self) -> Option<&RegisterEntry> {
        match self {
            LogEntry::Decision(e) => Some(e),
            LogEntry::AuditAnchor(_) => None,
        }
    }

    /// The audit anchor, if this is one.
    pub fn anchor(&self) -> Option<&AuditAnchor> {
        match self {
            LogEntry::Decision(_) => None,
            LogEntry::AuditAnchor(a) => Some(a),
        }
    }
}
