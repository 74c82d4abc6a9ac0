//! The exporter's application as a GOV.UK task list: the type of licence first (it makes the
//! draft), then each section on its own page, saved as it is left; then check your answers,
//! the declaration, and a confirmation panel with the reference and what happens next.
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use probity_domain::{
    Application, ApplicationInput, ApplicationSection, CaseId, CaseStatus, SectionState,
    DECLARATION_TEXT,
};
use probity_service::supporting_documents::{self, DocumentView};
use probity_service::{application_sections, applications, cases, ServiceError};
use serde::Deserialize;

use super::applications::form_page;
use super::path_id;
use super::{form_errors, PageError};
use crate::auth::{CurrentUser, SignedForm};
use crate::render::{country_name, page, page_with_status, Nav};
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "application_start.html")]
struct StartPage {
    nav: Nav,
    licence_type: String,
    errors: Vec<PageError>,
}

pub(super) fn start_page(
    user: &CurrentUser,
    licence_type: &str,
    errors: Vec<PageError>,
    status: StatusCode,
) -> Result<Response, AppError> {
    page_with_status(
        StartPage {
            nav: Nav::for_user(Some(user)),
            licence_type: licence_type.to_string(),
            errors,
        },
        status,
    )
}

/// The first question answered: make the draft and go to its task list.
pub(super) async fn start(
    state: &AppState,
    user: &CurrentUser,
    licence_type: &str,
) -> Result<Response, AppError> {
    match application_sections::start(&state.ctx, &user.actor, licence_type).await {
        Ok(id) => Ok(Redirect::to(&format!("/applications/{id}/edit")).into_response()),
        Err(e) => match form_errors(&e) {
            Some(errors) => start_page(user, "", errors, StatusCode::UNPROCESSABLE_ENTITY),
            None => Err(e.into()),
        },
    }
}

/// One row of the task list.
struct Task {
    title: &'static str,
    href: String,
    state: SectionState,
}

#[derive(Template)]
#[template(path = "application_tasks.html")]
struct TaskListPage {
    nav: Nav,
    id: String,
    tasks: Vec<Task>,
    completed: usize,
    ready: bool,
    notice: Option<String>,
}

pub(super) async fn task_list(
    state: &AppState,
    user: &CurrentUser,
    id: CaseId,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let list = application_sections::task_list(&state.ctx, &user.actor, id).await?;
    let tasks: Vec<Task> = list
        .sections
        .iter()
        .map(|&(s, state)| Task {
            title: s.title(),
            href: section_href(id, s),
            state,
        })
        .collect();
    page(TaskListPage {
        nav: Nav::for_user(Some(user)),
        id: id.to_string(),
        completed: tasks
            .iter()
            .filter(|t| t.state == SectionState::Completed)
            .count(),
        tasks,
        ready: list.ready,
        notice,
    })
}

fn section_href(id: CaseId, s: ApplicationSection) -> String {
    match s {
        ApplicationSection::Documents => format!("/applications/{id}/documents"),
        s => format!("/applications/{id}/section/{}", s.as_str()),
    }
}

/// A section's own page (the documents section has its page in `application_documents`).
pub async fn section(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, section)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id: CaseId = path_id(&id)?;
    let section: ApplicationSection = section.parse().map_err(|_| AppError::NotFound)?;
    let list = application_sections::task_list(&state.ctx, &user.actor, id).await?;
    if list.case.status != CaseStatus::Draft {
        return Ok(Redirect::to(&format!("/cases/{id}")).into_response());
    }
    if !section.is_answered_in_form() {
        return Ok(Redirect::to(&section_href(id, section)).into_response());
    }
    let mut p = form_page(&user, format!("/applications/{id}"), &list.case.draft, 0, 0);
    p.section = Some(section);
    page(p)
}

/// A section's answers as posted.
pub(super) struct SectionPost<'a> {
    pub id: CaseId,
    pub section: ApplicationSection,
    pub input: &'a ApplicationInput,
    pub button: &'a str,
}

