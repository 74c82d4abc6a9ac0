//! Oversight's disclosure of register openings: a form asking for an entry, a field and a
//! reason; the answer is the openings as JSON that anyone can check against the public entry.
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use probity_service::domain::ConfidentialField;
use probity_service::register::disclosure;
use probity_service::ServiceError;
use serde::Deserialize;

use crate::auth::{CurrentUser, SignedForm};
use crate::pages::PageError;
use crate::render::{page, Nav};
use crate::{AppError, AppState};

/// One disclosed opening, as the page shows it.
struct Shown {
    field: &'static str,
    json: String,
}

#[derive(Template)]
#[template(path = "oversight_openings.html")]
struct OpeningsPage {
    nav: Nav,
    fields: Vec<&'static str>,
    index: String,
    field: String,
    reason: String,
    errors: Vec<PageError>,
    openings: Vec<Shown>,
}

impl OpeningsPage {
    fn new(user: &CurrentUser) -> OpeningsPage {
        OpeningsPage {
            nav: Nav::for_user(Some(user)),
            fields: ConfidentialField::ALL.iter().map(|f| f.as_str()).collect(),
            index: String::new(),
            field: String::new(),
            reason: String::new(),
            errors: Vec::new(),
            openings: Vec::new(),
        }
    }
}

pub async fn openings_form(user: CurrentUser) -> Result<Response, AppError> {
    user.actor.require(
        &[probity_service::auth::Role::Oversight],
        "disclose register openings",
    )?;
    page(OpeningsPage::new(&user))
}

#[derive(Deserialize)]
pub struct OpeningsForm {
    #[serde(default)]
    index: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    reason: String,
}

pub async fn disclose(
    State(state): State<AppState>,
    form: SignedForm<OpeningsForm>,
) -> Result<Response, AppError> {
    let f = &form.form;
    let mut view = OpeningsPage {
        index: f.index.clone(),
        field: f.field.clone(),
        reason: f.reason.clone(),
        ..OpeningsPage::new(&form.user)
    };
    let parsed = parse(f);
    let result = match parsed {
        Ok((index, field)) => {
            disclosure::disclose(&state.ctx, &form.user.actor, index, field, &f.reason).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(openings) => {
            view.openings = openings
                .iter()
                .map(|o| {
                    Ok(Shown {
                        field: o.field.as_str(),
                        json: serde_json::to_string(o)
                            .map_err(|e| ServiceError::Conflict(e.to_string()))?,
                    })
                })
                .collect::<Result<_, AppError>>()?;
            page(view)
        }
        Err(ServiceError::Validation(v)) => {
            view.errors = crate::pages::validation_errors(&v);
            let mut resp = page(view)?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

fn parse(f: &OpeningsForm) -> Result<(u64, Option<ConfidentialField>), ServiceError> {
    let index = f.index.trim().parse::<u64>().map_err(|_| {
        ServiceError::field("index", "enter the entry's register index, a whole number")
    })?;
    let field = match f.field.trim() {
        "" => None,
        name => Some(
            name.parse::<ConfidentialField>()
                .map_err(|_| ServiceError::field("field", "choose one of the listed fields"))?,
        ),
    };
    Ok((index, field))
}
