//! Administration (users) and the oversight view of the audit chain.
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use probity_service::accounts;
use probity_service::audit_anchors::{self, AnchorVerdict};
use probity_service::auth::{self, NewUser};
use probity_service::orgs::{self, Organisation, Team};
use probity_service::ServiceError;

use crate::auth::{CurrentUser, SignedForm};
use crate::pages::PageError;
use crate::render::{page, Nav};
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    nav: Nav,
    users: Vec<accounts::Account>,
    is_admin: bool,
    self_id: String,
    teams: Vec<Team>,
    organisations: Vec<Organisation>,
    errors: Vec<PageError>,
    notice: Option<String>,
}

pub(super) async fn render_users(
    state: &AppState,
    user: &CurrentUser,
    errors: Vec<PageError>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let users = accounts::list(&state.ctx, &user.actor).await?;
    let mut resp = page(UsersPage {
        nav: Nav::for_user(Some(user)),
        users,
        is_admin: user.actor.role == auth::Role::Admin,
        self_id: user.actor.user_id.to_string(),
        teams: orgs::list_teams(&state.ctx).await?,
        organisations: orgs::list_organisations(&state.ctx).await?,
        errors,
        notice,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

pub async fn users(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    render_users(&state, &user, Vec::new(), None, StatusCode::OK).await
}

pub async fn add_user(
    State(state): State<AppState>,
    form: SignedForm<NewUser>,
) -> Result<Response, AppError> {
    match auth::create_user(&state.ctx, Some(&form.user.actor), &form.form).await {
        Ok(_) => {
            render_users(
                &state,
                &form.user,
                Vec::new(),
                Some(format!("Added {}.", form.form.email.trim())),
                StatusCode::OK,
            )
            .await
        }
        Err(ServiceError::Validation(v)) => {
            let errors = crate::pages::validation_errors(&v);
            render_users(
                &state,
                &form.user,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    nav: Nav,
    ok: bool,
    events: i64,
    head: String,
    broken: String,
    anchor: Option<AnchorView>,
    /// The chain against the newest anchor: `Ok(events recorded since)` or the break.
    anchor_check: Option<Result<String, String>>,
}

/// The newest audit anchor, as shown.
struct AnchorView {
    index: u64,
    at: String,
    length: String,
    head: String,
}

pub async fn audit_chain(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let status = audit_anchors::status(&state.ctx, &user.actor).await?;
    let anchor = status.newest_anchor.map(|a| AnchorView {
        index: a.index,
        at: audit_anchors::minute_utc(a.anchor.anchored_at),
        length: audit_anchors::thousands(a.anchor.length),
        head: a.anchor.head.to_string(),
    });
    let (ok, events, head, broken, anchor_check) = match status.verdict {
        AnchorVerdict::ChainBroken(b) => (false, 0, String::new(), b.to_string(), None),
        AnchorVerdict::Checked { chain, anchors } => {
            let check = anchor.as_ref().map(|_| {
                anchors
                    .map(|held| match held.events_since {
                        1 => "1 event".to_string(),
                        n => format!("{} events", audit_anchors::thousands(n)),
                    })
                    .map_err(|b| b.to_string())
            });
            (true, chain.events, chain.head, String::new(), check)
        }
    };
    page(AuditPage {
        nav: Nav::for_user(Some(&user)),
        ok,
        events,
        head,
        broken,
        anchor,
        anchor_check,
    })
}
