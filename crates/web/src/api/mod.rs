//! The JSON API under `/api/v1`: the same service functions as the pages, for machine
//! clients (bearer tokens) and scripts. Errors are JSON with per-field messages.
mod dissents;
mod openapi;
mod reviews;
mod screening;
mod supporting_documents;
mod tokens;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use probity_domain::{ApplicationInput, CaseId, DocumentId, LicenceId, QuestionId, TeamId};
use probity_service::advice::AdviceInput;
use probity_service::cases::Queue;
use probity_service::decisions::DecisionInput;
use probity_service::{
    advice, appeals, applications, cases, decisions, documents, licences, records, ServiceError,
};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::ApiUser;
use crate::{ApiError, AppError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/decisions", get(list_decisions))
        .route("/decisions/{seq}", get(get_decision))
        .route("/stats", get(crate::pages::data::api_stats))
        .route(
            "/accountability",
            get(crate::pages::data::publish::accountability_json),
        )
        .route("/applications", post(submit_application))
        .route("/cases", get(list_cases))
        .route("/cases/{id}", get(get_case))
        .route("/cases/{id}/history", get(case_history))
        .route("/cases/{id}/assign", post(assign))
        .route("/cases/{id}/questions", post(ask))
        .route("/cases/{id}/questions/{qid}/answer", post(answer))
        .route("/cases/{id}/advice-requests", post(request_advice))
        .route("/cases/{id}/advice", post(give_advice))
        .route("/cases/{id}/final-advice", post(final_advice))
        .route("/cases/{id}/submit-for-decision", post(submit_for_decision))
        .route("/cases/{id}/finalise", post(finalise))
        .route("/cases/{id}/countersign", post(countersign))
        .route("/cases/{id}/return", post(return_case))
        .route("/cases/{id}/withdraw", post(withdraw))
        .route("/cases/{id}/appeal", post(appeal))
        .route("/licences/{id}", get(get_licence))
        .route("/licences/{id}/{action}", post(licence_action))
        .route("/documents/{id}", get(get_document))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{id}/revoke", post(tokens::revoke))
        .merge(reviews::router())
        .merge(dissents::router())
        .merge(supporting_documents::router())
        .merge(screening::router())
        .fallback(|| async { ApiError(AppError::NotFound) })
}

/// JSON body extractor whose rejections are our JSON errors (422 naming the problem).
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    let message = match &r {
        JsonRejection::MissingJsonContentType(_) => {
            "send the body as JSON with Content-Type: application/json".to_string()
        }
        JsonRejection::JsonSyntaxError(e) => {
            format!("the body is not valid JSON: {}", source_message(e))
        }
        JsonRejection::JsonDataError(e) => format!(
            "the JSON does not match the expected shape: {}",
            source_message(e)
        ),
        JsonRejection::BytesRejection(b) if b.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return ApiError(AppError::TooLarge)
        }
        JsonRejection::BytesRejection(b) => {
            format!("the body could not be read: {}", b.body_text())
        }
        other => other.body_text(),
    };
    ApiError(AppError::BadRequest(message))
}

/// Query-string extractor whose rejections are our JSON errors (422 naming the problem).
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                Err(ApiError(AppError::BadRequest(format!(
                    "the query string is not valid: {}",
                    source_message(&e)
                ))))
            }
            Err(other) => Err(ApiError(AppError::BadRequest(other.body_text()))),
        }
    }
}

fn source_message(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg = s.to_string();
        source = s.source();
    }
    msg
}

fn id<T: std::str::FromStr>(s: &str) -> Result<T, ApiError> {
    s.parse().map_err(|_| ApiError(AppError::NotFound))
}

type ApiResult = Result<Response, ApiError>;

fn ok(v: impl serde::Serialize) -> ApiResult {
    Ok(Json(v).into_response())
}

