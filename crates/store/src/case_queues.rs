//! Case lists (queues): filtering happens in SQL on indexed columns so a page stays fast at
//! hundreds of thousands of cases, and a count stops at a cap so it costs the same at any size.
use sqlx::AnyConnection;

use crate::StoreError;

/// Which cases a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueFilter<'a> {
    /// An organisation's cases, drafts included.
    Organisation(&'a str),
    /// Submitted cases referred to a team.
    ReferredTo(&'a str),
    /// Submitted and waiting for a caseworker.
    New,
    /// Open cases assigned to a user.
    AssignedTo(&'a str),
    AwaitingExporter,
    /// Under final review or awaiting countersignature.
    ForDecision,
    /// Finalised or withdrawn.
    Closed,
    /// Everything but drafts.
    NotDraft,
}

impl<'a> QueueFilter<'a> {
    /// The condition (on `cases c`) and its one parameter, always `$1`.
    fn sql(self) -> (&'static str, &'a str) {
        match self {
            QueueFilter::Organisation(org) => ("c.organisation_id = $1", org),
            QueueFilter::ReferredTo(team) => (
                "c.id IN (SELECT case_id FROM advice_requests WHERE team_id = $1) \
                 AND c.status <> 'draft'",
                team,
            ),
            QueueFilter::New => ("c.status = $1", "submitted"),
            QueueFilter::AssignedTo(user) => (
                "c.assigned_to = $1 AND c.status IN ('under_review','awaiting_exporter',\
                 'under_final_review','awaiting_countersign')",
                user,
            ),
            QueueFilter::AwaitingExporter => ("c.status = $1", "awaiting_exporter"),
            QueueFilter::ForDecision => (
                "c.status IN ($1, 'awaiting_countersign')",
                "under_final_review",
            ),
            QueueFilter::Closed => ("c.status IN ($1, 'withdrawn')", "finalised"),
            QueueFilter::NotDraft => ("c.status <> $1", "draft"),
        }
    }
}

/// One line of a case list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseSummaryRow {
    pub id: String,
    pub reference: Option<String>,
    pub kind: String,
    pub licence_type: String,
    pub status: String,
    pub organisation: String,
    pub destinations: String,
    pub total_value_minor: i64,
    pub outcome: Option<String>,
    pub submitted_at: Option<i64>,
    pub updated_at: i64,
}

/// How many cases match, counting at most `cap + 1` (so "more than the cap" is visible).
pub async fn count(
    conn: &mut AnyConnection,
    filter: QueueFilter<'_>,
    cap: i64,
) -> Result<i64, StoreError> {
    let (cond, param) = filter.sql();
    Ok(sqlx::query_scalar(&format!(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT 1 FROM cases c WHERE {cond} LIMIT {}) AS m",
        cap.saturating_add(1)
    ))
    .bind(param)
    .fetch_one(conn)
    .await?)
}

/// A page of matching cases, newest activity first.
pub async fn page(
    conn: &mut AnyConnection,
    filter: QueueFilter<'_>,
    limit: i64,
    offset: i64,
) -> Result<Vec<CaseSummaryRow>, StoreError> {
    let (cond, param) = filter.sql();
    Ok(sqlx::query_as(&format!(
        "SELECT c.id AS id, c.reference AS reference, c.kind AS kind, \
         c.licence_type AS licence_type, c.status AS status, o.name AS organisation, \
         c.destinations AS destinations, c.total_value_minor AS total_value_minor, \
         c.outcome AS outcome, c.submitted_at AS submitted_at, c.updated_at AS updated_at \
         FROM cases c JOIN organisations o ON o.id = c.organisation_id \
         WHERE {cond} ORDER BY c.updated_at DESC, c.id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(param)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?)
}
