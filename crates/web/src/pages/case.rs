//! The case list (queues) and the case page, with each role's actions on it.
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use probity_domain::{
    caseworker_may, next_status, Assignee, CaseId, CaseStatus, QuestionId, TeamId,
};
use probity_service::advice::{AdviceInput, AdviceSummary};
use probity_service::auth::Role;
use probity_service::cases::{CaseSummary, GoodsView, Page, PartyView, Question, Queue};
use probity_service::decisions::DecisionInput;
use probity_service::documents::Document;
use probity_service::licences::Licence;
use probity_service::orgs::Team;
use probity_service::{
    advice, appeals, applications, cases, decisions, documents, licences, orgs, previews,
    ServiceError,
};
use probity_store::audit::AuditEvent;
use serde::Deserialize;

use super::{confirm, path_id};
use crate::auth::{CurrentUser, SignedForm};
use crate::render::{page, Nav};
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "cases.html")]
struct CaseList {
    nav: Nav,
    queues: Vec<(&'static str, &'static str, bool)>,
    queue: &'static str,
    queue_label: &'static str,
    cases: Page<CaseSummary>,
    is_exporter: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    queue: Option<String>,
    page: Option<i64>,
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
    let cases = cases::list_cases(&state.ctx, &user.actor, queue, q.page.unwrap_or(1), 50).await?;
    page(CaseList {
        nav: Nav::for_user(Some(&user)),
        queues: allowed
            .iter()
            .map(|q2| (q2.as_str(), q2.label(), *q2 == queue))
            .collect(),
        queue: queue.as_str(),
        queue_label: queue.label(),
        cases,
        is_exporter: user.actor.role == Role::Exporter,
    })
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
    role: &'static str,
    /// The case's caseworker, seen from the viewer.
    assignee: Assignee,
    errors: Vec<String>,
    notice: Option<String>,
}