#[derive(Deserialize, Default)]
struct PageQuery {
    page: Option<i64>,
    per_page: Option<i64>,
    destination: Option<String>,
    queue: Option<String>,
    search: Option<String>,
    sort: Option<String>,
}

async fn list_decisions(State(s): State<AppState>, ApiQuery(q): ApiQuery<PageQuery>) -> ApiResult {
    let page = records::list_public(
        &s.ctx,
        q.destination.as_deref(),
        q.page.unwrap_or(1),
        q.per_page.unwrap_or(50),
    )
    .await?;
    ok(page)
}

async fn get_decision(State(s): State<AppState>, Path(seq): Path<String>) -> ApiResult {
    ok(records::get_public(&s.ctx, id(&seq)?).await?)
}

async fn submit_application(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(input): ApiJson<ApplicationInput>,
) -> ApiResult {
    let (case_id, reference) = applications::submit_new(&s.ctx, &a, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": case_id, "reference": reference.to_string() })),
    )
        .into_response())
}

async fn list_cases(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult {
    let queue = match q.queue.as_deref() {
        Some(x) => Queue::parse(x)
            .ok_or_else(|| ServiceError::field("queue", format!("unknown queue {x:?}")))?,
        None => *Queue::for_role(a.role)
            .first()
            .ok_or_else(|| ServiceError::Forbidden("read cases".into()))?,
    };
    let sort = match q.sort.as_deref() {
        None => cases::Sort::default(),
        Some(x) => cases::Sort::parse(x).ok_or_else(|| {
            let names: Vec<&str> = cases::Sort::ALL.iter().map(|s| s.name()).collect();
            ServiceError::field(
                "sort",
                format!("unknown sort {x:?}: use {}", names.join(", ")),
            )
        })?,
    };
    let options = cases::ListOptions {
        search: q.search.unwrap_or_default(),
        sort,
    };
    ok(cases::list_cases_with(
        &s.ctx,
        &a,
        queue,
        &options,
        q.page.unwrap_or(1),
        q.per_page.unwrap_or(50),
    )
    .await?)
}

async fn get_case(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(cid): Path<String>,
) -> ApiResult {
    let cid: CaseId = id(&cid)?;
    let view = probity_service::case_view::case_view(&s.ctx, &a, cid).await?;
    let (goods, parties) = cases::goods_and_parties(&s.ctx, &a, cid).await?;
    let questions = cases::questions(&s.ctx, &a, cid).await?;
    let licences = licences::for_case(&s.ctx, &a, cid).await?;
    let advice = if a.role == probity_service::auth::Role::Exporter {
        None
    } else {
        Some(advice::summary(&s.ctx, &a, cid).await?)
    };
    let docs: Vec<Value> = documents::for_case(&s.ctx, &a, cid)
        .await?
        .into_iter()
        .map(|d| json!({ "id": d.id, "kind": d.kind, "title": d.title }))
        .collect();
    ok(
        json!({ "case": view, "goods": goods, "parties": parties, "questions": questions, "licences": licences, "advice": advice, "documents": docs }),
    )
}

async fn case_history(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(cid): Path<String>,
) -> ApiResult {
    ok(cases::history(&s.ctx, &a, id(&cid)?).await?)
}

async fn assign(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(cid): Path<String>,
) -> ApiResult {
    cases::assign_to_self(&s.ctx, &a, id(&cid)?).await?;
    ok(json!({ "ok": true }))
}

#[derive(Deserialize)]
struct Text {
    #[serde(default)]
    body: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    reasons: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    grounds: String,
    #[serde(default)]
    teams: Vec<String>,
}

async fn ask(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(cid): Path<String>,
    ApiJson(t): ApiJson<Text>,
) -> ApiResult {
    let qid = cases::ask_question(&s.ctx, &a, id(&cid)?, &t.body).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": qid }))).into_response())
}

async fn answer(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path((cid, qid)): Path<(String, String)>,
    ApiJson(t): ApiJson<Text>,
) -> ApiResult {
    let qid: QuestionId = id(&qid)?;
    cases::answer_question(&s.ctx, &a, id(&cid)?, qid, &t.answer).await?;
    ok(json!({ "ok": true }))
}

async fn request_advice(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(cid): Path<String>,
    ApiJson(t): ApiJson<Text>,
) -> ApiResult {
    let teams = t
        .teams
        .iter()
        .enumerate()
        .map(|(i, x)| {
            x.parse::<TeamId>()
                .map_err(|_| ServiceError::field(&format!("teams[{i}]"), "not a team id"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    advice::request_advice(&s.ctx, &a, id(&cid)?, &teams, &t.note).await?;
    ok(json!({ "ok": true }))
}

async fn give_advice(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(cid): Path<String>,
    ApiJson(input): ApiJson<AdviceInput>,
) -> ApiResult {
    advice::give_advice(&s.ctx, &a, id(&cid)?, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "ok": true }))).into_response())
}

async fn final_advice(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(cid): Path<String>,
    ApiJson(t): ApiJson<Text>,
) -> ApiResult {
    let result = advice::consolidate_final(&s.ctx, &a, id(&cid)?, &t.reasons).await?;
    ok(json!({ "final_advice": result }))
}

async fn submit_for_decision(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(cid): Path<String>,
) -> ApiResult {
    decisions::submit_for_decision(&s.ctx, &a, id(&cid)?).await?;
    ok(json!({ "ok": true }))
}

#[axum::debug_handler(state = AppState)]
async fn finalise(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(cid): Path<String>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> ApiResult {
    let result = decisions::finalise(&s.ctx, &a, id(&cid)?, &input).await?;
    ok(json!({ "result": result }))
}

async fn countersign(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(cid): Path<String>,
    ApiJson(t): ApiJson<Text>,
) -> ApiResult {
    let result = decisions::countersign(&s.ctx, &a, id(&cid)?, &t.note).await?;
    ok(json!({ "result": result }))
}

async fn return_case(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(cid): Path<String>,
    ApiJson(t): ApiJson<Text>,
) -> ApiResult {
    decisions::return_to_caseworker(&s.ctx, &a, id(&cid)?, &t.reason).await?;
    ok(json!({ "ok": true }))
}

async fn withdraw(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(cid): Path<String>,
    ApiJson(t): ApiJson<Text>,
) -> ApiResult {
    applications::withdraw(&s.ctx, &a, id(&cid)?, &t.reason).await?;
    ok(json!({ "ok": true }))
}

async fn appeal(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(cid): Path<String>,
    ApiJson(t): ApiJson<Text>,
) -> ApiResult {
    let (appeal_id, reference) = appeals::appeal(&s.ctx, &a, id(&cid)?, &t.grounds).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": appeal_id, "reference": reference.to_string() })),
    )
        .into_response())
}

async fn get_licence(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(lid): Path<String>,
) -> ApiResult {
    let lid: LicenceId = id(&lid)?;
    let (licence, events) = licences::get(&s.ctx, &a, lid).await?;
    // Whether goods may be shipped under it, and if not, why (the domain's rule).
    let bar = licence.status.export_bar();
    ok(
        json!({ "licence": licence, "events": events, "may_export": bar.is_none(), "export_bar": bar }),
    )
}

async fn licence_action(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path((lid, action)): Path<(String, String)>,
    ApiJson(t): ApiJson<Text>,
) -> ApiResult {
    let lid: LicenceId = id(&lid)?;
    let action = licences::parse_action(&action).ok_or(ApiError(AppError::NotFound))?;
    let status = licences::act(&s.ctx, &a, lid, action, &t.reason).await?;
    ok(json!({ "status": status.as_str() }))
}

async fn get_document(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(did): Path<String>,
) -> ApiResult {
    let did: DocumentId = id(&did)?;
    ok(documents::get(&s.ctx, &a, did).await?)
}
