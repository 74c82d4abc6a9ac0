//! Case queries (queues, the case page) and casework commands: take, ask, answer.
use probity_domain::{
    AnswerText, Assignee, CaseAction, CaseId, CaseStatus, Paging, QuestionId, QuestionText, Taking,
};
use probity_store::case_queues::{self, QueueFilter};
use probity_store::{cases as store_cases, from_micros, questions as store_questions, to_micros};
use serde::Serialize;
use time::OffsetDateTime;

use crate::auth::{Actor, Role};
pub use crate::casework::CaseRow;
use crate::casework::{
    corrupt, load_case, require_assignee, set_status, split_destinations, transition, visible_case,
};
use crate::command::Command;
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
    /// Referred to the actor's advisory team and not yet advised on by it.
    AwaitingMyAdvice,
    /// Referred to the actor's advisory team, ever.
    Advice,
    /// Assigned to the actor, with all requested advice in and not yet consolidated.
    AdviceReturned,
    /// Finalised or withdrawn.
    Closed,
}

impl Queue {
    pub const ALL: [Queue; 9] = [
        Queue::All,
        Queue::New,
        Queue::Mine,
        Queue::AdviceReturned,
        Queue::AwaitingExporter,
        Queue::ForDecision,
        Queue::AwaitingMyAdvice,
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
            Queue::AwaitingMyAdvice => "awaiting_my_advice",
            Queue::Advice => "advice",
            Queue::AdviceReturned => "advice_returned",
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
            Queue::AwaitingMyAdvice => "Awaiting my team's advice",
            Queue::Advice => "Referred to my team",
            Queue::AdviceReturned => "Advice returned",
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
                Queue::AdviceReturned,
                Queue::AwaitingExporter,
                Queue::ForDecision,
                Queue::Closed,
                Queue::All,
            ],
            Role::Adviser => &[Queue::AwaitingMyAdvice, Queue::Advice],
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
    /// For a draft: the sections it still lacks (empty when it is ready to submit).
    pub missing: Vec<String>,
    /// For a case still being worked: whole days since it was submitted.
    pub days_in_queue: Option<i64>,
    /// For a case still being worked: the service target, 20 working days from submission.
    #[serde(serialize_with = "iso_date")]
    pub target_date: Option<time::Date>,
}

/// A date as `YYYY-MM-DD` (time's own serde form is a tuple).
fn iso_date<S: serde::Serializer>(d: &Option<time::Date>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_some(&d.to_string()),
        None => s.serialize_none(),
    }
}

/// The service target for deciding an application, in working days (UK bank holidays kept).
pub const TARGET_WORKING_DAYS: u32 = 20;

/// How a list is narrowed and ordered.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// Reference, exporter, party or destination (name or code); empty for everything.
    pub search: String,
    pub sort: Sort,
}

pub use probity_store::case_queues::Sort;

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
    list_cases_with(ctx, actor, queue, &ListOptions::default(), page, per_page).await
}

