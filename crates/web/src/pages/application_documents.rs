//! Supporting documents: the exporter's page to upload them (to a draft, or answering a
//! caseworker's request on a case not yet decided) and take them off a draft; downloads for
//! whoever may see the case; the caseworker's request from the case page.
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use probity_domain::{
    may_add_documents, may_remove_documents, CaseId, CaseStatus, DocumentKind, ACCEPTED_TYPES_TEXT,
};
use probity_service::auth::Role;
use probity_service::supporting_documents::{self as docs, CaseDocuments, NewUpload};
use probity_service::{cases, ServiceError};
use serde::Deserialize;

use super::case::{PageError, Typed};
use super::path_id;
use crate::auth::{CurrentUser, SignedForm};
use crate::render::{page_with_status, Nav};
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "application_documents.html")]
struct DocumentsPage {
    nav: Nav,
    id: String,
    draft: bool,
    may_add: bool,
    may_remove: bool,
    docs: CaseDocuments,
    kinds: [DocumentKind; 4],
    /// The kind chosen in a failed upload.
    chosen: String,
    accepted: &'static str,
    max_size: String,
    errors: Vec<PageError>,
    notice: Option<String>,
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    id: CaseId,
    errors: Vec<PageError>,
    chosen: &str,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    // Staff read the documents on the case page.
    user.actor
        .require(&[Role::Exporter], "upload supporting documents")?;
    let case = cases::get_case(&state.ctx, &user.actor, id).await?;
    let docs = docs::of_case(&state.ctx, &user.actor, id).await?;
    page_with_status(
        DocumentsPage {
            nav: Nav::for_user(Some(user)),
            id: id.to_string(),
            draft: case.status == CaseStatus::Draft,
            may_add: may_add_documents(case.status),
            may_remove: may_remove_documents(case.status),
            docs,
            kinds: DocumentKind::ALL,
            chosen: chosen.to_string(),
            accepted: ACCEPTED_TYPES_TEXT,
            max_size: probity_domain::human_size(probity_domain::MAX_ATTACHMENT_BYTES),
            errors,
            notice,
        },
        status,
    )
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    uploaded: Option<String>,
    removed: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let id: CaseId = path_id(&id)?;
    let notice = match (q.uploaded, q.removed) {
        (Some(_), _) => Some("Document uploaded.".to_string()),
        (_, Some(_)) => Some("Document removed.".to_string()),
        _ => None,
    };
    render(&state, &user, id, Vec::new(), "", notice, StatusCode::OK).await
}

/// A failed step's problems on the page, linked to their fields, under the status that says
/// what kind of failure it was; errors that are not the user's to put right pass on.
fn problems(e: ServiceError) -> Result<(Vec<PageError>, StatusCode), AppError> {
    let status = match e {
        ServiceError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::CONFLICT,
    };
    match super::form_errors(&e) {
        Some(errors) => Ok((errors, status)),
        None => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct UploadForm {
    #[serde(default)]
    document_kind: String,
    /// The number of the request this answers.
    #[serde(default)]
    request: Option<String>,
}

pub async fn upload(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: SignedForm<UploadForm>,
) -> Result<Response, AppError> {
    let id: CaseId = path_id(&id)?;
    let SignedForm {
        user, form, files, ..
    } = form;
    let request = match form.request.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => Some(
            r.parse::<i64>()
                .map_err(|_| AppError::BadRequest(format!("unknown request {r:?}")))?,
        ),
        None => None,
    };
    if files.len() > 1 {
        let errors = vec![PageError {
            message: "Upload one file at a time".into(),
            href: Some(format!("#{}", docs::FILE_FIELD)),
        }];
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return render(&state, &user, id, errors, &form.document_kind, None, status).await;
    }
    let new = NewUpload {
        document_kind: form.document_kind.clone(),
        request,
        file: files.into_iter().next(),
    };
    match docs::upload(&state.ctx, &user.actor, id, new).await {
        Ok(n) => {
            Ok(Redirect::to(&format!("/applications/{id}/documents?uploaded={n}")).into_response())
        }
        Err(e) => {
            let (errors, status) = problems(e)?;
            render(&state, &user, id, errors, &form.document_kind, None, status).await
        }
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn remove(
    State(state): State<AppState>,
    Path((id, number)): Path<(String, String)>,
    form: SignedForm<Empty>,
) -> Result<Response, AppError> {
    let id: CaseId = path_id(&id)?;
    let number: i64 = path_id(&number)?;
    match docs::remove(&state.ctx, &form.user.actor, id, number).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/applications/{id}/documents?removed=1")).into_response())
        }
        Err(e) => {
            let (errors, status) = problems(e)?;
            render(&state, &form.user, id, errors, "", None, status).await
        }
    }
}

/// A document's file, for whoever may see the case.
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, number)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id: CaseId = path_id(&id)?;
    let number: i64 = path_id(&number)?;
    let f = docs::download(&state.ctx, &user.actor, id, number).await?;
    Ok(crate::download::file_response(f))
}

#[derive(Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    document_kind: String,
    #[serde(default)]
    note: String,
}

/// The form's id prefix on the case page.
pub(crate) const REQUEST_FORM: &str = "request-document";

/// A caseworker asks the exporter for a document (from the case page).
pub async fn request(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: SignedForm<RequestForm>,
) -> Result<Response, AppError> {
    let id: CaseId = path_id(&id)?;
    let f = &form.form;
    match docs::request(&state.ctx, &form.user.actor, id, &f.document_kind, &f.note).await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?done=document-requested")).into_response()),
        Err(e) => {
            let typed = Typed {
                form: REQUEST_FORM,
                values: vec![
                    ("document_kind", f.document_kind.clone()),
                    ("note", f.note.clone()),
                ],
            };
            super::case::failed(&state, &form.user, id, e, typed).await
        }
    }
}
