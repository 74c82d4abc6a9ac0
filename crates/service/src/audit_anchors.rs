//! The internal audit chain checked against the audit anchors the register published
//! (docs/register-format.md §3). The chain alone proves only that it is internally
//! consistent: deleting the newest events, or editing one and re-hashing every later event,
//! still verifies. An anchor is a signed, public statement "the chain had `length` events,
//! the last hashing to `head`" that the operator cannot take back, so the chain must still
//! hold at least `length` events and event `length` must still hash to `head`.
//!
//! [`check_anchors`] is the comparison, pure; [`verify_against`] (the CLI's `audit verify
//! --register`) and [`status`] (oversight's audit page) read the chain for it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use probity_domain::{AuditAnchor, ChainHash, LogEntry};
use probity_store::audit::{self, BrokenLink, ChainReport};
use probity_store::register as reg;
use probity_store::{Store, StoreError};

use crate::auth::{Actor, Role};
use crate::{Ctx, ServiceError, ServiceResult};

/// An anchor and where the register holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishedAnchor {
    /// The entry's register index.
    pub index: u64,
    pub anchor: AuditAnchor,
}

/// The chain as recomputed from the database: how many events it holds, and the hash of each
/// event an anchor names (those it holds).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainReading {
    pub events: u64,
    pub hashes: BTreeMap<u64, ChainHash>,
}

/// The first anchor the chain contradicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorBreak {
    /// The chain holds fewer events than the anchor says it had: events were deleted.
    Truncated { at: PublishedAnchor, events: u64 },
    /// Event `at.anchor.length` hashes to `found`, not to the anchored head: an event at or
    /// before it was changed and the chain re-hashed. `after` is the longest length an
    /// earlier anchor still matches (the change lies after it), if any.
    Rewritten {
        at: PublishedAnchor,
        found: ChainHash,
        after: Option<u64>,
    },
    /// The reading lacks the hash of an event the chain holds: it was not read for these
    /// anchors (see [`events_to_read`]). Nothing is concluded about the chain.
    NotRead { at: PublishedAnchor },
}

/// Every anchor holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorsHold {
    /// How many anchors were compared.
    pub anchors: usize,
    /// The last one in the register, if any.
    pub newest: Option<PublishedAnchor>,
    /// Events recorded after the newest anchor's length (all of them when there is none).
    pub events_since: u64,
}

/// The event numbers whose hashes [`check_anchors`] needs.
pub fn events_to_read(anchors: &[PublishedAnchor]) -> BTreeSet<u64> {
    anchors.iter().map(|a| a.anchor.length).collect()
}

/// Compares the chain with every anchor, in register order, and names the first one it
/// contradicts: one whose length the chain no longer reaches, or whose head the event at
/// that length no longer hashes to.
pub fn check_anchors(
    anchors: &[PublishedAnchor],
    chain: &ChainReading,
) -> Result<AnchorsHold, AnchorBreak> {
    let mut matched: Option<u64> = None;
    for at in anchors {
        let length = at.anchor.length;
        if length > chain.events {
            return Err(AnchorBreak::Truncated {
                at: *at,
                events: chain.events,
            });
        }
        let Some(found) = chain.hashes.get(&length) else {
            return Err(AnchorBreak::NotRead { at: *at });
        };
        if *found != at.anchor.head {
            return Err(AnchorBreak::Rewritten {
                at: *at,
                found: *found,
                // The longest earlier match below this length bounds the change from below.
                after: matched.filter(|&m| m < length),
            });
        }
        matched = Some(matched.map_or(length, |m| m.max(length)));
    }
    let newest = anchors.last().copied();
    Ok(AnchorsHold {
        anchors: anchors.len(),
        newest,
        events_since: chain.events - newest.map_or(0, |a| a.anchor.length),
    })
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `2026-11-02 10:00 UTC`.
pub fn minute_utc(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

impl fmt::Display for PublishedAnchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the register's anchor at index {} ({}) says the chain had {} events ending in {}",
            self.index,
            minute_utc(self.anchor.anchored_at),
            thousands(self.anchor.length),
            self.anchor.head.short()
        )
    }
}

