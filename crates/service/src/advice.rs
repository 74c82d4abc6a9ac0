//! Advice: caseworkers refer cases to advisory teams; advisers advise per destination with
//! reasons; advice is consolidated per team and then into the final advice.
use std::collections::BTreeMap;

use probity_domain::{
    consolidate, AdviceFingerprint, AdviceKind, AdviceReasons, CaseAction, CaseId, Consolidated,
    CountryCode, Note, Proviso, TeamId,
};
use probity_store::advice::{self as store_advice, FinalAdvice};
use probity_store::{from_micros, to_micros, StoreError};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use time::OffsetDateTime;

use crate::auth::{Actor, Role};
use crate::rows::{audit_event, load_case, require_assignee, transition, visible_case, CaseRow};
use crate::{parse_text, Ctx, ServiceError, ServiceResult};

/// Refer a case to advisory teams.
pub async fn request_advice(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    teams: &[TeamId],
    note: &str,
) -> ServiceResult<()> {
    actor.may(probity_domain::CaseCommand::RequestAdvice)?;
    if teams.is_empty() {
        return Err(ServiceError::field(
            "teams",
            "choose at least one advisory team",
        ));
    }
    let note = parse_text::<Note>("note", note)?.into_string();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let case = load_case(&mut tx, id).await?;
    let status = transition(&case, CaseAction::RequestAdvice)?;
    require_assignee(&mut tx, actor, &case, CaseAction::RequestAdvice).await?;
    let mut newly_asked = false;
    for team in teams {
        let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM teams WHERE id = $1")
            .bind(team.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        if kind.as_deref() != Some("advisory") {
            return Err(ServiceError::field(
                "teams",
                "advice can only be requested from an advisory team",
            ));
        }
        let exists: Option<String> = sqlx::query_scalar(
            "SELECT team_id FROM advice_requests WHERE case_id = $1 AND team_id = $2",
        )
        .bind(id.to_string())
        .bind(team.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_some() {
            continue;
        }
        newly_asked = true;
        sqlx::query(
            "INSERT INTO advice_requests (case_id, team_id, requested_by, requested_at, note) \
             VALUES ($1,$2,$3,$4,$5)",
        )
        .bind(id.to_string())
        .bind(team.to_string())
        .bind(actor.user_id.to_string())
        .bind(to_micros(now))
        .bind(&note)
        .execute(&mut *tx)
        .await?;
    }
    if newly_asked {
        // A team newly asked has not advised yet: any final advice no longer covers it.
        store_advice::set_final_advice(&mut tx, &id.to_string(), None, to_micros(now)).await?;
    }
    crate::rows::set_status(&mut tx, id, status, now).await?;
    audit_event(
        &mut tx,
        Some(actor),
        now,
        "advice.request",
        ("case", &id.to_string()),
        serde_json::json!({ "teams": teams.iter().map(|t| t.to_string()).collect::<Vec<_>>() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Advice as typed in a form or sent as JSON.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct AdviceInput {
    pub destination: String,
    /// approve | proviso | refuse | no_licence_required
    pub kind: String,
    #[serde(default)]
    pub proviso: String,
    #[serde(default)]
    pub criteria: Vec<String>,
    pub reasons: String,
}

fn parse_advice(
    ctx: &Ctx,
    input: &AdviceInput,
) -> ServiceResult<(CountryCode, AdviceKind, String)> {
    let destination = CountryCode::parse(&input.destination)
        .map_err(|e| ServiceError::field("destination", e.to_string()))?;
    let kind = match input.kind.trim() {
        "approve" => AdviceKind::Approve,
        "proviso" => {
            AdviceKind::Proviso(parse_text::<Proviso>("proviso", &input.proviso)?.into_string())
        }
        "refuse" => {
            let criteria = crate::rows::parse_criteria(ctx, &input.criteria)?;
            if criteria.is_empty() {
                return Err(ServiceError::field(
                    "criteria",
                    "a refusal must cite at least one criterion",
                ));
            }
            AdviceKind::Refuse(criteria)
        }
        "no_licence_required" => AdviceKind::NoLicenceRequired,
        other => {
            return Err(ServiceError::field(
                "kind",
                format!(
                    "unknown advice {other:?}: use approve, proviso, refuse or no_licence_required"
                ),
            ))
        }
    };
    let reasons = parse_text::<AdviceReasons>("reasons", &input.reasons)?.into_string();
    Ok((destination, kind, reasons))
}

/// An adviser gives (or replaces their own) advice on one destination of a case referred to
/// their team.
pub async fn give_advice(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    input: &AdviceInput,
) -> ServiceResult<()> {
    actor.may(probity_domain::CaseCommand::GiveAdvice)?;
    let team = actor
        .team_id
        .ok_or_else(|| ServiceError::Forbidden("give advice without an advisory team".into()))?;
    let (destination, kind, reasons) = parse_advice(ctx, input)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let case = visible_case(&mut tx, actor, id).await?;
    transition(&case, CaseAction::GiveAdvice)?;
    if !case.destinations.iter().any(|d| d == destination.as_str()) {
        return Err(ServiceError::field(
            "destination",
            "that country is not a destination of this case",
        ));
    }
    sqlx::query(
        "UPDATE advice SET superseded_at = $1 WHERE case_id = $2 AND user_id = $3 \
         AND destination = $4 AND level = 'user' AND superseded_at IS NULL",
    )
    .bind(to_micros(now))
    .bind(id.to_string())
    .bind(actor.user_id.to_string())
    .bind(destination.as_str())
    .execute(&mut *tx)
    .await?;
    let kind_json =
        serde_json::to_string(&kind).map_err(|e| ServiceError::Conflict(e.to_string()))?;
    sqlx::query(
        "INSERT INTO advice (id, case_id, level, team_id, user_id, destination, kind_json, reasons, created_at) \
         VALUES ($1,$2,'user',$3,$4,$5,$6,$7,$8)",
    )
    .bind(probity_domain::AdviceId::new().to_string())
    .bind(id.to_string())
    .bind(team.to_string())
    .bind(actor.user_id.to_string())
    .bind(destination.as_str())
    .bind(&kind_json)
    .bind(&reasons)
    .bind(to_micros(now))
    .execute(&mut *tx)
    .await?;
    // New advice makes any final advice stale: it must be consolidated again before the
    // case can go for decision.
    store_advice::set_final_advice(&mut tx, &id.to_string(), None, to_micros(now)).await?;
    audit_event(
        &mut tx,
        Some(actor),
        now,
        "advice.give",
        ("case", &id.to_string()),
        serde_json::json!({ "destination": destination.as_str(), "advice": kind }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct AdviceItem {
    pub level: String,
    pub team: Option<String>,
    pub author: String,
    pub destination: String,
    pub kind: AdviceKind,
    pub reasons: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize)]
pub struct TeamAdvice {
    pub team: String,
    pub destination: String,
    pub consolidated: Consolidated,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct AdviceSummary {
    pub requested_teams: Vec<String>,
    pub items: Vec<AdviceItem>,
    pub team_level: Vec<TeamAdvice>,
    pub missing: Vec<String>,
}

/// All current advice on a case, with the team-level consolidation and what is missing.
pub async fn summary(ctx: &Ctx, actor: &Actor, id: CaseId) -> ServiceResult<AdviceSummary> {
    let mut conn = ctx.store.pool().acquire().await?;
    let case = visible_case(&mut conn, actor, id).await?;
    if actor.role == Role::Exporter {
        return Err(ServiceError::Forbidden("read internal advice".into()));
    }
    Ok(read_advice(&mut conn, &case).await?.0)
}

/// The current advice on `case` and the fingerprint of that advice set, read on `conn` (a
/// command passes its transaction, so what it consolidates is what it fingerprints).
async fn read_advice(
    conn: &mut AnyConnection,
    case: &CaseRow,
) -> ServiceResult<(AdviceSummary, AdviceFingerprint)> {
    let case_id = case.id.to_string();
    let requested = store_advice::requested_teams(conn, &case_id).await?;
    let rows = store_advice::current_advice(conn, &case_id).await?;
    let fingerprint = AdviceFingerprint::of(
        requested.iter().map(|t| t.id.as_str()),
        rows.iter().map(|r| r.id.as_str()),
    );
    let mut items = Vec::new();
    let mut by_team: BTreeMap<(String, String), Vec<AdviceKind>> = BTreeMap::new();
    for r in rows {
        let kind: AdviceKind = serde_json::from_str(&r.kind_json).map_err(|_| {
            ServiceError::Store(StoreError::Corrupt(format!(
                "advice {} on case {case_id}: unreadable advice",
                r.id
            )))
        })?;
        let item = AdviceItem {
            level: r.level,
            team: r.team_name,
            author: r.author,
            destination: r.destination,
            kind,
            reasons: r.reasons,
            at: from_micros(r.created_at),
        };
        if item.level == "user" {
            if let Some(team) = &item.team {
                by_team
                    .entry((team.clone(), item.destination.clone()))
                    .or_default()
                    .push(item.kind.clone());
            }
        }
        items.push(item);
    }
    let team_level: Vec<TeamAdvice> = by_team
        .iter()
        .map(|((team, dest), kinds)| TeamAdvice {
            team: team.clone(),
            destination: dest.clone(),
            consolidated: consolidate(kinds),
        })
        .collect();
    let mut missing = Vec::new();
    for team in &requested {
        for d in &case.destinations {
            if !by_team.contains_key(&(team.name.clone(), d.clone())) {
                missing.push(format!("{} has not advised on {d}", team.name));
            }
        }
    }
    let summary = AdviceSummary {
        requested_teams: requested.into_iter().map(|t| t.name).collect(),
        items,
        team_level,
        missing,
    };
    Ok((summary, fingerprint))
}

/// Refuse to act on a final advice that no longer matches the advice current on the case
/// (read in the caller's transaction): a final advice must never outlive what it summarises.
pub(crate) async fn ensure_final_advice_current(
    conn: &mut AnyConnection,
    case: &CaseRow,
) -> ServiceResult<()> {
    if case.final_advice.is_none() {
        return Err(ServiceError::Conflict(
            "consolidate the final advice first".into(),
        ));
    }
    let stored = store_advice::final_advice_fingerprint(conn, &case.id.to_string()).await?;
    let Some(stored) = stored else {
        return Err(ServiceError::Conflict(
            "this final advice was consolidated before Probity kept a record of the advice it \
             summarises: the caseworker must consolidate the final advice again"
                .into(),
        ));
    };
    let (_, current) = read_advice(conn, case).await?;
    if stored != current.as_str() {
        return Err(ServiceError::Conflict(
            "the advice on this case has changed since the final advice was consolidated: \
             the caseworker must consolidate the final advice again"
                .into(),
        ));
    }
    Ok(())
}

/// Consolidate team advice into the case's final advice. Every requested team must have
/// advised on every destination. A conflict is recorded as such: the decision-maker must
/// resolve it with reasons. The advice is read inside the command's transaction, after the
/// command lock, so advice given meanwhile is either in this consolidation or clears it.
pub async fn consolidate_final(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    reasons: &str,
) -> ServiceResult<Consolidated> {
    actor.may(probity_domain::CaseCommand::ConsolidateAdvice)?;
    let reasons = parse_text::<AdviceReasons>("reasons", reasons)?.into_string();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let case = visible_case(&mut tx, actor, id).await?;
    transition(&case, CaseAction::GiveAdvice)?;
    require_assignee(&mut tx, actor, &case, CaseAction::GiveAdvice).await?;
    let (summary, fingerprint) = read_advice(&mut tx, &case).await?;
    if summary.requested_teams.is_empty() {
        return Err(ServiceError::Conflict(
            "request advice from at least one team first".into(),
        ));
    }
    if !summary.missing.is_empty() {
        return Err(ServiceError::Conflict(format!(
            "advice is incomplete: {}",
            summary.missing.join("; ")
        )));
    }
    let conflicting = summary
        .team_level
        .iter()
        .any(|t| matches!(t.consolidated, Consolidated::Conflicting));
    let final_advice = if conflicting {
        Consolidated::Conflicting
    } else {
        let kinds: Vec<AdviceKind> = summary
            .team_level
            .iter()
            .filter_map(|t| t.consolidated.clone().into_advice())
            .flatten()
            .collect();
        consolidate(&kinds)
    };
    let json = serde_json::to_string(&final_advice).map_err(|e| {
        ServiceError::Store(StoreError::Corrupt(format!(
            "final advice not encodable: {e}"
        )))
    })?;
    store_advice::set_final_advice(
        &mut tx,
        &id.to_string(),
        Some(FinalAdvice {
            json: &json,
            reasons: &reasons,
            fingerprint: fingerprint.as_str(),
        }),
        to_micros(now),
    )
    .await?;
    audit_event(
        &mut tx,
        Some(actor),
        now,
        "advice.consolidate_final",
        ("case", &id.to_string()),
        serde_json::json!({ "final_advice": final_advice, "advice_set": fingerprint.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(final_advice)
}