impl CasePage {
    /// What the page offers: the role's part of the work, as far as the domain's status
    /// graph (and, for caseworkers, its assignment rule) allows it now.
    fn can(&self, what: &str) -> bool {
        use probity_domain::CaseAction as A;
        let allowed = |a: A| next_status(self.case.status, a).is_ok();
        let mine = |a: A| allowed(a) && caseworker_may(a, self.assignee).is_ok();
        match (self.role, what) {
            ("exporter", "edit") => allowed(A::EditDraft),
            ("exporter", "withdraw") => allowed(A::Withdraw),
            ("exporter", "answer") => allowed(A::ExporterResponds),
            ("exporter", "appeal") => self.case.can_appeal,
            ("caseworker", "assign") => allowed(A::Assign) && self.assignee == Assignee::Nobody,
            ("caseworker", "take_over") => {
                allowed(A::Assign) && self.assignee == Assignee::Colleague
            }
            ("caseworker", "work") => mine(A::RequestAdvice),
            ("adviser", "advise") => allowed(A::GiveAdvice),
            ("decision_maker", "finalise") => allowed(A::Finalise),
            ("decision_maker", "countersign") => allowed(A::Countersign),
            ("decision_maker", "return") => allowed(A::ReturnToCaseworker),
            ("oversight" | "caseworker" | "decision_maker" | "policy", "history") => true,
            _ => false,
        }
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
    render_case(&state, &user, id, Vec::new(), notice, StatusCode::OK).await
}

async fn render_case(
    state: &AppState,
    user: &CurrentUser,
    id: CaseId,
    errors: Vec<String>,
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
    let assignee = Assignee::of(case.assigned_to_id.as_ref(), &actor.user_id.to_string());
    let mut resp = page(CasePage {
        nav: Nav::for_user(Some(user)),
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
        role: actor.role.as_str(),
        assignee,
        errors,
        notice,
        case,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    teams: Vec<String>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    destination: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    proviso: String,
    #[serde(default)]
    criteria: Vec<String>,
    #[serde(default)]
    reasons: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    provisos: String,
    #[serde(default)]
    conflict_resolution: String,
    #[serde(default)]
    countersign: Option<String>,
    /// The fingerprint of the advice shown with the decision form.
    #[serde(default)]
    advice_fingerprint: String,
    /// Reasons for granting although a review flagged the application.
    #[serde(default)]
    review_override: String,
    #[serde(default)]
    grounds: String,
    #[serde(default)]
    reason: String,
    /// `yes` on the post from a confirmation page.
    #[serde(default)]
    confirm: Option<String>,
}

impl ActionForm {
    fn decision_input(&self) -> DecisionInput {
        DecisionInput {
            decision: self.decision.clone(),
            provisos: self.provisos.lines().map(str::to_string).collect(),
            criteria: self.criteria.clone(),
            reasons: self.reasons.clone(),
            conflict_resolution: self.conflict_resolution.clone(),
            countersign: self.countersign.is_some(),
            advice_fingerprint: self.advice_fingerprint.clone(),
            review_override: self.review_override.clone(),
        }
    }

    /// The decision form as posted, to be posted again from the confirmation page.
    fn decision_fields(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![
            ("decision", self.decision.clone()),
            ("provisos", self.provisos.clone()),
            ("reasons", self.reasons.clone()),
            ("conflict_resolution", self.conflict_resolution.clone()),
            ("advice_fingerprint", self.advice_fingerprint.clone()),
            ("review_override", self.review_override.clone()),
        ];
        v.extend(self.criteria.iter().map(|c| ("criteria", c.clone())));
        if self.countersign.is_some() {
            v.push(("countersign", "yes".into()));
        }
        v
    }
}

/// Before an irreversible action acts: the confirmation page, if it needs one.
async fn confirmation(
    state: &AppState,
    user: &CurrentUser,
    id: CaseId,
    action: &str,
    f: &ActionForm,
) -> Result<Option<confirm::Confirmation>, ServiceError> {
    if confirm::is_confirmed(f.confirm.as_deref()) {
        return Ok(None);
    }
    let (ctx, a, cid) = (&state.ctx, &user.actor, id.to_string());
    Ok(Some(match action {
        "withdraw" => confirm::withdraw(&cid, &previews::withdraw(ctx, a, id, &f.reason).await?),
        "finalise" => {
            let p = previews::decision(ctx, a, id, &f.decision_input()).await?;
            if !p.needs_confirmation() {
                return Ok(None);
            }
            confirm::decision(&cid, &p, f.decision_fields())
        }
        _ => return Ok(None),
    }))
}

pub async fn act(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    form: SignedForm<ActionForm>,
) -> Result<Response, AppError> {
    let id: CaseId = path_id(&id)?;
    let SignedForm { user, form: f, .. } = form;
    match confirmation(&state, &user, id, &action, &f).await {
        Ok(Some(c)) => return confirm::render(&user, c),
        Ok(None) => {}
        Err(e) => return failed(&state, &user, id, e).await,
    }
    let ctx = &state.ctx;
    let a = &user.actor;
    let result: Result<String, ServiceError> = match action.as_str() {
        "assign" => cases::assign_to_self(ctx, a, id)
            .await
            .map(|_| "case-taken".into()),
        "ask" => cases::ask_question(ctx, a, id, &f.body)
            .await
            .map(|_| "question-sent".into()),
        "advice-request" => {
            let teams: Result<Vec<TeamId>, _> = f.teams.iter().map(|t| t.parse()).collect();
            match teams {
                Ok(teams) => advice::request_advice(ctx, a, id, &teams, &f.note)
                    .await
                    .map(|_| "advice-requested".into()),
                Err(_) => Err(ServiceError::field(
                    "teams",
                    "choose advisory teams from the list",
                )),
            }
        }
        "advice" => {
            let input = AdviceInput {
                destination: f.destination,
                kind: f.kind,
                proviso: f.proviso,
                criteria: f.criteria,
                reasons: f.reasons,
            };
            advice::give_advice(ctx, a, id, &input)
                .await
                .map(|_| "advice-recorded".into())
        }
        "final-advice" => advice::consolidate_final(ctx, a, id, &f.reasons)
            .await
            .map(|_| "final-advice-consolidated".into()),
        "submit-for-decision" => decisions::submit_for_decision(ctx, a, id)
            .await
            .map(|_| "sent-for-decision".into()),
        "finalise" => {
            let input = f.decision_input();
            decisions::finalise(ctx, a, id, &input).await.map(|r| {
                match r {
                    decisions::Finalised::AwaitingCountersign => {
                        "decision-recorded-awaiting-countersignature"
                    }
                    decisions::Finalised::Granted(_) => "licence-granted",
                    decisions::Finalised::Refused => "application-refused",
                    decisions::Finalised::NoLicenceRequired => "no-licence-required",
                }
                .to_string()
            })
        }
        "countersign" => decisions::countersign(ctx, a, id, &f.note)
            .await
            .map(|_| "countersigned".into()),
        "return" => decisions::return_to_caseworker(ctx, a, id, &f.reason)
            .await
            .map(|_| "returned".into()),
        "withdraw" => applications::withdraw(ctx, a, id, &f.reason)
            .await
            .map(|_| "withdrawn".into()),
        "appeal" => match appeals::appeal(ctx, a, id, &f.grounds).await {
            Ok((appeal_id, _)) => {
                return Ok(
                    Redirect::to(&format!("/cases/{appeal_id}?done=appeal-lodged")).into_response(),
                )
            }
            Err(e) => Err(e),
        },
        _ => return Err(AppError::NotFound),
    };
    match result {
        Ok(done) => {
            let done: String = done
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            Ok(Redirect::to(&format!("/cases/{id}?done={done}")).into_response())
        }
        Err(e) => failed(&state, &user, id, e).await,
    }
}

/// A refused action: the case page again with what went wrong, or the error page.
async fn failed(
    state: &AppState,
    user: &CurrentUser,
    id: CaseId,
    e: ServiceError,
) -> Result<Response, AppError> {
    match e {
        ServiceError::Validation(v) => {
            let errors =
                v.0.iter()
                    .map(|e| format!("{}: {}", e.field.replace('_', " "), e.message))
                    .collect();
            render_case(
                state,
                user,
                id,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        ServiceError::Conflict(m) => {
            render_case(state, user, id, vec![m], None, StatusCode::CONFLICT).await
        }
        ServiceError::Blocked(b) => {
            render_case(state, user, id, b, None, StatusCode::CONFLICT).await
        }
        e => Err(e.into()),
    }
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
        Err(ServiceError::Validation(v)) => {
            let errors =
                v.0.iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect();
            render_case(
                &state,
                &form.user,
                id,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(ServiceError::Conflict(m)) => {
            render_case(&state, &form.user, id, vec![m], None, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    nav: Nav,
    reference: String,
    case_id: String,
    events: Vec<AuditEvent>,
}

pub async fn history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: CaseId = path_id(&id)?;
    let case = cases::get_case(&state.ctx, &user.actor, id).await?;
    let events = cases::history(&state.ctx, &user.actor, id).await?;
    page(HistoryPage {
        nav: Nav::for_user(Some(&user)),
        reference: case.reference.unwrap_or_else(|| "draft".into()),
        case_id: id.to_string(),
        events,
    })
}
