//! Screening in the API: screen names (the `probity screen` contract as JSON), the list
//! versions, a case's matches and a caseworker's resolution of one.
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Router;
use probity_domain::{CaseId, ValidationErrors};
use probity_screening::DEFAULT_THRESHOLD;
use probity_service::screening::{self, MatchRow, NameQuery};
use probity_service::ServiceError;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{id, ok, ApiJson, ApiResult};
use crate::auth::ApiUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/screen", post(screen))
        .route("/screening/lists", get(lists))
        .route("/cases/{id}/screening", get(case_matches))
        .route("/cases/{id}/screening/{mid}", post(resolve))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NameJson {
    name: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    address: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScreenJson {
    names: Vec<NameJson>,
    #[serde(default)]
    threshold: Option<f32>,
}

/// Every name is read before any is screened; each bad one is named by its position.
async fn screen(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(body): ApiJson<ScreenJson>,
) -> ApiResult {
    let mut errors = ValidationErrors::default();
    let mut queries = Vec::with_capacity(body.names.len());
    for (i, n) in body.names.iter().enumerate() {
        match NameQuery::parse(
            &n.name,
            n.kind.as_deref(),
            n.country.as_deref(),
            n.address.as_deref(),
        ) {
            Ok(q) => queries.push(q),
            Err(e) => errors.push(format!("names[{i}]"), e),
        }
    }
    if !errors.0.is_empty() {
        return Err(ServiceError::Validation(errors).into());
    }
    let names: Vec<String> = queries.iter().map(|q| q.name.clone()).collect();
    let threshold = body.threshold.unwrap_or(DEFAULT_THRESHOLD);
    let results = screening::screen_for(&s.ctx, &a, queries, threshold).await?;
    let results: Vec<Value> = names
        .iter()
        .zip(results)
        .map(|(name, matches)| json!({ "query": name, "matches": matches }))
        .collect();
    ok(json!({ "threshold": threshold, "results": results }))
}

async fn lists(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    let (versions, runs) = screening::overview(&s.ctx, &a).await?;
    let versions: Vec<Value> = versions
        .iter()
        .map(|v| {
            json!({
                "id": v.id, "list": v.list, "version": v.version, "source": v.source,
                "published": v.published, "sha256": v.file_sha256, "entries": v.entry_count,
                "added": v.added_count, "changed": v.changed_count, "removed": v.removed_count,
                "loaded_at": when(v.loaded_at),
            })
        })
        .collect();
    let runs: Vec<Value> = runs
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "reason": r.reason, "version": r.version_id,
                "started_at": when(r.started_at),
                "finished_at": r.finished_at.map(when),
                "parties": r.parties_total, "done": r.parties_done,
                "new_matches": r.matches_found, "on_licences_in_force": r.review_items,
            })
        })
        .collect();
    ok(json!({ "versions": versions, "runs": runs }))
}

/// A stored time as RFC 3339, like every time in the API.
fn when(micros: i64) -> String {
    screening::at(micros)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn match_json(m: &MatchRow) -> Value {
    json!({
        "id": m.id, "party": { "id": m.party_id, "name": m.party_name, "role": m.party_role },
        "list": m.list, "entry_id": m.entry_id, "matched_name": m.matched_name,
        "score": m.score as f64 / 100.0, "explanation": m.explanation,
        "found_at": when(m.found_at), "status": m.status,
        "resolved_by": m.resolved_by_name, "resolved_at": m.resolved_at.map(when),
        "reason": m.reason,
    })
}

async fn case_matches(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(cid): Path<String>,
) -> ApiResult {
    let case: CaseId = id(&cid)?;
    let matches = screening::matches_of_case(&s.ctx, &a, &case.to_string()).await?;
    ok(json!({ "matches": matches.iter().map(match_json).collect::<Vec<_>>() }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResolutionJson {
    verdict: String,
    reason: String,
}

async fn resolve(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path((cid, mid)): Path<(String, String)>,
    ApiJson(body): ApiJson<ResolutionJson>,
) -> ApiResult {
    let case: CaseId = id(&cid)?;
    let _: uuid::Uuid = id(&mid)?;
    let reviewed = screening::resolve(
        &s.ctx,
        &a,
        &case.to_string(),
        &mid,
        &body.verdict,
        &body.reason,
    )
    .await?;
    let matches = screening::matches_of_case(&s.ctx, &a, &case.to_string()).await?;
    ok(json!({
        "matches": matches.iter().map(match_json).collect::<Vec<_>>(),
        "review": reviewed.map(|r| json!({
            "id": r.review_id.to_string(), "licence_number": r.licence_number, "opened": r.opened,
        })),
    }))
}
