//! Advice: caseworkers refer cases to advisory teams; advisers advise per destination with
//! reasons; advice is consolidated per team and then into the final advice.
use std::collections::BTreeMap;

use probity_domain::{
    consolidate, AdviceFingerprint, AdviceKind, AdviceReasons, CaseAction, CaseId, Consolidated,
    CountryCode, Note, Proviso, TeamId,
};
use probity_store::advice::{self as store_advice, NewUserAdvice};
use probity_store::cases::{self as store_cases, FinalAdvice};
use probity_store::{from_micros, to_micros, StoreError};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use time::OffsetDateTime;

use crate::auth::{Actor, Role};
use crate::casework::{
    load_case, parse_criteria, require_assignee, set_status, transition, visible_case, CaseRow,
};
use crate::command::{to_json, Command};
use crate::{parse_text, Ctx, ServiceError, ServiceResult};

/// Refer a case to advisory teams.
#[tracing::instrument(name = "advice::request_advice", skip_all, fields(case = %id))]
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
    let mut cmd = Command::begin(ctx, actor).await?;
    let (now, cid, me) = (cmd.now, id.to_string(), actor.user_id.to_string());
    let case = load_case(&mut cmd, id).await?;
    let status = transition(&case, CaseAction::RequestAdvice)?;
    require_assignee(&mut cmd, actor, &case, CaseAction::RequestAdvice).await?;
    let mut newly_asked = false;
    for team in teams {
        let team = team.to_string();
        if !store_advice::is_advisory_team(&mut cmd, &team).await? {
            return Err(ServiceError::field(
                "teams",
                "advice can only be requested from an advisory team",
            ));
        }
        if store_advice::is_referred(&mut cmd, &cid, &team).await? {
            continue;
        }
        newly_asked = true;
        store_advice::insert_request(&mut cmd, &cid, &team, &me, &note, to_micros(now)).await?;
    }
    if newly_asked {
        // A team newly asked has not advised yet: any final advice no longer covers it.
        store_cases::set_final_advice(&mut cmd, &cid, None, to_micros(now)).await?;
    }
    set_status(&mut cmd, id, status, now).await?;
    cmd.finish(
        "advice.request",
        ("case", &cid),
        serde_json::json!({ "teams": teams.iter().map(|t| t.to_string()).collect::<Vec<_>>() }),
    )
    .await
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
            let criteria = parse_criteria(ctx, &input.criteria)?;
            if criteria.is_empty() {
                return Err(ServiceError::field(
                    "criteria",
                    "a refusal must cite at least one criterion",
                ));
            }
            AdviceKind::Refuse(criteria)
        }
        "no_licence_required" => AdviceKind::NoLicenceRequired,
        "" => return Err(ServiceError::field(
            "kind",
            "Choose your advice: approve, approve with a proviso, refuse, or no licence required",
        )),
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
#[tracing::instrument(name = "advice::give_advice", skip_all, fields(case = %id))]
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
    let mut cmd = Command::begin(ctx, actor).await?;
    let (now, cid) = (to_micros(cmd.now), id.to_string());
    let case = visible_case(&mut cmd, actor, id).await?;
    transition(&case, CaseAction::GiveAdvice)?;
    if !case.destinations.iter().any(|d| d == destination.as_str()) {
        return Err(ServiceError::field(
            "destination",
            "that country is not a destination of this case",
        ));
    }
    let advice = NewUserAdvice {
        id: &probity_domain::AdviceId::new().to_string(),
        case_id: &cid,
        team_id: &team.to_string(),
        user_id: &actor.user_id.to_string(),
        destination: destination.as_str(),
        kind_json: &to_json("advice", &kind)?,
        reasons: &reasons,
        at: now,
    };
    store_advice::replace_user_advice(&mut cmd, advice).await?;
    // New advice makes any final advice stale: it must be consolidated again before the
    // case can go for decision.
    store_cases::set_final_advice(&mut cmd, &cid, None, now).await?;
    cmd.finish(
        "advice.give",
        ("case", &cid),
        serde_json::json!({ "destination": destination.as_str(), "advice": kind }),
    )
    .await
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
    /// The caseworker's notes to the teams, (team, note), where one was written.
    pub notes: Vec<(String, String)>,
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
        notes: requested
            .iter()
            .filter(|t| !t.note.trim().is_empty())
            .map(|t| (t.name.clone(), t.note.clone()))
            .collect(),
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
    let stored = store_cases::final_advice_fingerprint(conn, &case.id.to_string()).await?;
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
#[tracing::instrument(name = "advice::consolidate_final", skip_all, fields(case = %id))]
pub async fn consolidate_final(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    reasons: &str,
) -> ServiceResult<Consolidated> {
    actor.may(probity_domain::CaseCommand::ConsolidateAdvice)?;
    let reasons = parse_text::<AdviceReasons>("reasons", reasons)?.into_string();
    let mut cmd = Command::begin(ctx, actor).await?;
    let case = visible_case(&mut cmd, actor, id).await?;
    transition(&case, CaseAction::GiveAdvice)?;
    require_assignee(&mut cmd, actor, &case, CaseAction::GiveAdvice).await?;
    let (summary, fingerprint) = read_advice(&mut cmd, &case).await?;
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
    let json = to_json("final advice", &final_advice)?;
    let advice = FinalAdvice {
        json: &json,
        reasons: &reasons,
        fingerprint: fingerprint.as_str(),
    };
    let now = to_micros(cmd.now);
    store_cases::set_final_advice(&mut cmd, &id.to_string(), Some(advice), now).await?;
    cmd.finish(
        "advice.consolidate_final",
        ("case", &id.to_string()),
        serde_json::json!({ "final_advice": final_advice, "advice_set": fingerprint.as_str() }),
    )
    .await?;
    Ok(final_advice)
}