/// A queue searched and sorted (see [`ListOptions`]).
pub async fn list_cases_with(
    ctx: &Ctx,
    actor: &Actor,
    queue: Queue,
    options: &ListOptions,
    page: i64,
    per_page: i64,
) -> ServiceResult<Page<CaseSummary>> {
    let typed = options.search.trim();
    if typed.chars().count() > 100 {
        return Err(ServiceError::field(
            "search",
            "search for at most 100 characters",
        ));
    }
    let search = case_queues::Search {
        text: typed.to_lowercase(),
        destination: probity_domain::CountryCode::find(typed)
            .ok()
            .map(|c| c.as_str().to_string()),
    };
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
    let filter = match (actor.role, queue) {
        (Role::Exporter, _) => QueueFilter::Organisation(&org),
        (Role::Adviser, Queue::AwaitingMyAdvice) => QueueFilter::AwaitingAdviceFrom(&team),
        (Role::Adviser, _) => QueueFilter::ReferredTo(&team),
        (_, Queue::AdviceReturned) => QueueFilter::AdviceReturnedTo(&uid),
        (_, Queue::New) => QueueFilter::New,
        (_, Queue::Mine) => QueueFilter::AssignedTo(&uid),
        (_, Queue::AwaitingExporter) => QueueFilter::AwaitingExporter,
        (_, Queue::ForDecision) => QueueFilter::ForDecision,
        (_, Queue::Closed) => QueueFilter::Closed,
        _ => QueueFilter::NotDraft,
    };
    let mut conn = ctx.store.pool().acquire().await?;
    let counted = case_queues::count(&mut conn, filter, &search, COUNT_CAP).await?;
    let total_capped = counted > COUNT_CAP;
    let total = counted.min(COUNT_CAP);
    let paging = paging.within(total);
    let rows = case_queues::page(
        &mut conn,
        filter,
        &search,
        options.sort,
        paging.per_page(),
        paging.offset(),
    )
    .await?;
    let now = ctx.clock.now();
    // A row that cannot be read is corrupt stored data (an internal error, logged), not a
    // missing case: the list as a whole is not "not found".
    let items = rows
        .into_iter()
        .map(|r| {
            let bad = |what: &str| corrupt(format!("case {}: bad {what}", r.id));
            let status: CaseStatus = r.status.parse().map_err(|_| bad("status"))?;
            let submitted_at = r.submitted_at.map(from_micros);
            let open = !matches!(
                status,
                CaseStatus::Draft | CaseStatus::Finalised | CaseStatus::Withdrawn
            );
            let waiting = submitted_at.filter(|_| open);
            let missing = match &r.draft_json {
                Some(json) => serde_json::from_str::<probity_domain::ApplicationInput>(json)
                    .map_err(|_| bad("draft"))?
                    .missing()
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
                None => Vec::new(),
            };
            Ok(CaseSummary {
                missing,
                id: r.id.parse().map_err(|_| bad("id"))?,
                days_in_queue: waiting.map(|t| (now - t).whole_days().max(0)),
                target_date: waiting.map(|t| {
                    probity_domain::working_days::add_working_days(t.date(), TARGET_WORKING_DAYS)
                }),
                status,
                destinations: split_destinations(&r.destinations),
                submitted_at,
                updated_at: from_micros(r.updated_at),
                reference: r.reference,
                kind: r.kind,
                licence_type: r.licence_type,
                organisation: r.organisation,
                total_value_minor: r.total_value_minor,
                outcome: r.outcome,
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

/// The case with this public reference, if any.
pub async fn cases_by_reference(ctx: &Ctx, reference: &str) -> ServiceResult<Option<CaseRow>> {
    store_cases::by_reference(ctx.store.pool(), reference)
        .await?
        .map(CaseRow::try_from)
        .transpose()
}

/// A caseworker takes a case (or takes over one assigned to someone else).
#[tracing::instrument(name = "cases::assign_to_self", skip_all, fields(case = %id))]
pub async fn assign_to_self(ctx: &Ctx, actor: &Actor, id: CaseId) -> ServiceResult<()> {
    actor.may(probity_domain::CaseCommand::Take)?;
    let mut cmd = Command::begin(ctx, actor).await?;
    let case = load_case(&mut cmd, id).await?;
    let status = transition(&case, CaseAction::Assign)?;
    let me = actor.user_id.to_string();
    // Taking over a colleague's case is allowed, and recorded distinctly.
    let taking = Taking::of(Assignee::of(case.assigned_to.as_ref(), &me));
    if taking == Taking::AlreadyYours {
        return Err(ServiceError::Conflict("this case is already yours".into()));
    }
    let now = to_micros(cmd.now);
    store_cases::assign(&mut cmd, &id.to_string(), &me, status.as_str(), now).await?;
    cmd.finish(
        taking.audit_action(),
        ("case", &id.to_string()),
        serde_json::json!({ "from": case.assigned_to, "to": me,
                            "status_before": case.status.as_str(), "status_after": status.as_str() }),
    )
    .await
}

/// Ask the exporter a question: the case waits until it is answered.
#[tracing::instrument(name = "cases::ask_question", skip_all, fields(case = %id))]
pub async fn ask_question(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    body: &str,
) -> ServiceResult<QuestionId> {
    actor.may(probity_domain::CaseCommand::AskQuestion)?;
    let body: QuestionText = parse_text("body", body)?;
    let mut cmd = Command::begin(ctx, actor).await?;
    let case = load_case(&mut cmd, id).await?;
    let status = transition(&case, CaseAction::AskExporter)?;
    require_assignee(&mut cmd, actor, &case, CaseAction::AskExporter).await?;
    let qid = QuestionId::new();
    let (me, now) = (actor.user_id.to_string(), cmd.now);
    let (q, c) = (qid.to_string(), id.to_string());
    store_questions::insert(&mut cmd, &q, &c, &me, body.as_str(), to_micros(now)).await?;
    set_status(&mut cmd, id, status, now).await?;
    cmd.finish(
        "case.ask_exporter",
        ("case", &c),
        serde_json::json!({ "question": q }),
    )
    .await?;
    Ok(qid)
}

/// The exporter answers the open question; the case resumes.
#[tracing::instrument(name = "cases::answer_question", skip_all, fields(case = %id))]
pub async fn answer_question(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    question: QuestionId,
    answer: &str,
) -> ServiceResult<()> {
    actor.may(probity_domain::CaseCommand::AnswerQuestion)?;
    let answer: AnswerText = parse_text("answer", answer)?;
    let mut cmd = Command::begin(ctx, actor).await?;
    let case = visible_case(&mut cmd, actor, id).await?;
    let status = transition(&case, CaseAction::ExporterResponds)?;
    let (me, now) = (actor.user_id.to_string(), cmd.now);
    let (q, c) = (question.to_string(), id.to_string());
    let answered =
        store_questions::answer(&mut cmd, &q, &c, &me, answer.as_str(), to_micros(now)).await?;
    if !answered {
        return Err(ServiceError::Conflict(
            "that question is already answered or does not exist".into(),
        ));
    }
    set_status(&mut cmd, id, status, now).await?;
    cmd.finish(
        "case.exporter_responds",
        ("case", &c),
        serde_json::json!({ "question": q }),
    )
    .await
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
    let mut conn = ctx.store.pool().acquire().await?;
    visible_case(&mut conn, actor, id).await?;
    store_questions::for_case(&mut conn, &id.to_string())
        .await?
        .into_iter()
        .map(|r| {
            Ok(Question {
                id: r
                    .id
                    .parse()
                    .map_err(|_| corrupt(format!("question {} of case {id}: bad id", r.id)))?,
                body: r.body,
                asked_at: from_micros(r.asked_at),
                answer: r.answer,
                answered_at: r.answered_at.map(from_micros),
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

/// A case's history with the people named: each event and who acted (their display name,
/// or none for the system or a user since removed).
pub async fn history_named(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
) -> ServiceResult<Vec<(probity_store::audit::AuditEvent, Option<String>)>> {
    let events = history(ctx, actor, id).await?;
    let mut ids: Vec<String> = events.iter().filter_map(|e| e.actor_id.clone()).collect();
    ids.sort();
    ids.dedup();
    let names: std::collections::HashMap<String, String> =
        probity_store::users::display_names(ctx.store.pool(), &ids)
            .await?
            .into_iter()
            .collect();
    Ok(events
        .into_iter()
        .map(|e| {
            let name = e.actor_id.as_ref().and_then(|a| names.get(a).cloned());
            (e, name)
        })
        .collect())
}
