//! Advice: caseworkers refer cases to advisory teams; advisers advise per destination with
//! reasons; advice is consolidated per team and then into the final advice.
use std::collections::BTreeMap;

use probity_domain::{
    consolidate, AdviceKind, AdviceReasons, CaseAction, CaseId, Consolidated, CountryCode, Note,
    Proviso, TeamId,
};
use probity_store::{from_micros, to_micros};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use time::OffsetDateTime;

use crate::auth::{Actor, Role};
use crate::rows::{audit_event, load_case, require_assignee, transition, visible_case};
use crate::{parse_text, Ctx, ServiceError, ServiceResult};

/// Refer a case to advisory teams.
pub async fn request_advice(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    teams: &[TeamId],
    note: &str,
) -> ServiceResult<()> {
    actor.require(&[Role::Caseworker], "request advice")?;
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
    actor.require(&[Role::Adviser], "give advice")?;
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
    sqlx::query(
        "UPDATE cases SET updated_at = $1, final_advice_json = NULL, final_advice_reasons = NULL \
         WHERE id = $2",
    )
    .bind(to_micros(now))
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?;
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
    let requested: Vec<(String, String)> = sqlx::query(
        "SELECT t.id, t.name FROM advice_requests r JOIN teams t ON t.id = r.team_id WHERE r.case_id = $1 ORDER BY t.name",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
    .collect::<Result<_, sqlx::Error>>()?;
    let rows = sqlx::query(
        "SELECT a.level, t.name, u.display_name, a.destination, a.kind_json, a.reasons, a.created_at, a.team_id \
         FROM advice a JOIN users u ON u.id = a.user_id LEFT JOIN teams t ON t.id = a.team_id \
         WHERE a.case_id = $1 AND a.superseded_at IS NULL ORDER BY a.created_at",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut items = Vec::new();
    let mut by_team: BTreeMap<(String, String), Vec<AdviceKind>> = BTreeMap::new();
    for r in &rows {
        let kind: AdviceKind = serde_json::from_str(&r.try_get::<String, _>(4)?)
            .map_err(|e| ServiceError::Conflict(format!("stored advice unreadable: {e}")))?;
        let item = AdviceItem {
            level: r.try_get(0)?,
            team: r.try_get(1)?,
            author: r.try_get(2)?,
            destination: r.try_get(3)?,
            kind,
            reasons: r.try_get(5)?,
            at: from_micros(r.try_get(6)?),
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
    for (_, team) in &requested {
        for d in &case.destinations {
            if !by_team.contains_key(&(team.clone(), d.clone())) {
                missing.push(format!("{team} has not advised on {d}"));
            }
        }
    }
    Ok(AdviceSummary {
        requested_teams: requested.into_iter().map(|(_, n)| n).collect(),
        items,
        team_level,
        missing,
    })
}

/// Consolidate team advice into the case's final advice. Every requested team must have
/// advised on every destination. A conflict is recorded as such: the decision-maker must
/// resolve it with reasons.
pub async fn consolidate_final(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    reasons: &str,
) -> ServiceResult<Consolidated> {
    actor.require(&[Role::Caseworker], "consolidate advice")?;
    let reasons = parse_text::<AdviceReasons>("reasons", reasons)?.into_string();
    let summary = summary(ctx, actor, id).await?;
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
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let case = load_case(&mut tx, id).await?;
    transition(&case, CaseAction::GiveAdvice)?;
    require_assignee(&mut tx, actor, &case, CaseAction::GiveAdvice).await?;
    let json =
        serde_json::to_string(&final_advice).map_err(|e| ServiceError::Conflict(e.to_string()))?;
    sqlx::query("UPDATE cases SET final_advice_json = $1, final_advice_reasons = $2, updated_at = $3 WHERE id = $4")
        .bind(&json)
        .bind(&reasons)
        .bind(to_micros(now))
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    audit_event(
        &mut tx,
        Some(actor),
        now,
        "advice.consolidate_final",
        ("case", &id.to_string()),
        serde_json::json!({ "final_advice": final_advice }),
    )
    .await?;
    tx.commit().await?;
    Ok(final_advice)
}
