//! Disclosure of register openings to independent oversight.
//!
//! A register entry commits to the exporter, consignee, end user, goods description and
//! quantity without revealing them. Oversight (a parliamentary committee's clerk, an
//! inspector) may be given the opening of a commitment — its salt and value — which anyone
//! can then check against the public entry (`probity register verify-opening`). Handing over
//! confidential facts is itself accountable: each disclosure needs a stated reason, is recorded
//! in the audit chain with who asked and which fields, and is checked against the public
//! entry before anything is handed over.

use probity_domain::{ConfidentialField, EntryOpening, LogEntry};
use probity_store::register as reg;
use probity_store::StoreError;

use crate::auth::{Actor, Role};
use crate::command::audit_event;
use crate::{Ctx, ServiceError, ServiceResult};

/// The audit action recorded for each disclosure.
pub const DISCLOSED: &str = "register.opening_disclosed";

/// The openings of entry `index` (one field, or all five), for oversight, with `reason`
/// recorded in the audit chain. Fails, disclosing nothing, if a stored opening does not open
/// the public entry.
pub async fn disclose(
    ctx: &Ctx,
    actor: &Actor,
    index: u64,
    field: Option<ConfidentialField>,
    reason: &str,
) -> ServiceResult<Vec<EntryOpening>> {
    actor.require(&[Role::Oversight], "disclose register openings")?;
    let reason =
        crate::parse_text::<probity_domain::DisclosureReason>("reason", reason)?.into_string();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let stored = reg::read_entries(&mut tx, index, 1)
        .await?
        .pop()
        .ok_or(ServiceError::NotFound("register entry"))?;
    let entry = match LogEntry::decode(&stored.bytes) {
        Ok(LogEntry::Decision(entry)) => entry,
        Ok(LogEntry::AuditAnchor(_)) => {
            return Err(ServiceError::Conflict(format!(
                "register entry {index} is an audit anchor: it commits to no confidential fields"
            )))
        }
        Err(e) => {
            return Err(ServiceError::Store(StoreError::Corrupt(format!(
                "register entry {index}: {e}"
            ))))
        }
    };
    let mut openings = Vec::new();
    for o in reg::openings(&mut tx, index).await? {
        let opening = EntryOpening {
            register_index: index,
            field: o.field.parse().map_err(|e| {
                ServiceError::Store(StoreError::Corrupt(format!("register entry {index}: {e}")))
            })?,
            salt: o.salt,
            value: o.value,
        };
        if field.is_some_and(|f| f != opening.field) {
            continue;
        }
        if !opening.opens(&entry) {
            return Err(ServiceError::Store(StoreError::Corrupt(format!(
                "the stored opening of {} does not open register entry {index}",
                opening.field.as_str()
            ))));
        }
        openings.push(opening);
    }
    if openings.is_empty() {
        return Err(ServiceError::NotFound("register opening"));
    }
    let fields: Vec<&str> = openings.iter().map(|o| o.field.as_str()).collect();
    audit_event(
        &mut tx,
        Some(actor),
        now,
        DISCLOSED,
        ("register_entry", &index.to_string()),
        serde_json::json!({ "fields": fields, "reason": reason }),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(openings)
}
