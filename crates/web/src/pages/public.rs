//! The public register of decisions: no sign-in needed.
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use probity_service::records::{self, PublishedRecord, RecordPage};
use serde::Deserialize;

use crate::auth::MaybeUser;
use crate::render::{page, Nav};
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "decisions.html")]
struct DecisionsPage {
    nav: Nav,
    records: RecordPage,
    destination: String,
    pages: i64,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    page: Option<i64>,
    destination: Option<String>,
}

pub async fn decisions(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let destination = q.destination.unwrap_or_default();
    let records = records::list_public(
        &state.ctx,
        Some(destination.as_str()),
        q.page.unwrap_or(1),
        50,
    )
    .await?;
    let pages = probity_domain::page_count(records.total, records.per_page);
    page(DecisionsPage {
        nav: Nav::for_user(user.as_ref()),
        records,
        destination,
        pages,
    })
}

#[derive(Template)]
#[template(path = "decision.html")]
struct DecisionPage {
    nav: Nav,
    r: PublishedRecord,
    json: String,
}

pub async fn decision(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(seq): Path<String>,
) -> Result<Response, AppError> {
    let seq: i64 = super::path_id(&seq)?;
    let r = records::get_public(&state.ctx, seq).await?;
    let json = serde_json::to_string_pretty(&r.record).unwrap_or_default();
    page(DecisionPage {
        nav: Nav::for_user(user.as_ref()),
        r,
        json,
    })
}
