//! Dissent pages: the list of one's dissents (and, for oversight, every escalated one), the
//! form to record one, and a dissent with the steps its reader may take (asked of the domain).
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use probity_service::dissent_steps::{self, AnswerInput, FindingInput};
use probity_service::dissents::{self, DissentInput, DissentView};
use probity_service::domain::{
    AnswerAction, DissentId, DissentSubject, FindingOutcome, PointAnswerInput, PointVerdict,
};
use serde::Deserialize;

use super::{form_errors, path_id};
use crate::auth::{CurrentUser, SignedForm};
use crate::pages::PageError;
use crate::render::{page, Nav};
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "dissents.html")]
struct ListPage {
    nav: Nav,
    dissents: Vec<DissentView>,
    me: String,
}

pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let dissents = dissents::mine(&state.ctx, &user.actor).await?;
    page(ListPage {
        nav: Nav::for_user(Some(&user)),
        me: user.actor.user_id.to_string(),
        dissents,
    })
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct NewQuery {
    subject: String,
    case: String,
    subject_ref: String,
    licence: String,
}

#[derive(Template)]
#[template(path = "dissent_new.html")]
struct NewPage {
    nav: Nav,
    q: NewQuery,
    subjects: Vec<(&'static str, &'static str)>,
    criteria: Vec<(String, String)>,
    chosen: Vec<String>,
    points: String,
    evidence: String,
    errors: Vec<PageError>,
    files_dropped: bool,
}

