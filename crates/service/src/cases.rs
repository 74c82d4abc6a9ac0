//! Case queries (queues, the case page) and casework commands: take, ask, answer.
use probity_domain::{
    AnswerText, Assignee, CaseAction, CaseId, CaseStatus, Paging, QuestionId, QuestionText, Taking,
};
use probity_store::{from_micros, to_micros};
use serde::Serialize;
use sqlx::Row;
use time::OffsetDateTime;

use crate::auth::{Actor, Role};
use crate::rows::{
    audit_event, decode_case, load_case, require_assignee, transition, visible_case, CaseRow,
    SELECT_CASE,
};
use crate::{parse_text, Ctx, ServiceError, ServiceResult};

/// Which list of cases to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Queue {
    /// Everything the actor may see (an exporter: its organisation's cases).
    #[default]
    All,
    /// Submitted and waiting for a caseworker.
    New,
    /// Assigned to the actor.
    Mine,
    /// Waiting for the exporter's answer.
    AwaitingExporter,
    /// Waiting for a decision or countersignature.
    ForDecision,
    /// Referred to the actor's advisory team.
    Advice,
    /// Finalised or withdrawn.
    Closed,
}

impl Queue {
    pub const ALL: [Queue; 7] = [
        Queue::All,
        Queue::New,
        Queue::Mine,
        Queue::AwaitingExporter,
        Queue::ForDecision,
        Queue::Advice,
        Queue::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Queue::All => "all",
            Queue::New => "new",
            Queue::Mine => "mine",
            Queue::AwaitingExporter => "awaiting_exporter",
            Queue::ForDecision => "for_decision",
            Queue::Advice => "advice",
            Queue::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Queue::All => "All cases",
            Queue::New => "New",
            Queue::Mine => "Assigned to me",
            Queue::AwaitingExporter => "Awaiting exporter",
            Queue::ForDecision => "For decision",
            Queue::Advice => "Referred to my team",
            Queue::Closed => "Closed",
        }
    }

    pub fn parse(s: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.as_str() == s)
    }

    /// The queues that make sense for a role (shown as tabs).
    pub fn for_role(role: Role) -> &'static [Queue] {
        match role {
            Role::Exporter => &[Queue::All],
            Role::Caseworker => &[
                Queue::New,
                Queue::Mine,
                Queue::AwaitingExporter,
                Queue::ForDecision,
                Queue::Closed,
                Queue::All,
            ],
            Role::Adviser => &[Queue::Advice],
            Role::DecisionMaker => &[Queue::ForDecision, Queue::Closed, Queue::All],
            Role::Policy | Role::Oversight => &[Queue::All, Queue::ForDecision, Queue::Closed],
            Role::Admin => &[],
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseSummary {
    pub id: CaseId,
    pub reference: Option<String>,
    pub kind: String,
    pub licence_type: String,
    pub status: CaseStatus,
    pub organisation: String,
    pub destinations: Vec<String>,
    pub total_value_minor: i64,
    pub outcome: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub per_page: i64,
    /// Matching cases, counted up to [`COUNT_CAP`]; see `total_capped`.
    pub total: i64,
    /// More than [`COUNT_CAP`] cases match: `total` is the cap and only the first pages are
    /// offered (narrow the list with a queue instead of paging through everything).
    pub total_capped: bool,
}

/// Lists count at most this many matches, so a page costs the same at any database size.
pub const COUNT_CAP: i64 = 10_000;

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        probity_domain::page_count(self.total, self.per_page)
    }
}

/// Check a page request (a field error past the sane bounds, never an overflow).
pub(crate) fn paging(page: i64, per_page: i64) -> ServiceResult<Paging> {
    Paging::new(page, per_page).map_err(|e| ServiceError::field(e.field(), e.to_string()))
}

