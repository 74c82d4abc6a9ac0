//! Protected disclosure pages. `/disclose` and `/disclose/status` are for anyone, signed in or
//! not, and take nothing about the visitor: no session is read, no cookie set, nothing
//! logged (see `request_id::untraced`). The receipt code travels in form bodies only, never
//! in a URL. A cross-site post is refused (there is no session to protect, but a page
//! elsewhere should not make disclosures in a visitor's name either). Oversight's pages read
//! and answer.
use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use probity_service::disclosures::{self, DisclosureSummary, DisclosureView};
use probity_service::domain::{DisclosureId, DisclosureInput};
use serde::Deserialize;

use super::{form_errors, path_id};
use crate::auth::{fields_into, read_form, CurrentUser, SignedForm};
use crate::download::file_response;
use crate::pages::PageError;
use crate::render::{page, Nav};
use crate::{AppError, AppState};

/// Refuse a post another site's page made (browsers say so in `Sec-Fetch-Site`).
fn same_site(headers: &HeaderMap) -> Result<(), AppError> {
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some("cross-site") => Err(AppError::Service(probity_service::ServiceError::Forbidden(
            "disclosures are made from this site's own form".into(),
        ))),
        _ => Ok(()),
    }
}

fn with_status(mut resp: Response, status: StatusCode) -> Response {
    *resp.status_mut() = status;
    resp
}

#[derive(Template)]
#[template(path = "disclose.html")]
struct FormPage {
    nav: Nav,
    input: DisclosureInput,
    errors: Vec<PageError>,
    taking: bool,
    files_dropped: bool,
}

fn form_page(state: &AppState, input: DisclosureInput, errors: Vec<PageError>) -> FormPage {
    FormPage {
        // Deliberately anonymous: the page looks the same to everyone.
        nav: Nav::for_user(None),
        input,
        errors,
        taking: state.ctx.disclosure_keys.is_some(),
        files_dropped: false,
    }
}

pub async fn form(State(state): State<AppState>) -> Result<Response, AppError> {
    page(form_page(&state, DisclosureInput::default(), Vec::new()))
}

#[derive(Template)]
#[template(path = "disclose_receipt.html")]
struct ReceiptPage {
    nav: Nav,
    code: String,
}

pub async fn make(
    State(state): State<AppState>,
    headers: HeaderMap,
    req: Request,
) -> Result<Response, AppError> {
    same_site(&headers)?;
    let (fields, files) = read_form(req, &()).await?;
    let input: DisclosureInput = fields_into(&fields)?;
    let had_files = !files.is_empty();
    match disclosures::make(&state.ctx, &input, files).await {
        Ok((_, code)) => page(ReceiptPage {
            nav: Nav::for_user(None),
            code: code.to_string(),
        }),
        Err(e) => match form_errors(&e) {
            Some(errors) => {
                let mut view = form_page(&state, input, errors);
                view.files_dropped = had_files;
                Ok(with_status(page(view)?, StatusCode::UNPROCESSABLE_ENTITY))
            }
            None => Err(e.into()),
        },
    }
}

#[derive(Template)]
#[template(path = "disclose_status.html")]
struct StatusPage {
    nav: Nav,
    code: String,
    view: Option<DisclosureView>,
    errors: Vec<PageError>,
    notice: Option<String>,
    files_dropped: bool,
}

pub async fn status_form() -> Result<Response, AppError> {
    page(StatusPage {
        nav: Nav::for_user(None),
        code: String::new(),
        view: None,
        errors: Vec::new(),
        notice: None,
        files_dropped: false,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
    /// With `add`: what the discloser adds.
    text: String,
}

async fn show_status(
    state: &AppState,
    code: &str,
    errors: Vec<PageError>,
    notice: Option<String>,
    files_dropped: bool,
) -> Result<Response, AppError> {
    let (view, errors) = match disclosures::status(&state.ctx, code).await {
        Ok(v) => (Some(v), errors),
        Err(e) => match form_errors(&e) {
            Some(more) => (None, more),
            None => return Err(e.into()),
        },
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(with_status(
        page(StatusPage {
            nav: Nav::for_user(None),
            code: if view.is_some() {
                code.to_string()
            } else {
                String::new()
            },
            view,
            errors,
            notice,
            files_dropped,
        })?,
        status,
    ))
}

pub async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    req: Request,
) -> Result<Response, AppError> {
    same_site(&headers)?;
    let (fields, _) = read_form(req, &()).await?;
    let f: CodeForm = fields_into(&fields)?;
    show_status(&state, &f.code, Vec::new(), None, false).await
}

pub async fn add(
    State(state): State<AppState>,
    headers: HeaderMap,
    req: Request,
) -> Result<Response, AppError> {
    same_site(&headers)?;
    let (fields, files) = read_form(req, &()).await?;
    let f: CodeForm = fields_into(&fields)?;
    let had_files = !files.is_empty();
    match disclosures::add(&state.ctx, &f.code, &f.text, files).await {
        Ok(()) => {
            let notice = Some("Added. Oversight will answer it.".into());
            show_status(&state, &f.code, Vec::new(), notice, false).await
        }
        Err(e) => match form_errors(&e) {
            Some(errors) => show_status(&state, &f.code, errors, None, had_files).await,
            None => Err(e.into()),
        },
    }
}

#[derive(Template)]
#[template(path = "oversight_disclosures.html")]
struct ListPage {
    nav: Nav,
    disclosures: Vec<DisclosureSummary>,
}

pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let disclosures = disclosures::list(&state.ctx, &user.actor).await?;
    page(ListPage {
        nav: Nav::for_user(Some(&user)),
        disclosures,
    })
}

#[derive(Template)]
#[template(path = "oversight_disclosure.html")]
struct ShowPage {
    nav: Nav,
    d: DisclosureView,
    errors: Vec<PageError>,
    answer: String,
    download_base: String,
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    id: DisclosureId,
    errors: Vec<PageError>,
    answer: String,
) -> Result<Response, AppError> {
    let d = disclosures::get(&state.ctx, &user.actor, id).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(with_status(
        page(ShowPage {
            nav: Nav::for_user(Some(user)),
            download_base: format!("/oversight/disclosures/{id}/attachments"),
            d,
            errors,
            answer,
        })?,
        status,
    ))
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: DisclosureId = path_id(&id)?;
    render(&state, &user, id, Vec::new(), String::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerForm {
    answer: String,
}

pub async fn answer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: SignedForm<AnswerForm>,
) -> Result<Response, AppError> {
    let id: DisclosureId = path_id(&id)?;
    match disclosures::answer(&state.ctx, &form.user.actor, id, &form.form.answer).await {
        Ok(()) => Ok(Redirect::to(&format!("/oversight/disclosures/{id}")).into_response()),
        Err(e) => match form_errors(&e) {
            Some(errors) => render(&state, &form.user, id, errors, form.form.answer.clone()).await,
            None => Err(e.into()),
        },
    }
}

/// One of a disclosure's files, opened, for oversight.
pub async fn file(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, number)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id: DisclosureId = path_id(&id)?;
    let number: i64 = path_id(&number)?;
    let f =
        probity_service::attachments::disclosure_file(&state.ctx, &user.actor, id, number).await?;
    Ok(file_response(f))
}
