//! When the sequencer appends an audit anchor (docs/register-format.md §3): with every batch
//! of decisions it publishes, and at least every [`DEFAULT_ANCHOR_INTERVAL`] without one —
//! each time only if the audit chain has moved since the last anchor. Appending an anchor
//! records no audit event, so an idle chain settles: no anchor begets another.

use std::time::Duration;

use probity_domain::{AuditAnchor, ChainHash, LogEntry};
use probity_store::audit;
use probity_store::register as reg;
use probity_store::StoreError;
use sqlx::AnyConnection;
use time::OffsetDateTime;

use crate::{ServiceError, ServiceResult};

/// How long a moved chain may wait for an anchor when no decision is published.
pub const DEFAULT_ANCHOR_INTERVAL: Duration = Duration::from_secs(5 * 60);

fn corrupt(msg: String) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(msg))
}

/// Whether `current` (the chain as read now) is to be anchored, given the `last` anchor the
/// register holds: never if the chain has not moved since; at once with a batch of
/// decisions or when there is no anchor yet; otherwise once `interval` has passed.
pub fn anchor_due(
    last: Option<&AuditAnchor>,
    current: &AuditAnchor,
    with_decisions: bool,
    interval: Duration,
) -> bool {
    let Some(last) = last else { return true };
    if (last.length, last.head) == (current.length, current.head) {
        return false;
    }
    with_decisions || current.anchored_at - last.anchored_at >= interval
}

/// The anchor to append at `now`, if one is due: the chain read on `conn` (inside the
/// sequencer's transaction, the chain that transaction sees) against the register's newest
/// anchor. `None` for an empty chain.
pub async fn due_anchor(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    with_decisions: bool,
    interval: Duration,
) -> ServiceResult<Option<AuditAnchor>> {
    let Some(head) = audit::head(conn).await? else {
        return Ok(None);
    };
    let length = u64::try_from(head.events)
        .map_err(|_| corrupt(format!("audit event number {} is negative", head.events)))?;
    let hash: ChainHash = head
        .head
        .parse()
        .map_err(|e| corrupt(format!("audit event {}: {e}", head.events)))?;
    let current = AuditAnchor::new(now, length, hash);
    let last = last_anchor(conn).await?;
    if let Some(l) = last.filter(|l| l.length > length) {
        // Still anchored, truthfully: the shorter chain becomes visible to every monitor.
        tracing::error!(
            anchored = l.length,
            now = length,
            "the audit chain is shorter than the register's last anchor says: events were deleted"
        );
    }
    if let Some(l) = last.filter(|l| l.length <= length) {
        let seq = i64::try_from(l.length).unwrap_or(i64::MAX);
        let then = audit::hash_at(conn, seq).await?;
        if then.as_deref() != Some(l.head.to_string().as_str()) {
            // The event the last anchor ends on now hashes differently: the chain was
            // rewritten. Anchoring it would publish the rewrite as if it were the record, so
            // no anchor is appended; the anchors already published contradict the database.
            tracing::error!(
                event = l.length,
                "the audit chain no longer matches the register's last anchor: it was \
                 rewritten at or before this event; not anchoring it"
            );
            return Ok(None);
        }
    }
    Ok(anchor_due(last.as_ref(), &current, with_decisions, interval).then_some(current))
}

/// The register's newest anchor, decoded.
async fn last_anchor(conn: &mut AnyConnection) -> ServiceResult<Option<AuditAnchor>> {
    let Some(stored) = reg::latest_anchor(conn).await? else {
        return Ok(None);
    };
    match LogEntry::decode(&stored.bytes) {
        Ok(LogEntry::AuditAnchor(a)) => Ok(Some(a)),
        Ok(LogEntry::Decision(_)) => Err(corrupt(format!(
            "register entry {} has no outbox row but is a decision",
            stored.index
        ))),
        Err(e) => Err(corrupt(format!("register entry {}: {e}", stored.index))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn at(minute: u8, length: u64, head: u8) -> AuditAnchor {
        AuditAnchor::new(
            datetime!(2026-03-02 09:00 UTC) + time::Duration::minutes(minute.into()),
            length,
            ChainHash([head; 32]),
        )
    }

    #[test]
    fn an_anchor_is_due_only_when_the_chain_moved() {
        let five = DEFAULT_ANCHOR_INTERVAL;
        let last = at(0, 10, 1);
        // The first anchor: at once.
        assert!(anchor_due(None, &at(0, 10, 1), false, five));
        // Unmoved: never, with decisions or after any time.
        assert!(!anchor_due(Some(&last), &at(0, 10, 1), true, five));
        assert!(!anchor_due(Some(&last), &at(60, 10, 1), false, five));
        // Moved: at once with decisions, otherwise once the interval has passed.
        assert!(anchor_due(Some(&last), &at(1, 11, 2), true, five));
        assert!(!anchor_due(Some(&last), &at(4, 11, 2), false, five));
        assert!(anchor_due(Some(&last), &at(5, 11, 2), false, five));
        // Same length, another head (rewritten) or a shorter chain: moved, so published.
        assert!(anchor_due(Some(&last), &at(5, 10, 9), false, five));
        assert!(anchor_due(Some(&last), &at(1, 8, 9), true, five));
        // A clock that went back waits for the interval again.
        assert!(!anchor_due(
            Some(&at(30, 10, 1)),
            &at(0, 11, 2),
            false,
            five
        ));
    }
}
