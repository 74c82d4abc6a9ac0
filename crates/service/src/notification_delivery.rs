//! Exporters' notifications handed to a deployment's delivery hook (typically e-mail). The
//! in-app list is the record; delivery is best effort on top of it: each notification is
//! offered until the hook accepts it, retried with growing delays, and given up after
//! [`MAX_ATTEMPTS`]. Only notifications younger than [`MAX_AGE`] are offered, so a hook wired
//! into a running deployment does not flood anyone with old news.
use probity_store::{from_micros, notification_delivery as store, to_micros};
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::{Ctx, ServiceError, ServiceResult};

/// Failed attempts after which a notification is no longer offered.
pub const MAX_ATTEMPTS: i64 = 8;
/// The oldest notification offered.
pub const MAX_AGE: Duration = Duration::days(7);
/// Notifications offered per round.
pub const BATCH: i64 = 100;

/// One notification as the hook receives it (JSON on its standard input). The field names
/// are the hook's contract: see docs/notifications.md.
#[derive(Debug, Clone, Serialize)]
pub struct Outgoing {
    pub id: String,
    pub organisation_id: String,
    pub organisation_name: String,
    /// The active users of the organisation.
    pub recipients: Vec<String>,
    pub subject: String,
    pub body: String,
    /// What it is about: `{"type": "licence", "id": "…"}`.
    pub about: About,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// 1 on the first attempt.
    pub attempt: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct About {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

/// Wait before attempt `attempt + 1` after attempt `attempt` failed: one minute, then four
/// times longer each time, at most six hours.
pub fn retry_delay(attempt: i64) -> Duration {
    let minutes = 4i64.saturating_pow(attempt.clamp(1, 10) as u32 - 1);
    Duration::minutes(minutes).min(Duration::hours(6))
}

fn subject(kind: &str) -> String {
    match kind {
        "licence" => "Probity: news about one of your licences".to_string(),
        other => format!("Probity: news about your {}", other.replace('_', " ")),
    }
}

/// The notifications due now, each with its recipients. One whose organisation has nobody
/// to tell is recorded as a failed attempt and not offered.
pub async fn due(ctx: &Ctx) -> ServiceResult<Vec<Outgoing>> {
    let now = ctx.clock.now();
    let mut conn = ctx.store.pool().acquire().await?;
    let rows = store::due(
        &mut *conn,
        to_micros(now),
        to_micros(now - MAX_AGE),
        MAX_ATTEMPTS,
        BATCH,
    )
    .await?;
    let mut orgs: Vec<String> = rows.iter().map(|r| r.organisation_id.clone()).collect();
    orgs.sort();
    orgs.dedup();
    let recipients = store::recipients(&mut conn, &orgs).await?;
    let mut out = Vec::new();
    for row in rows {
        let to: Vec<String> = recipients
            .iter()
            .filter(|r| r.organisation_id == row.organisation_id)
            .map(|r| r.email.clone())
            .collect();
        let attempt = row.delivery_attempts + 1;
        if to.is_empty() {
            let next = now + retry_delay(attempt);
            store::mark_failed(
                &mut *conn,
                &row.id,
                "the organisation has no active user to tell",
                to_micros(next),
            )
            .await?;
            continue;
        }
        out.push(Outgoing {
            subject: subject(&row.subject_type),
            id: row.id,
            organisation_id: row.organisation_id,
            organisation_name: row.organisation_name,
            recipients: to,
            body: row.body,
            about: About {
                kind: row.subject_type,
                id: row.subject_id,
            },
            created_at: from_micros(row.created_at),
            attempt,
        });
    }
    Ok(out)
}

/// The hook accepted notification `id`.
pub async fn delivered(ctx: &Ctx, id: &str) -> ServiceResult<()> {
    store::mark_delivered(ctx.store.pool(), id, to_micros(ctx.clock.now())).await?;
    Ok(())
}

/// The hook refused or failed attempt `attempt` at notification `id`: record why, and when
/// to try again (returned).
pub async fn failed(
    ctx: &Ctx,
    id: &str,
    attempt: i64,
    error: &str,
) -> ServiceResult<OffsetDateTime> {
    let next = ctx.clock.now() + retry_delay(attempt);
    // The error is the operator's to read; keep it to a line's worth.
    let error: String = error.chars().take(500).collect();
    store::mark_failed(ctx.store.pool(), id, &error, to_micros(next)).await?;
    Ok(next)
}

/// Where a notification's delivery stands (for operators and tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryState {
    pub delivered: bool,
    pub attempts: i64,
    pub last_error: Option<String>,
}

pub async fn state(ctx: &Ctx, id: &str) -> ServiceResult<DeliveryState> {
    let row = store::state(ctx.store.pool(), id)
        .await?
        .ok_or(ServiceError::NotFound("notification"))?;
    Ok(DeliveryState {
        delivered: row.delivered_at.is_some(),
        attempts: row.delivery_attempts,
        last_error: row.delivery_error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_six_hours() {
        assert_eq!(retry_delay(1), Duration::minutes(1));
        assert_eq!(retry_delay(2), Duration::minutes(4));
        assert_eq!(retry_delay(3), Duration::minutes(16));
        assert_eq!(retry_delay(5), Duration::minutes(256));
        assert_eq!(retry_delay(6), Duration::hours(6));
        assert_eq!(retry_delay(40), Duration::hours(6));
        assert_eq!(retry_delay(0), Duration::minutes(1));
    }
}