/// Save one section: back to the task list, or the same page again with one more blank slot
/// (goods, parties), or with every problem shown against its field.
pub(super) async fn save_section(
    state: &AppState,
    user: &CurrentUser,
    post: SectionPost<'_>,
) -> Result<Response, AppError> {
    let SectionPost {
        id,
        section,
        input,
        button,
    } = post;
    let saved =
        application_sections::save_section(&state.ctx, &user.actor, id, section, input).await;
    let (extra_goods, extra_parties) = match button {
        "add_goods" => (1, 0),
        "add_party" => (0, 1),
        _ => (0, 0),
    };
    let action = format!("/applications/{id}");
    match saved {
        Ok(()) if extra_goods + extra_parties == 0 => {
            let to = format!("/applications/{id}/edit?saved={}", section.as_str());
            Ok(Redirect::to(&to).into_response())
        }
        Ok(()) => {
            let mut p = form_page(user, action, input, extra_goods, extra_parties);
            p.section = Some(section);
            p.notice = Some("Saved. Fill in the new one below.".into());
            page(p)
        }
        Err(ServiceError::Validation(v)) => {
            let mut p = form_page(user, action, input, 0, 0);
            p.section = Some(section);
            p.show_errors(&v.0);
            page_with_status(p, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e.into()),
    }
}

/// A row of a summary list, with the page that changes it.
struct Answer {
    key: String,
    lines: Vec<String>,
    change: String,
}

#[derive(Template)]
#[template(path = "application_check.html")]
struct CheckPage {
    nav: Nav,
    id: String,
    answers: Vec<Answer>,
    documents: Vec<DocumentView>,
    declaration: &'static str,
    errors: Vec<PageError>,
}

fn answers(id: CaseId, app: &Application) -> Vec<Answer> {
    let href = |s| section_href(id, s);
    let mut out = vec![Answer {
        key: "Type of licence".into(),
        lines: vec![app.licence_type.label().to_string()],
        change: href(ApplicationSection::LicenceType),
    }];
    for (i, g) in app.goods.iter().enumerate() {
        let ratings: Vec<&str> = g.ratings.iter().map(|r| r.as_str()).collect();
        let mut lines = vec![
            g.description.clone(),
            format!("Rated {}", ratings.join(", ")),
            format!("{} {}, {}", g.quantity, g.unit, g.value),
        ];
        if g.incorporated {
            lines.push("To be incorporated into another product".into());
        }
        out.push(Answer {
            key: format!("Goods line {}", i + 1),
            lines,
            change: href(ApplicationSection::Goods),
        });
    }
    for p in &app.parties {
        let mut lines = vec![
            p.name.clone(),
            p.address.clone(),
            country_name(p.country.as_str()),
        ];
        if let Some(t) = p.end_user_type {
            lines.push(t.label().to_string());
        }
        out.push(Answer {
            key: p.role.label().to_string(),
            lines,
            change: href(ApplicationSection::Parties),
        });
    }
    out.push(Answer {
        key: "Destinations".into(),
        lines: app
            .destinations()
            .iter()
            .map(|c| country_name(c.as_str()))
            .collect(),
        change: href(ApplicationSection::Parties),
    });
    out.push(Answer {
        key: "End use".into(),
        lines: vec![app.end_use_statement.clone()],
        change: href(ApplicationSection::EndUse),
    });
    out
}

async fn check_page(
    state: &AppState,
    user: &CurrentUser,
    id: CaseId,
    errors: Vec<PageError>,
    status: StatusCode,
) -> Result<Response, AppError> {
    match application_sections::check(&state.ctx, &user.actor, id).await {
        Ok((_, app)) => {
            let docs = supporting_documents::of_case(&state.ctx, &user.actor, id).await?;
            page_with_status(
                CheckPage {
                    nav: Nav::for_user(Some(user)),
                    id: id.to_string(),
                    answers: answers(id, &app),
                    documents: docs.documents,
                    declaration: DECLARATION_TEXT,
                    errors,
                },
                status,
            )
        }
        // Not ready: the task list says which sections are incomplete.
        Err(ServiceError::Validation(_)) => {
            Ok(Redirect::to(&format!("/applications/{id}/edit")).into_response())
        }
        Err(ServiceError::Conflict(_)) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(e) => Err(e.into()),
    }
}

pub async fn check(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: CaseId = path_id(&id)?;
    check_page(&state, &user, id, Vec::new(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct DeclarationForm {
    #[serde(default)]
    declaration: Option<String>,
}

/// Send the application: only with the declaration made.
pub async fn submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: SignedForm<DeclarationForm>,
) -> Result<Response, AppError> {
    let id: CaseId = path_id(&id)?;
    let user = &form.user;
    if form.form.declaration.as_deref() != Some("yes") {
        let errors = vec![PageError {
            message: "Confirm the declaration to send the application".into(),
            href: Some("#declaration".into()),
        }];
        return check_page(&state, user, id, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match applications::submit(&state.ctx, &user.actor, id).await {
        Ok(_) => Ok(Redirect::to(&format!("/applications/{id}/confirmation")).into_response()),
        Err(e @ (ServiceError::Validation(_) | ServiceError::Conflict(_))) => {
            let errors = form_errors(&e).unwrap_or_default();
            check_page(&state, user, id, errors, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "application_sent.html")]
struct SentPage {
    nav: Nav,
    id: String,
    reference: String,
}

/// The confirmation panel after sending.
pub async fn confirmation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: CaseId = path_id(&id)?;
    user.actor.require(
        &[probity_service::auth::Role::Exporter],
        "apply for licences",
    )?;
    let case = cases::get_case(&state.ctx, &user.actor, id).await?;
    let Some(reference) = case.reference.filter(|_| case.status != CaseStatus::Draft) else {
        return Ok(Redirect::to(&format!("/applications/{id}/edit")).into_response());
    };
    page(SentPage {
        nav: Nav::for_user(Some(&user)),
        id: id.to_string(),
        reference,
    })
}
