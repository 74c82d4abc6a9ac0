//! The case list (queues) and the case page, with each role's actions on it.
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use probity_domain::screening::{MAY_RESOLVE_MATCHES, MAY_SEE_LISTS};
use probity_domain::{
    available_actions, Assignee, CaseCommand, CaseFacts, CaseId, CaseStatus, QuestionId,
};
use probity_service::advice::AdviceSummary;
use probity_service::auth::Role;
use probity_service::cases::{
    CaseSummary, GoodsView, ListOptions, Page, PartyView, Question, Queue, Sort,
};
use probity_service::documents::Document;
use probity_service::licences::Licence;
use probity_service::orgs::Team;
use probity_service::{advice, cases, documents, licences, orgs, ServiceError};
use serde::Deserialize;

use super::path_id;
use crate::auth::{CurrentUser, SignedForm};
use crate::render::{page, page_with_status, Nav};
use crate::{AppError, AppState};

mod actions;
mod form_state;
mod history_view;
mod next_step;
pub use actions::act;
pub(crate) use actions::failed;
pub(crate) use form_state::{PageError, Typed};

#[derive(Template)]
#[template(path = "cases.html")]
struct CaseList {
    nav: Nav,
    queues: Vec<(&'static str, &'static str, bool)>,
    queue: &'static str,
    queue_label: &'static str,
    cases: Page<CaseSummary>,
    is_exporter: bool,
    /// The search as typed, and the sort chosen (by its name in the query).
    search: String,
    sort: &'static str,
    problem: Option<String>,
}

