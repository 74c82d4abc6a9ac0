//! One way to run a command. [`Command::begin`] opens the command transaction (taking the
//! command lock, see `probity_store`); the use case reads, decides and writes through it; and
//! [`Command::finish`] records the audit event and commits. There is no other way to commit:
//! a command dropped without `finish` (an early `?` or `return Err`) is rolled back, so no
//! change is ever kept without its audit event.
use std::ops::{Deref, DerefMut};

use probity_domain::PublicDecisionRecord;
use probity_store::{audit, Tx};
use time::OffsetDateTime;

use crate::auth::Actor;
use crate::casework::CaseRow;
use crate::{Ctx, ServiceResult};

pub(crate) struct Command<'a> {
    tx: Tx,
    actor: Option<&'a Actor>,
    /// The command's one time: every row and event it writes carries it.
    pub now: OffsetDateTime,
}

impl<'a> Command<'a> {
    /// Begin a command taken by `actor` (authorise first: this takes the command lock).
    pub async fn begin(ctx: &Ctx, actor: &'a Actor) -> ServiceResult<Command<'a>> {
        Self::open(ctx, Some(actor)).await
    }

    /// Begin a command the system takes by itself (a background job).
    pub async fn system(ctx: &Ctx) -> ServiceResult<Command<'a>> {
        Self::open(ctx, None).await
    }

    async fn open(ctx: &Ctx, actor: Option<&'a Actor>) -> ServiceResult<Command<'a>> {
        let now = ctx.clock.now();
        let tx = ctx.store.begin_command().await?;
        Ok(Command { tx, actor, now })
    }

    /// The acting user's id (`None` for the system).
    pub fn actor_id(&self) -> Option<String> {
        self.actor.map(|a| a.user_id.to_string())
    }

    /// Record an audit event besides the one `finish` records (a command that touches two
    /// subjects, say).
    pub async fn record(
        &mut self,
        action: &str,
        subject: (&str, &str),
        detail: serde_json::Value,
    ) -> ServiceResult<i64> {
        audit_event(&mut self.tx, self.actor, self.now, action, subject, detail).await
    }

    /// Write a public decision record to the outbox, in this transaction.
    pub async fn publish(
        &mut self,
        case: &CaseRow,
        licence_id: Option<&str>,
        record: &PublicDecisionRecord,
    ) -> ServiceResult<i64> {
        crate::records::publish(&mut self.tx, case, licence_id, record).await
    }

    /// Record the command's audit event and commit: the only way a command's writes are kept.
    pub async fn finish(
        mut self,
        action: &str,
        subject: (&str, &str),
        detail: serde_json::Value,
    ) -> ServiceResult<()> {
        self.record(action, subject, detail).await?;
        self.tx.commit().await?;
        Ok(())
    }
}

/// The transaction, for reads and writes through `probity_store` (`&mut cmd` is a connection).
/// Committing needs the transaction by value, which only `finish` has.
impl Deref for Command<'_> {
    type Target = Tx;
    fn deref(&self) -> &Tx {
        &self.tx
    }
}

impl DerefMut for Command<'_> {
    fn deref_mut(&mut self) -> &mut Tx {
        &mut self.tx
    }
}

/// Append the audit event for a command inside its transaction (commands outside casework —
/// accounts, tokens, sign-in — use this directly on their own transaction).
pub(crate) async fn audit_event(
    tx: &mut Tx,
    actor: Option<&Actor>,
    at: OffsetDateTime,
    action: &str,
    subject: (&str, &str),
    detail: serde_json::Value,
) -> ServiceResult<i64> {
    let uid = actor.map(|a| a.user_id.to_string());
    Ok(audit::append(
        tx,
        audit::NewEvent {
            at,
            actor_id: uid.as_deref(),
            actor_role: actor.map(|a| a.role.as_str()).unwrap_or("system"),
            action,
            subject_type: subject.0,
            subject_id: subject.1,
            detail,
        },
    )
    .await?)
}

/// Encode a value the service itself built (a draft, a decision) for storage. Failing is a
/// fault on our side, never the user's: an internal error.
pub(crate) fn to_json<T: serde::Serialize>(what: &str, value: &T) -> ServiceResult<String> {
    serde_json::to_string(value)
        .map_err(|e| crate::ServiceError::Internal(format!("encoding {what}: {e}")))
}
