//! The public register of decisions: no sign-in needed.
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use std::collections::HashMap;

use probity_domain::{CountryCode, CountryLookupError};
use probity_service::records::{self, PublishedRecord, RecordPage};
use probity_service::ServiceError;
use serde::Deserialize;

use crate::auth::MaybeUser;
use crate::render::{page, page_with_status, Nav};
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "decisions.html")]
struct DecisionsPage {
    nav: Nav,
    records: RecordPage,
    /// The filter as typed.
    destination: String,
    /// The country it found, when it found one.
    filtered_to: Option<CountryCode>,
    /// Why the filter could not be used (the list is then unfiltered), and what it may mean.
    problem: Option<String>,
    candidates: Vec<CountryCode>,
    pages: i64,
    criteria: HashMap<String, String>,
}

impl DecisionsPage {
    /// "2c: <title>" for a criterion code the register cites.
    fn criterion(&self, code: &str) -> String {
        match self.criteria.get(code) {
            Some(title) => format!("{code}: {title}"),
            None => code.to_string(),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    page: Option<i64>,
    destination: Option<String>,
}

/// The register, filtered by a destination typed as a name or a code. A filter that names no
/// country (or several) is explained on the same page, above the unfiltered list.
pub async fn decisions(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let destination = q.destination.unwrap_or_default();
    let page_no = q.page.unwrap_or(1);
    let (records, filtered_to, problem, candidates) =
        match records::list_public(&state.ctx, Some(destination.as_str()), page_no, 50).await {
            Ok(r) => {
                let found = CountryCode::find(&destination).ok();
                (r, found, None, Vec::new())
            }
            Err(ServiceError::Validation(v)) => {
                let candidates = match CountryCode::find(&destination) {
                    Err(CountryLookupError::Ambiguous { candidates, .. }) => candidates,
                    _ => Vec::new(),
                };
                let problem = v.0.first().map(|f| f.message.clone());
                let r = records::list_public(&state.ctx, None, page_no, 50).await?;
                (r, None, problem, candidates)
            }
            Err(e) => return Err(e.into()),
        };
    let pages = probity_domain::page_count(records.total, records.per_page);
    let criteria = state
        .ctx
        .criteria
        .criteria
        .iter()
        .map(|c| (c.code.to_string(), c.title.to_string()))
        .collect();
    let status = if problem.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    page_with_status(
        DecisionsPage {
            nav: Nav::for_user(user.as_ref()),
            records,
            destination,
            filtered_to,
            problem,
            candidates,
            pages,
            criteria,
        },
        status,
    )
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