impl CaseList {
    /// The query string for another page of this list (queue, search and sort kept).
    fn query(&self, page: i64) -> String {
        let page = page.to_string();
        let mut pairs = vec![("queue", self.queue), ("sort", self.sort), ("page", &page)];
        if !self.search.is_empty() {
            pairs.push(("search", &self.search));
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// The orders a list can be sorted in, as the form labels them.
const SORTS: [(Sort, &str); 4] = [
    (Sort::Updated, "Most recently updated"),
    (Sort::Oldest, "Longest waiting"),
    (Sort::Reference, "Reference"),
    (Sort::Value, "Highest value"),
];

#[derive(Deserialize, Default)]
pub struct ListQuery {
    queue: Option<String>,
    page: Option<i64>,
    search: Option<String>,
    sort: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let allowed = Queue::for_role(user.actor.role);
    let queue = match q.queue.as_deref() {
        Some(s) => {
            Queue::parse(s).ok_or_else(|| AppError::BadRequest(format!("unknown queue {s:?}")))?
        }
        None => *allowed
            .first()
            .ok_or_else(|| AppError::from(ServiceError::Forbidden("read cases".into())))?,
    };
    let search = q.search.unwrap_or_default();
    // An unknown sort in a hand-typed address falls back to the default order.
    let sort_order = q.sort.as_deref().and_then(Sort::parse).unwrap_or_default();
    let sort = sort_order.name();
    let options = ListOptions {
        search: search.clone(),
        sort: sort_order,
    };
    let page_no = q.page.unwrap_or(1);
    let (cases, problem) =
        match cases::list_cases_with(&state.ctx, &user.actor, queue, &options, page_no, 50).await {
            Ok(c) => (c, None),
            Err(ServiceError::Validation(v)) => {
                let c = cases::list_cases(&state.ctx, &user.actor, queue, 1, 50).await?;
                (c, v.0.first().map(|f| f.message.clone()))
            }
            Err(e) => return Err(e.into()),
        };
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page_with_status(
        CaseList {
            search,
            sort,
            problem,
            nav: Nav::for_user(Some(&user)),
            queues: allowed
                .iter()
                .map(|q2| (q2.as_str(), q2.label(), *q2 == queue))
                .collect(),
            queue: queue.as_str(),
            queue_label: queue.label(),
            cases,
            is_exporter: user.actor.role == Role::Exporter,
        },
        status,
    )
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    nav: Nav,
    case: probity_service::case_view::CaseView,
    goods: Vec<GoodsView>,
    parties: Vec<PartyView>,
    questions: Vec<Question>,
    advice: Option<AdviceSummary>,
    licences: Vec<Licence>,
    documents: Vec<Document>,
    teams: Vec<Team>,
    criteria: Vec<(String, String)>,
    /// The commands this viewer may give now (the domain's `available_actions`).
    actions: Vec<CaseCommand>,
    /// Taking the case would take it over from a colleague.
    taking_over: bool,
    errors: Vec<PageError>,
    /// What a failed form on this page had typed.
    typed: Typed,
    notice: Option<String>,
    /// What the case's decisions became in the public register.
    records: Vec<probity_service::records::PublishedRecord>,
    /// Screening matches on the case's parties (for staff who see lists).
    screening: Vec<probity_service::screening::MatchRow>,
    /// The viewer may resolve matches (the domain's `MAY_RESOLVE_MATCHES`).
    may_resolve: bool,
    /// Supporting documents and the requests for them.
    supporting: probity_service::supporting_documents::CaseDocuments,
    /// A caseworker may ask for a document now (the domain's `may_request_documents`).
    may_ask_documents: bool,
    /// The exporter may add documents to the submitted case now.
    may_add_documents: bool,
    document_kinds: [probity_domain::DocumentKind; 4],
}

impl CasePage {
    /// Does any match still wait for a caseworker's resolution?
    fn any_unresolved(&self) -> bool {
        self.screening.iter().any(|m| m.status == "unresolved")
    }

    /// The refusal offered when parties are true matches on a sanctions list: one reason per
    /// party, in the domain's words (a grant is then refused by the domain anyway).
    fn offered_refusal(&self) -> Option<String> {
        let mut reasons: Vec<String> = self
            .screening
            .iter()
            .filter(|m| m.status == "true_match" && probity_domain::screening::bars_grant(&m.list))
            .map(|m| {
                probity_domain::screening::refusal_reason(
                    &m.party_role,
                    &m.party_name,
                    &m.list,
                    &m.entry_id,
                )
            })
            .collect();
        reasons.dedup();
        (!reasons.is_empty()).then(|| reasons.join("\n"))
    }

    /// Does the page offer `command`? Exactly what the domain's table allows this viewer now.
    fn can(&self, command: CaseCommand) -> bool {
        self.actions.contains(&command)
    }
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    submitted: Option<String>,
    saved: Option<String>,
    done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let id: CaseId = path_id(&id)?;
    let notice = if q.submitted.is_some() {
        Some("Your application has been submitted. Its reference is shown below.".to_string())
    } else if q.saved.is_some() {
        Some("Draft saved.".to_string())
    } else {
        q.done.map(|d| format!("Done: {}.", d.replace('-', " ")))
    };
    render_case(
        &state,
        &user,
        id,
        Vec::new(),
        Typed::default(),
        notice,
        StatusCode::OK,
    )
    .await
}

/// The case page again, with errors from a form posted elsewhere (screening resolutions).
pub(crate) async fn render_case_with(
    state: &AppState,
    user: &CurrentUser,
    id: CaseId,
    errors: Vec<PageError>,
    status: StatusCode,
) -> Result<Response, AppError> {
    render_case(state, user, id, errors, Typed::default(), None, status).await
}

async fn render_case(
    state: &AppState,
    user: &CurrentUser,
    id: CaseId,
    errors: Vec<PageError>,
    typed: Typed,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let ctx = &state.ctx;
    let actor = &user.actor;
    let case = probity_service::case_view::case_view(ctx, actor, id).await?;
    let (goods, parties) = if case.status == CaseStatus::Draft {
        (Vec::new(), Vec::new())
    } else {
        cases::goods_and_parties(ctx, actor, id).await?
    };
    let advice = if actor.role == Role::Exporter || case.status == CaseStatus::Draft {
        None
    } else {
        Some(advice::summary(ctx, actor, id).await?)
    };
    let me = actor.user_id.to_string();
    let assignee = Assignee::of(case.assigned_to_id.as_ref(), &me);
    let facts = CaseFacts {
        status: case.status,
        assignee,
        advice_complete: advice
            .as_ref()
            .is_some_and(|a| !a.requested_teams.is_empty() && a.missing.is_empty()),
        final_advice: case.final_advice.is_some(),
        pending_decision_is_actors: case.pending_decided_by_id.as_ref() == Some(&me),
        appealable: case.appealable,
    };
    let screening = if MAY_SEE_LISTS.contains(&actor.role) && case.status != CaseStatus::Draft {
        probity_service::screening::matches_of_case(ctx, actor, &id.to_string()).await?
    } else {
        Vec::new()
    };
    let records = if case.status == CaseStatus::Draft {
        Vec::new()
    } else {
        probity_service::records::for_case(ctx, actor, id).await?
    };
    let supporting = probity_service::supporting_documents::of_case(ctx, actor, id).await?;
    let submitted = case.status != CaseStatus::Draft;
    page_with_status(
        CasePage {
            supporting,
            may_ask_documents: actor.role == Role::Caseworker
                && probity_domain::may_request_documents(case.status),
            may_add_documents: actor.role == Role::Exporter
                && submitted
                && probity_domain::may_add_documents(case.status),
            document_kinds: probity_domain::DocumentKind::ALL,
            records,
            nav: Nav::for_user(Some(user)),
            screening,
            may_resolve: MAY_RESOLVE_MATCHES.contains(&actor.role),
            goods,
            parties,
            questions: cases::questions(ctx, actor, id).await?,
            advice,
            licences: licences::for_case(ctx, actor, id).await?,
            documents: documents::for_case(ctx, actor, id).await?,
            teams: orgs::list_teams(ctx)
                .await?
                .into_iter()
                .filter(|t| t.kind == "advisory")
                .collect(),
            criteria: ctx
                .criteria
                .criteria
                .iter()
                .map(|c| (c.code.to_string(), c.title.to_string()))
                .collect(),
            actions: available_actions(actor.role, &facts),
            taking_over: assignee == Assignee::Colleague,
            errors,
            typed,
            notice,
            case,
        },
        status,
    )
}

#[derive(Deserialize)]
pub struct AnswerForm {
    answer: String,
}

pub async fn answer(
    State(state): State<AppState>,
    Path((id, qid)): Path<(String, String)>,
    form: SignedForm<AnswerForm>,
) -> Result<Response, AppError> {
    let id: CaseId = path_id(&id)?;
    let qid: QuestionId = path_id(&qid)?;
    match cases::answer_question(&state.ctx, &form.user.actor, id, qid, &form.form.answer).await {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}?done=answer-sent")).into_response()),
        Err(e) => actions::failed(&state, &form.user, id, e, Typed::default()).await,
    }
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    nav: Nav,
    reference: String,
    case_id: String,
    events: Vec<history_view::HistoryRow>,
}

pub async fn history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: CaseId = path_id(&id)?;
    let case = cases::get_case(&state.ctx, &user.actor, id).await?;
    let events = cases::history_named(&state.ctx, &user.actor, id)
        .await?
        .into_iter()
        .map(|(e, name)| history_view::HistoryRow::new(e, name))
        .collect();
    page(HistoryPage {
        nav: Nav::for_user(Some(&user)),
        reference: case.reference.unwrap_or_else(|| "draft".into()),
        case_id: id.to_string(),
        events,
    })
}
