//! Sanctions-list pages: the versions of every list with what each changed and the latest
//! re-screens (caseworkers and everyone who decides), a policy user's upload of a new version,
//! and a caseworker's resolution of a match on the case page.
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use probity_domain::screening::MAY_LOAD_LISTS;
use probity_domain::CaseId;
use probity_screening::{BadLines, ListKind};
use probity_service::screening::{self, ChangeRow, ListVersionRow, OpenMatches, RunRow};
use probity_service::ServiceError;
use serde::Deserialize;

use super::{form_errors, path_id};
use crate::auth::{CurrentUser, SignedForm};
use crate::pages::PageError;
use crate::render::{page, Nav};
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "screening_lists.html")]
struct ListsPage {
    nav: Nav,
    versions: Vec<ListVersionRow>,
    runs: Vec<RunRow>,
    may_load: bool,
    errors: Vec<PageError>,
    /// The list chosen and the name typed, kept when the upload is refused.
    list: String,
    name: String,
}

async fn lists_page(
    state: &AppState,
    user: &CurrentUser,
    errors: Vec<PageError>,
    (list, name): (String, String),
    status: StatusCode,
) -> Result<Response, AppError> {
    let (versions, runs) = screening::overview(&state.ctx, &user.actor).await?;
    let mut resp = page(ListsPage {
        nav: Nav::for_user(Some(user)),
        versions,
        runs,
        may_load: MAY_LOAD_LISTS.contains(&user.actor.role),
        errors,
        list,
        name,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

pub async fn lists(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    lists_page(
        &state,
        &user,
        Vec::new(),
        Default::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UploadForm {
    list: String,
    name: String,
    skip_bad: Option<String>,
}

/// A policy user uploads a new version; the re-screen of every open case and licence in force
/// runs in the background, its progress on the lists page.
pub async fn upload(
    State(state): State<AppState>,
    form: SignedForm<UploadForm>,
) -> Result<Response, AppError> {
    let actor = &form.user.actor;
    if !MAY_LOAD_LISTS.contains(&actor.role) {
        return Err(ServiceError::Forbidden("load sanctions lists".into()).into());
    }
    let f = &form.form;
    let kind = match f.list.as_str() {
        "uk-hmt" => Ok(ListKind::UkHmt),
        "un" => Ok(ListKind::Un),
        "ofac-sdn" => Ok(ListKind::OfacSdn),
        "csv" => ListKind::parse(f.name.trim())
            .and_then(|k| match k {
                ListKind::Other(_) => Ok(k),
                _ => Err("that name is a built-in list: choose it above instead".to_owned()),
            })
            .map_err(|e| format!("List name: {e}")),
        _ => Err("Choose which list the file is".to_owned()),
    };
    let file = form.files.first();
    let refuse = |errors: Vec<PageError>| {
        lists_page(
            &state,
            &form.user,
            errors,
            (f.list.clone(), f.name.clone()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let (kind, file) = match (kind, file) {
        (Ok(k), Some(file)) => (k, file),
        (kind, file) => {
            let mut errors = Vec::new();
            if let Err(e) = kind {
                errors.push(PageError::plain(e));
            }
            if file.is_none() {
                errors.push(PageError::plain("Choose the list file to upload"));
            }
            return refuse(errors).await;
        }
    };
    let bad = if f.skip_bad.is_some() {
        BadLines::Skip
    } else {
        BadLines::Refuse
    };
    match screening::load_list(
        &state.ctx,
        Some(actor),
        kind,
        &file.name,
        file.bytes.clone(),
        bad,
    )
    .await
    {
        Ok(report) => {
            let ctx = state.ctx.clone();
            let version = report.version_id.clone();
            tokio::spawn(async move {
                if let Err(e) = screening::rescreen_all(
                    &ctx,
                    probity_domain::screening::RescreenReason::ListUpdate,
                    Some(&version),
                    &mut |_, _| {},
                )
                .await
                {
                    tracing::error!(error = %e, "re-screening after a list update failed");
                }
            });
            Ok(Redirect::to(&format!("/screening/lists/{}", report.version_id)).into_response())
        }
        Err(e) => match form_errors(&e) {
            Some(errors) => {
                refuse(
                    errors
                        .into_iter()
                        // The file is the form's one field: its problems need no label.
                        .map(|m| PageError {
                            message: m.message.trim_start_matches("File: ").to_owned(),
                            ..m
                        })
                        .collect(),
                )
                .await
            }
            None => Err(e.into()),
        },
    }
}

#[derive(Template)]
#[template(path = "screening_version.html")]
struct VersionPage {
    nav: Nav,
    v: ListVersionRow,
    changes: Vec<ChangeRow>,
}

pub async fn version(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let _: uuid::Uuid = path_id(&id)?;
    let (v, changes) = screening::version(&state.ctx, &user.actor, &id).await?;
    page(VersionPage {
        nav: Nav::for_user(Some(&user)),
        v,
        changes,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResolveForm {
    verdict: String,
    reason: String,
}

/// A caseworker resolves a match from the case page.
pub async fn resolve(
    State(state): State<AppState>,
    Path((id, match_id)): Path<(String, String)>,
    form: SignedForm<ResolveForm>,
) -> Result<Response, AppError> {
    let case: CaseId = path_id(&id)?;
    let _: uuid::Uuid = path_id(&match_id)?;
    let f = &form.form;
    match screening::resolve(
        &state.ctx,
        &form.user.actor,
        &case.to_string(),
        &match_id,
        &f.verdict,
        &f.reason,
    )
    .await
    {
        Ok(reviewed) => Ok(Redirect::to(&format!(
            "/cases/{case}?done=screening-match-resolved{}#screening",
            if reviewed.is_some() {
                "-and-the-licence-put-under-review"
            } else {
                ""
            }
        ))
        .into_response()),
        Err(e) => match form_errors(&e) {
            Some(errors) => {
                let status = if matches!(e, ServiceError::Conflict(_)) {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                super::case::render_case_with(&state, &form.user, case, errors, status).await
            }
            None => Err(e.into()),
        },
    }
}

#[derive(Template)]
#[template(path = "screening_matches.html")]
struct MatchesPage {
    nav: Nav,
    m: OpenMatches,
    on_licences: bool,
}

impl MatchesPage {
    /// The scope, kept on the pager's links.
    fn scope_param(&self) -> &'static str {
        if self.on_licences {
            "&scope=licences"
        } else {
            ""
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MatchesQuery {
    page: Option<i64>,
    /// `licences`: only matches on licences in force.
    scope: Option<String>,
}

/// Every match waiting for a caseworker, best first; after a list update, those on licences in
/// force first of all.
pub async fn matches(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<MatchesQuery>,
) -> Result<Response, AppError> {
    let on_licences = match q.scope.as_deref() {
        None | Some("") | Some("all") => false,
        Some("licences") => true,
        Some(_) => {
            return Err(ServiceError::field("scope", "choose all or licences").into());
        }
    };
    let m =
        screening::open_matches(&state.ctx, &user.actor, on_licences, q.page.unwrap_or(1)).await?;
    page(MatchesPage {
        nav: Nav::for_user(Some(&user)),
        m,
        on_licences,
    })
}