impl fmt::Display for AnchorBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnchorBreak::Truncated { at, events } => write!(
                f,
                "{at}; the database has only {}: events were deleted",
                thousands(*events)
            ),
            AnchorBreak::Rewritten { at, found, after } => {
                let n = thousands(at.anchor.length);
                write!(
                    f,
                    "{at}; event {n} now hashes to {}: the chain was rewritten at or before event {n}",
                    found.short()
                )?;
                if let Some(m) = after {
                    write!(
                        f,
                        " (and after event {}, which an earlier anchor still matches)",
                        thousands(*m)
                    )?;
                }
                Ok(())
            }
            AnchorBreak::NotRead { at } => write!(
                f,
                "{at}; event {} was not read from the database, so it was not compared",
                thousands(at.anchor.length)
            ),
        }
    }
}

/// What `audit verify --register` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorVerdict {
    /// The chain itself is broken (its first broken link); anchors were not compared.
    ChainBroken(BrokenLink),
    /// The chain verifies; the anchors hold or the first contradicted one is named.
    Checked {
        chain: ChainReport,
        anchors: Result<AnchorsHold, AnchorBreak>,
    },
}

fn corrupt(msg: String) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(msg))
}

/// Recomputes the chain in `store` and compares it with `anchors` (in register order, from
/// a register the caller has verified).
pub async fn verify_against(
    store: &Store,
    anchors: &[PublishedAnchor],
) -> ServiceResult<AnchorVerdict> {
    let wanted: BTreeSet<i64> = events_to_read(anchors)
        .into_iter()
        .filter_map(|n| i64::try_from(n).ok())
        .collect();
    let (chain, hashes) = match audit::verify_recording(store, &wanted).await? {
        Ok(read) => read,
        Err(broken) => return Ok(AnchorVerdict::ChainBroken(broken)),
    };
    let mut reading = ChainReading {
        events: u64::try_from(chain.events).unwrap_or(0),
        hashes: BTreeMap::new(),
    };
    for (seq, hash) in hashes {
        let parsed: ChainHash = hash
            .parse()
            .map_err(|e| corrupt(format!("audit event {seq}: {e}")))?;
        reading
            .hashes
            .insert(u64::try_from(seq).unwrap_or(0), parsed);
    }
    Ok(AnchorVerdict::Checked {
        chain,
        anchors: check_anchors(anchors, &reading),
    })
}

/// Every audit anchor in this database's register, oldest first.
pub async fn local_anchors(store: &Store) -> ServiceResult<Vec<PublishedAnchor>> {
    let mut conn = store.pool().acquire().await.map_err(StoreError::from)?;
    reg::anchors(&mut conn)
        .await?
        .iter()
        .map(|stored| match LogEntry::decode(&stored.bytes) {
            Ok(LogEntry::AuditAnchor(anchor)) => Ok(PublishedAnchor {
                index: stored.index,
                anchor,
            }),
            Ok(LogEntry::Decision(_)) => Err(corrupt(format!(
                "register entry {} has no outbox row but is a decision",
                stored.index
            ))),
            Err(e) => Err(corrupt(format!("register entry {}: {e}", stored.index))),
        })
        .collect()
}

/// The newest audit anchor in this database's register, if one was published.
pub async fn newest_anchor(store: &Store) -> ServiceResult<Option<PublishedAnchor>> {
    let mut conn = store.pool().acquire().await.map_err(StoreError::from)?;
    let Some(stored) = reg::latest_anchor(&mut conn).await? else {
        return Ok(None);
    };
    match LogEntry::decode(&stored.bytes) {
        Ok(LogEntry::AuditAnchor(anchor)) => Ok(Some(PublishedAnchor {
            index: stored.index,
            anchor,
        })),
        Ok(LogEntry::Decision(_)) => Err(corrupt(format!(
            "register entry {} has no outbox row but is a decision",
            stored.index
        ))),
        Err(e) => Err(corrupt(format!("register entry {}: {e}", stored.index))),
    }
}

/// Oversight's view: the chain recomputed, and compared with the newest anchor the register
/// published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditStatus {
    pub newest_anchor: Option<PublishedAnchor>,
    pub verdict: AnchorVerdict,
}

/// The audit chain's state for oversight: does it verify, and does it match every anchor the
/// register published? Every one, not only the newest: after a rewrite the sequencer would
/// anchor the rewritten chain, and the newest anchor alone would then agree with it.
pub async fn status(ctx: &Ctx, actor: &Actor) -> ServiceResult<AuditStatus> {
    actor.require(&[Role::Oversight], "verify the audit chain")?;
    let anchors = local_anchors(&ctx.store).await?;
    let newest = anchors.last().cloned();
    Ok(AuditStatus {
        newest_anchor: newest,
        verdict: verify_against(&ctx.store, &anchors).await?,
    })
}

#[cfg(test)]
#[path = "audit_anchors_tests.rs"]
mod tests;
