//! Server-rendered pages. Every handler is thin: parse, call one service function, render.
mod account;
mod admin;
mod application_documents;
mod application_tasks;
mod applications;
mod assessments;
mod case;
mod confirm;
pub(crate) mod data;
mod disclose;
mod dissents;
mod licences;
mod oversight;
mod problems;
mod public;
mod reviews;
mod screening;
mod session;
mod tokens;

use axum::routing::{get, post};
use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(session::home))
        .route("/static/style.css", get(session::stylesheet))
        .route("/static/enhance.js", get(session::enhance_script))
        .route("/login", get(session::login_form).post(session::login))
        .route(
            "/login/two-factor",
            get(account::second_step_form).post(account::second_step),
        )
        .route("/logout", post(session::logout))
        .route("/cases", get(case::list))
        .route("/applications/new", get(applications::new_form))
        .route("/applications", post(applications::create))
        .route("/applications/{id}/edit", get(applications::edit_form))
        .route("/applications/{id}", post(applications::update))
        .route(
            "/applications/{id}/section/{section}",
            get(application_tasks::section),
        )
        .route("/applications/{id}/check", get(application_tasks::check))
        .route("/applications/{id}/submit", post(application_tasks::submit))
        .route(
            "/applications/{id}/confirmation",
            get(application_tasks::confirmation),
        )
        .route(
            "/applications/{id}/documents",
            get(application_documents::show)
                .post(application_documents::upload)
                .layer(uploads()),
        )
        .route(
            "/applications/{id}/documents/{number}/remove",
            post(application_documents::remove),
        )
        .route(
            "/cases/{id}/documents/{number}",
            get(application_documents::download),
        )
        .route(
            "/cases/{id}/document-requests",
            post(application_documents::request),
        )
        .route("/cases/{id}", get(case::show))
        .route("/cases/{id}/history", get(case::history))
        .route("/cases/{id}/{action}", post(case::act))
        .route("/cases/{id}/questions/{qid}/answer", post(case::answer))
        .route("/cases/{id}/screening/{mid}", post(screening::resolve))
        .route(
            "/screening/lists",
            get(screening::lists)
                .post(screening::upload)
                .layer(uploads()),
        )
        .route("/screening/lists/{id}", get(screening::version))
        .route("/screening/matches", get(screening::matches))
        .route("/licences/{id}", get(licences::show))
        .route("/licences/{id}/{action}", post(licences::act))
        .route("/documents/{id}", get(licences::document))
        .route("/documents/{id}/download", get(licences::download))
        .route("/register/decisions", get(public::decisions))
        .route("/register/decisions/{seq}", get(public::decision))
        .route("/reviews", get(reviews::list))
        .route("/reviews/{id}", get(reviews::show))
        .route("/reviews/{id}/work", get(reviews::work))
        .route("/reviews/{id}/outcomes", post(reviews::outcomes))
        .route("/reviews/{id}/close", post(reviews::close))
        .route("/notifications", get(reviews::notifications))
        .route(
            "/disclose",
            get(disclose::form).post(disclose::make).layer(uploads()),
        )
        .route(
            "/disclose/status",
            get(disclose::status_form).post(disclose::status),
        )
        .route("/disclose/status/add", post(disclose::add).layer(uploads()))
        .route("/oversight/disclosures", get(disclose::list))
        .route("/oversight/disclosures/{id}", get(disclose::show))
        .route("/oversight/disclosures/{id}/answer", post(disclose::answer))
        .route(
            "/oversight/disclosures/{id}/attachments/{number}",
            get(disclose::file),
        )
        .route(
            "/dissents",
            get(dissents::list).post(dissents::file).layer(uploads()),
        )
        .route("/dissents/new", get(dissents::new_form))
        .route("/dissents/{id}", get(dissents::show))
        .route("/dissents/{id}/{step}", post(dissents::step))
        .route(
            "/dissents/{id}/attachments/{number}",
            get(dissents::file_download),
        )
        .route(
            "/assessments",
            get(assessments::list).post(assessments::record),
        )
        .route("/assessments/{id}", get(assessments::show))
        .route("/assessments/{id}/publish", post(assessments::publish))
        .route(
            "/assessments/{id}/review",
            get(assessments::review_preview).post(assessments::open_review),
        )
        .route(
            "/embargoes",
            get(assessments::embargoes).post(assessments::record_embargo),
        )
        .route(
            "/embargoes/{id}/review",
            get(assessments::embargo_review_preview).post(assessments::open_embargo_review),
        )
        .merge(data::router())
        .route("/admin/users", get(admin::users).post(admin::add_user))
        .route("/account/tokens", get(tokens::list).post(tokens::create))
        .route("/account/tokens/{id}/revoke", post(tokens::revoke))
        .route("/admin/users/{id}/{action}", post(account::administer))
        .route("/account", get(account::show))
        .route("/account/password", post(account::change_password))
        .route(
            "/account/two-factor",
            get(account::enrol_form).post(account::enrol),
        )
        .route("/oversight/audit", get(admin::audit_chain))
        .route(
            "/oversight/openings",
            get(oversight::openings_form).post(oversight::disclose),
        )
}

pub(crate) use problems::{form_errors, validation_errors, PageError};

/// The body limit of a form that carries files.
fn uploads() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(crate::MAX_UPLOAD_BODY_BYTES)
}

/// Parse a path id, treating a malformed one as "not found" (it cannot name anything).
pub(crate) fn path_id<T: std::str::FromStr>(s: &str) -> Result<T, crate::AppError> {
    s.parse().map_err(|_| crate::AppError::NotFound)
}