/// List cases in a queue, newest activity first, paginated. Filtering happens in SQL on
/// indexed columns so the list stays fast at hundreds of thousands of cases.
pub async fn list_cases(
    ctx: &Ctx,
    actor: &Actor,
    queue: Queue,
    page: i64,
    per_page: i64,
) -> ServiceResult<Page<CaseSummary>> {
    let paging = paging(page, per_page)?.at_most(200);
    if actor.role == Role::Admin {
        return Err(ServiceError::Forbidden("read cases".into()));
    }
    if !Queue::for_role(actor.role).contains(&queue) {
        return Err(ServiceError::Forbidden(format!(
            "use the {} queue",
            queue.as_str()
        )));
    }
    let uid = actor.user_id.to_string();
    let org = actor
        .organisation_id
        .map(|o| o.to_string())
        .unwrap_or_default();
    let team = actor.team_id.map(|t| t.to_string()).unwrap_or_default();
    // (condition, bound value); every condition uses $1 for its one parameter.
    let (cond, param): (&str, String) = match (actor.role, queue) {
        (Role::Exporter, _) => ("c.organisation_id = $1", org),
        (Role::Adviser, _) => (
            "c.id IN (SELECT case_id FROM advice_requests WHERE team_id = $1) AND c.status <> 'draft'",
            team,
        ),
        (_, Queue::New) => ("c.status = $1", "submitted".into()),
        (_, Queue::Mine) => (
            "c.assigned_to = $1 AND c.status IN ('under_review','awaiting_exporter','under_final_review','awaiting_countersign')",
            uid,
        ),
        (_, Queue::AwaitingExporter) => ("c.status = $1", "awaiting_exporter".into()),
        (_, Queue::ForDecision) => (
            "c.status IN ($1, 'awaiting_countersign')",
            "under_final_review".into(),
        ),
        (_, Queue::Closed) => ("c.status IN ($1, 'withdrawn')", "finalised".into()),
        _ => ("c.status <> $1", "draft".into()),
    };
    let counted: i64 = sqlx::query_scalar(&format!(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT 1 FROM cases c WHERE {cond} LIMIT {}) AS m",
        COUNT_CAP + 1
    ))
    .bind(&param)
    .fetch_one(ctx.store.pool())
    .await?;
    let total_capped = counted > COUNT_CAP;
    let total = counted.min(COUNT_CAP);
    let paging = paging.within(total);
    let rows = sqlx::query(&format!(
        "SELECT c.id, c.reference, c.kind, c.licence_type, c.status, o.name, c.destinations, \
         c.total_value_minor, c.outcome, c.submitted_at, c.updated_at \
         FROM cases c JOIN organisations o ON o.id = c.organisation_id \
         WHERE {cond} ORDER BY c.updated_at DESC, c.id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(&param)
    .bind(paging.per_page())
    .bind(paging.offset())
    .fetch_all(ctx.store.pool())
    .await?;
    let items = rows
        .iter()
        .map(|r| {
            let id: String = r.try_get(0)?;
            let status: String = r.try_get(4)?;
            let dest: String = r.try_get(6)?;
            Ok(CaseSummary {
                id: id.parse().map_err(|_| ServiceError::NotFound("case"))?,
                reference: r.try_get(1)?,
                kind: r.try_get(2)?,
                licence_type: r.try_get(3)?,
                status: status.parse().map_err(|_| ServiceError::NotFound("case"))?,
                organisation: r.try_get(5)?,
                destinations: dest
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
                total_value_minor: r.try_get(7)?,
                outcome: r.try_get(8)?,
                submitted_at: r.try_get::<Option<i64>, _>(9)?.map(from_micros),
                updated_at: from_micros(r.try_get(10)?),
            })
        })
        .collect::<ServiceResult<Vec<_>>>()?;
    Ok(Page {
        items,
        page: paging.page(),
        per_page: paging.per_page(),
        total,
        total_capped,
    })
}

/// Load one case for display, enforcing visibility.
pub async fn get_case(ctx: &Ctx, actor: &Actor, id: CaseId) -> ServiceResult<CaseRow> {
    let mut conn = ctx.store.pool().acquire().await?;
    visible_case(&mut conn, actor, id).await
}

/// Every case of an organisation (for the exporter's dashboard), drafts included.
pub async fn cases_by_reference(ctx: &Ctx, reference: &str) -> ServiceResult<Option<CaseRow>> {
    let row = sqlx::query(&format!("{SELECT_CASE} WHERE reference = $1"))
        .bind(reference)
        .fetch_optional(ctx.store.pool())
        .await?;
    row.as_ref().map(decode_case).transpose()
}

/// A caseworker takes a case (or takes over one assigned to someone else).
pub async fn assign_to_self(ctx: &Ctx, actor: &Actor, id: CaseId) -> ServiceResult<()> {
    actor.may(probity_domain::CaseCommand::Take)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let case = load_case(&mut tx, id).await?;
    let status = transition(&case, CaseAction::Assign)?;
    let me = actor.user_id.to_string();
    // Taking over a colleague's case is allowed, and recorded distinctly.
    let taking = Taking::of(Assignee::of(case.assigned_to.as_ref(), &me));
    if taking == Taking::AlreadyYours {
        return Err(ServiceError::Conflict("this case is already yours".into()));
    }
    sqlx::query("UPDATE cases SET assigned_to = $1, status = $2, updated_at = $3 WHERE id = $4")
        .bind(actor.user_id.to_string())
        .bind(status.as_str())
        .bind(to_micros(now))
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    audit_event(
        &mut tx,
        Some(actor),
        now,
        taking.audit_action(),
        ("case", &id.to_string()),
        serde_json::json!({ "from": case.assigned_to, "to": me,
                            "status_before": case.status.as_str(), "status_after": status.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ask the exporter a question: the case waits until it is answered.
pub async fn ask_question(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    body: &str,
) -> ServiceResult<QuestionId> {
    actor.may(probity_domain::CaseCommand::AskQuestion)?;
    let body: QuestionText = parse_text("body", body)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let case = load_case(&mut tx, id).await?;
    let status = transition(&case, CaseAction::AskExporter)?;
    require_assignee(&mut tx, actor, &case, CaseAction::AskExporter).await?;
    let qid = QuestionId::new();
    sqlx::query(
        "INSERT INTO questions (id, case_id, asked_by, asked_at, body) VALUES ($1,$2,$3,$4,$5)",
    )
    .bind(qid.to_string())
    .bind(id.to_string())
    .bind(actor.user_id.to_string())
    .bind(to_micros(now))
    .bind(body.as_str())
    .execute(&mut *tx)
    .await?;
    crate::rows::set_status(&mut tx, id, status, now).await?;
    audit_event(
        &mut tx,
        Some(actor),
        now,
        "case.ask_exporter",
        ("case", &id.to_string()),
        serde_json::json!({ "question": qid.to_string() }),
    )
    .await?;
    tx.commit().await?;
    Ok(qid)
}

/// The exporter answers the open question; the case resumes.
pub async fn answer_question(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    question: QuestionId,
    answer: &str,
) -> ServiceResult<()> {
    actor.may(probity_domain::CaseCommand::AnswerQuestion)?;
    let answer: AnswerText = parse_text("answer", answer)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let case = visible_case(&mut tx, actor, id).await?;
    let status = transition(&case, CaseAction::ExporterResponds)?;
    let updated = sqlx::query(
        "UPDATE questions SET answer = $1, answered_by = $2, answered_at = $3 \
         WHERE id = $4 AND case_id = $5 AND answered_at IS NULL",
    )
    .bind(answer.as_str())
    .bind(actor.user_id.to_string())
    .bind(to_micros(now))
    .bind(question.to_string())
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Err(ServiceError::Conflict(
            "that question is already answered or does not exist".into(),
        ));
    }
    crate::rows::set_status(&mut tx, id, status, now).await?;
    audit_event(
        &mut tx,
        Some(actor),
        now,
        "case.exporter_responds",
        ("case", &id.to_string()),
        serde_json::json!({ "question": question.to_string() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct Question {
    pub id: QuestionId,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub asked_at: OffsetDateTime,
    pub answer: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub answered_at: Option<OffsetDateTime>,
}

pub async fn questions(ctx: &Ctx, actor: &Actor, id: CaseId) -> ServiceResult<Vec<Question>> {
    get_case(ctx, actor, id).await?;
    let rows = sqlx::query(
        "SELECT id, body, asked_at, answer, answered_at FROM questions WHERE case_id = $1 ORDER BY asked_at",
    )
    .bind(id.to_string())
    .fetch_all(ctx.store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Question {
                id: r
                    .try_get::<String, _>(0)?
                    .parse()
                    .map_err(|_| ServiceError::NotFound("question"))?,
                body: r.try_get(1)?,
                asked_at: from_micros(r.try_get(2)?),
                answer: r.try_get(3)?,
                answered_at: r.try_get::<Option<i64>, _>(4)?.map(from_micros),
            })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct GoodsView {
    pub description: String,
    pub ratings: Vec<String>,
    pub quantity: i64,
    pub unit: String,
    pub value_minor: i64,
    pub currency: String,
    pub incorporated: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartyView {
    pub role: String,
    pub name: String,
    pub address: String,
    pub country: String,
    pub end_user_type: Option<String>,
}

/// The submitted goods and parties of a case.
pub async fn goods_and_parties(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
) -> ServiceResult<(Vec<GoodsView>, Vec<PartyView>)> {
    get_case(ctx, actor, id).await?;
    let mut conn = ctx.store.pool().acquire().await?;
    crate::records::load_goods_and_parties(&mut conn, id).await
}

/// The case's audit history, including its licences' lifecycle (oversight, and the officials
/// working the case).
pub async fn history(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
) -> ServiceResult<Vec<probity_store::audit::AuditEvent>> {
    actor.may(probity_domain::CaseCommand::ViewHistory)?;
    get_case(ctx, actor, id).await?;
    Ok(probity_store::audit::for_case(&ctx.store, &id.to_string()).await?)
}