fn new_page(state: &AppState, user: &CurrentUser, q: NewQuery) -> NewPage {
    NewPage {
        nav: Nav::for_user(Some(user)),
        q,
        subjects: DissentSubject::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        criteria: state
            .ctx
            .criteria
            .criteria
            .iter()
            .map(|c| (c.code.to_string(), c.title.to_string()))
            .collect(),
        chosen: Vec::new(),
        points: String::new(),
        evidence: String::new(),
        errors: Vec::new(),
        files_dropped: false,
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    user.actor
        .require(&probity_service::domain::FILERS, "record dissents")?;
    page(new_page(&state, &user, q))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewForm {
    subject: String,
    case: String,
    subject_ref: String,
    licence: String,
    points: String,
    evidence: String,
}

pub async fn file(
    State(state): State<AppState>,
    form: SignedForm<NewForm>,
) -> Result<Response, AppError> {
    let f = &form.form;
    let criteria: Vec<String> = form
        .fields
        .iter()
        .filter(|(k, _)| k == "criteria")
        .map(|(_, v)| v.clone())
        .collect();
    let bad_id = |field: &str| AppError::BadRequest(format!("the {field} is not a valid id"));
    let input = DissentInput {
        subject: f.subject.clone(),
        case: match f.case.trim() {
            "" => None,
            c => Some(c.parse().map_err(|_| bad_id("case"))?),
        },
        subject_ref: f.subject_ref.clone(),
        licence: match f.licence.trim() {
            "" => None,
            l => Some(l.parse().map_err(|_| bad_id("licence"))?),
        },
        points: f.points.clone(),
        criteria: criteria.clone(),
        evidence: f.evidence.clone(),
        files: form.files.clone(),
    };
    match dissents::file(&state.ctx, &form.user.actor, &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/dissents/{id}")).into_response()),
        Err(e) => match form_errors(&e) {
            Some(errors) => {
                let q = NewQuery {
                    subject: f.subject.clone(),
                    case: f.case.clone(),
                    subject_ref: f.subject_ref.clone(),
                    licence: f.licence.clone(),
                };
                let mut view = new_page(&state, &form.user, q);
                view.chosen = criteria;
                view.points = f.points.clone();
                view.evidence = f.evidence.clone();
                view.errors = errors;
                view.files_dropped = !form.files.is_empty();
                let mut resp = page(view)?;
                *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                Ok(resp)
            }
            None => Err(e.into()),
        },
    }
}

#[derive(Template)]
#[template(path = "dissent.html")]
struct ShowPage {
    nav: Nav,
    d: DissentView,
    verdicts: Vec<(&'static str, &'static str)>,
    actions: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(&'static str, &'static str)>,
    errors: Vec<PageError>,
    download_base: String,
    /// What was typed, kept when a step is refused: (field, value).
    typed: Vec<(String, String)>,
}

impl ShowPage {
    fn typed(&self, field: &str) -> &str {
        self.typed
            .iter()
            .find(|(k, _)| k == field)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    id: DissentId,
    errors: Vec<PageError>,
    typed: Vec<(String, String)>,
) -> Result<Response, AppError> {
    let d = dissents::get(&state.ctx, &user.actor, id).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut resp = page(ShowPage {
        nav: Nav::for_user(Some(user)),
        d,
        verdicts: PointVerdict::ALL
            .iter()
            .map(|v| (v.as_str(), v.label()))
            .collect(),
        actions: AnswerAction::ALL
            .iter()
            .map(|a| (a.as_str(), a.label()))
            .collect(),
        outcomes: FindingOutcome::ALL
            .iter()
            .map(|o| (o.as_str(), o.label()))
            .collect(),
        errors,
        typed,
        download_base: format!("/dissents/{id}/attachments"),
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: DissentId = path_id(&id)?;
    render(&state, &user, id, Vec::new(), Vec::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StepForm {
    action: String,
    statement: String,
    outcome: String,
    finding: String,
    retake: String,
}

/// `verdict_<n>` and `reasons_<n>` for each point.
fn point_answers(fields: &[(String, String)]) -> Vec<PointAnswerInput> {
    let mut answers: Vec<PointAnswerInput> = Vec::new();
    for (k, v) in fields {
        let (kind, n) = match k.split_once('_') {
            Some((kind @ ("verdict" | "reasons"), n)) => match n.parse::<u32>() {
                Ok(n) => (kind, n),
                Err(_) => continue,
            },
            _ => continue,
        };
        let i = match answers.iter().position(|a| a.number == n) {
            Some(i) => i,
            None => {
                answers.push(PointAnswerInput {
                    number: n,
                    ..Default::default()
                });
                answers.len() - 1
            }
        };
        if kind == "verdict" {
            answers[i].verdict = v.clone();
        } else {
            answers[i].reasons = v.clone();
        }
    }
    // A point with neither a verdict nor reasons was left out.
    answers.retain(|a| !a.verdict.trim().is_empty() || !a.reasons.trim().is_empty());
    answers
}

pub async fn step(
    State(state): State<AppState>,
    Path((id, step)): Path<(String, String)>,
    form: SignedForm<StepForm>,
) -> Result<Response, AppError> {
    let id: DissentId = path_id(&id)?;
    let (ctx, actor, f) = (&state.ctx, &form.user.actor, &form.form);
    let result = match step.as_str() {
        "answer" => {
            let input = AnswerInput {
                points: point_answers(&form.fields),
                action: f.action.clone(),
            };
            dissent_steps::answer(ctx, actor, id, &input).await
        }
        "accept" => dissent_steps::accept(ctx, actor, id).await,
        "escalate" => dissent_steps::escalate(ctx, actor, id, &f.statement).await,
        "finding" => {
            let input = FindingInput {
                outcome: f.outcome.clone(),
                finding: f.finding.clone(),
                retake: f.retake == "yes",
            };
            dissent_steps::record_finding(ctx, actor, id, &input).await
        }
        _ => return Err(AppError::NotFound),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/dissents/{id}")).into_response()),
        Err(e) => match form_errors(&e) {
            Some(errors) => render(&state, &form.user, id, errors, form.fields.clone()).await,
            None => Err(e.into()),
        },
    }
}

/// One of a dissent's files, for its parties and oversight.
pub async fn file_download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, number)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id: DissentId = path_id(&id)?;
    let number: i64 = path_id(&number)?;
    let f = probity_service::attachments::dissent_file(&state.ctx, &user.actor, id, number).await?;
    Ok(crate::download::file_response(f))
}
