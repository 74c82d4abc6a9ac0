//! The case page's read model: a case with the names and dates a person needs.
use probity_domain::{CaseId, CaseKind, CaseStatus, Consolidated};
use probity_store::cases as store_cases;
use serde::Serialize;
use time::OffsetDateTime;

use crate::auth::Actor;
use crate::casework::{corrupt, name_of, visible_case};
use crate::documents::appeal_deadline;
use crate::{Ctx, ServiceResult};

#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub id: CaseId,
    pub reference: String,
    pub is_appeal: bool,
    pub licence_type: String,
    pub licence_type_label: String,
    pub status: CaseStatus,
    pub status_label: String,
    pub organisation: String,
    pub destinations: Vec<String>,
    pub total_value_minor: i64,
    pub end_use_statement: String,
    pub end_user_type: Option<String>,
    pub assigned_to: Option<String>,
    pub assigned_to_id: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finalised_at: Option<OffsetDateTime>,
    pub outcome: Option<String>,
    pub final_advice: Option<Consolidated>,
    pub final_advice_reasons: Option<String>,
    /// The fingerprint of the advice behind the final advice: the decision form posts it back,
    /// so a decision is taken on the advice the decision-maker read.
    pub advice_fingerprint: Option<String>,
    pub appeal_of: Option<(String, String)>,
    pub appealed_by: Option<(String, String)>,
    pub appeal_grounds: Option<String>,
    pub can_appeal: bool,
    /// Why the case cannot be appealed now, if it cannot (`can_appeal` is its `is_ok`).
    #[serde(skip)]
    pub appealable: Result<(), probity_domain::NotAppealable>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub appeal_deadline: Option<OffsetDateTime>,
    pub pending_decision: Option<serde_json::Value>,
    pub pending_reasons: Option<String>,
    pub pending_decided_by: Option<String>,
    pub pending_decided_by_id: Option<String>,
    /// For staff, while the case is undecided: review flags and embargoes in force that
    /// would stop a grant without an override (the decision re-reads them when it is taken).
    pub grant_warnings: Vec<String>,
    /// For staff: the dissents on the case (that they exist and where they stand; contents
    /// are for their parties and oversight).
    pub dissents: Vec<crate::dissents::CaseDissent>,
    /// The decision was taken and a dissent filed after it is not yet answered.
    pub under_dissent: bool,
    /// Whether the reader may record a dissent (the domain's list of who may).
    pub may_dissent: bool,
}

impl CaseView {
    pub fn final_advice_label(&self) -> String {
        match &self.final_advice {
            None => "not yet consolidated".into(),
            Some(Consolidated::Approve) => "approve".into(),
            Some(Consolidated::Proviso(p)) => format!("approve with provisos: {}", p.join("; ")),
            Some(Consolidated::Refuse(c)) => format!(
                "refuse under criteria {}",
                c.iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(Consolidated::NoLicenceRequired) => "no licence required".into(),
            Some(Consolidated::Conflicting) => {
                "conflicting — the decision-maker must resolve it".into()
            }
            Some(Consolidated::Empty) => "no advice".into(),
        }
    }
}

/// The case as `actor` may see it. Exporters see their case, its outcome and its documents,
/// but not the officials' internal advice or a decision still awaiting countersignature.
pub async fn case_view(ctx: &Ctx, actor: &Actor, id: CaseId) -> ServiceResult<CaseView> {
    let mut conn = ctx.store.pool().acquire().await?;
    let c = visible_case(&mut conn, actor, id).await?;
    let organisation =
        probity_store::orgs::organisation(&mut *conn, &c.organisation_id.to_string())
            .await?
            .ok_or_else(|| corrupt(format!("case {id}: its organisation is missing")))?
            .name;
    let assigned_to = name_of(&mut conn, c.assigned_to.as_deref()).await?;
    let appeal_of = match &c.appeal_of {
        Some(orig) => store_cases::reference_of(&mut conn, orig)
            .await?
            .map(|r| (orig.clone(), r)),
        None => None,
    };
    let appealed_by = store_cases::appeal_against(&mut conn, &id.to_string()).await?;
    let pending = probity_store::decisions::pending(&mut conn, &id.to_string()).await?;
    let internal = actor.role != crate::auth::Role::Exporter;
    let pending = pending.filter(|_| internal);
    let pending_decided_by =
        name_of(&mut conn, pending.as_ref().map(|p| p.decided_by.as_str())).await?;
    let appeal_deadline = (c.outcome.as_deref() == Some("refused")
        && c.kind == CaseKind::Application)
        .then(|| c.finalised_at.map(appeal_deadline))
        .flatten();
    let appeal = crate::appeals::appeal_facts(&c, appealed_by.is_some());
    let appealable = probity_domain::check_appeal(&appeal, ctx.clock.now());
    let can_appeal = appealable.is_ok();
    let undecided = c.submitted_at.is_some() && c.finalised_at.is_none();
    let mut grant_warnings = Vec::new();
    if internal && undecided && c.kind == CaseKind::Application {
        let cid = id.to_string();
        grant_warnings.extend(crate::grant_blockers::grant_blockers(&mut conn, &cid).await?);
        grant_warnings.extend(crate::grant_blockers::embargo_blockers(ctx, &mut conn, &cid).await?);
    }
    let dissents = if internal {
        crate::dissents::on_case(&mut conn, &id.to_string()).await?
    } else {
        Vec::new()
    };
    let under_dissent = dissents
        .iter()
        .any(|d| d.after_decision && d.holds_up_decision);
    Ok(CaseView {
        id,
        reference: c.reference.clone().unwrap_or_else(|| "Draft".into()),
        is_appeal: c.kind == CaseKind::Appeal,
        licence_type: c.licence_type.as_str().to_string(),
        licence_type_label: c.licence_type.label().to_string(),
        status: c.status,
        status_label: c.status.label().to_string(),
        organisation,
        destinations: c.destinations.clone(),
        total_value_minor: c.total_value_minor,
        end_use_statement: c.end_use_statement.clone(),
        end_user_type: c.end_user_type.clone(),
        assigned_to,
        assigned_to_id: c.assigned_to.clone(),
        submitted_at: c.submitted_at,
        finalised_at: c.finalised_at,
        outcome: c.outcome.clone(),
        final_advice: c.final_advice.clone().filter(|_| internal),
        final_advice_reasons: c.final_advice_reasons.clone().filter(|_| internal),
        advice_fingerprint: c.final_advice_fingerprint.clone().filter(|_| internal),
        appeal_of,
        appealed_by: appealed_by.map(|a| (a.id, a.reference.unwrap_or_default())),
        appeal_grounds: c.appeal_grounds.clone(),
        can_appeal,
        appealable,
        appeal_deadline,
        pending_decision: pending
            .as_ref()
            .and_then(|p| serde_json::from_str(&p.decision_json).ok()),
        pending_reasons: pending.as_ref().map(|p| p.reasons.clone()),
        pending_decided_by,
        pending_decided_by_id: pending.map(|p| p.decided_by),
        grant_warnings,
        dissents,
        under_dissent,
        may_dissent: probity_domain::FILERS.contains(&actor.role) && c.submitted_at.is_some(),
    })
}
