//! Dissent: recording it, and reading it. Only the dissenter, the named responder and
//! oversight may read a dissent; to anyone else it does not exist (404). Answering, accepting,
//! escalating, the deadline job and oversight's finding are in `dissent_steps`.
use probity_domain::{
    check_filing, choose_responder, AssessmentId, CaseId, CriterionCode, DissentId, DissentStatus,
    DissentSubject, FieldError, LicenceId, ReviewId, Role, UserId, ValidationErrors,
};
use probity_store::{dissents as store, from_micros, to_micros};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use time::{Duration, OffsetDateTime, Time};

use crate::auth::Actor;
use crate::casework::visible_case;
use crate::command::Command;
use crate::{Ctx, ServiceError, ServiceResult};

/// A dissent as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DissentInput {
    /// `advice`, `final_advice`, `decision`, `assessment` or `review_outcome`.
    pub subject: String,
    /// The case, for advice, final advice and a decision.
    pub case: Option<CaseId>,
    /// The advice id (for advice), the assessment id, or the review id.
    pub subject_ref: String,
    /// The licence, for a review outcome.
    pub licence: Option<LicenceId>,
    /// One point of disagreement per line.
    pub points: String,
    /// Criteria concerned, as "2c" or "Criterion 2(c)".
    pub criteria: Vec<String>,
    pub evidence: String,
    /// Evidence files (from a form; the JSON API files text only).
    #[serde(skip)]
    pub files: Vec<probity_domain::Upload>,
}

pub(crate) fn problems_to_error(problems: Vec<FieldError>) -> ServiceError {
    ServiceError::Validation(ValidationErrors(problems))
}

/// What the dissent is about, resolved and checked to exist.
struct Target {
    case_id: Option<String>,
    subject_ref: String,
    licence_id: Option<String>,
    destinations: String,
    after_decision: bool,
    /// Who took or is taking the thing dissented from, when known.
    preferred: Option<UserId>,
}

async fn target(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: DissentSubject,
    input: &DissentInput,
) -> ServiceResult<Target> {
    let missing =
        |field: &str, what: &str| ServiceError::field(field, format!("choose the {what}"));
    if subject.on_case() {
        let case_id = input.case.ok_or_else(|| missing("case", "case"))?;
        let case = visible_case(conn, actor, case_id).await?;
        let cid = case_id.to_string();
        let pending = probity_store::decisions::pending(conn, &cid).await?;
        let subject_ref = match subject {
            DissentSubject::Advice => {
                let advice = probity_store::advice::current_advice(conn, &cid).await?;
                let wanted = input.subject_ref.trim();
                advice
                    .iter()
                    .find(|a| a.id == wanted)
                    .map(|a| a.id.clone())
                    .ok_or_else(|| {
                        ServiceError::field("subject_ref", "choose advice given on this case")
                    })?
            }
            DissentSubject::FinalAdvice if case.final_advice.is_none() => {
                return Err(ServiceError::field(
                    "subject",
                    "this case has no final advice yet",
                ))
            }
            DissentSubject::Decision if pending.is_none() && case.finalised_at.is_none() => {
                return Err(ServiceError::field(
                    "subject",
                    "no decision has been taken on this case yet",
                ))
            }
            _ => cid.clone(),
        };
        let preferred = pending
            .as_ref()
            .and_then(|p| p.decided_by.parse::<UserId>().ok());
        return Ok(Target {
            case_id: Some(cid),
            subject_ref,
            licence_id: None,
            destinations: case.destinations.join(","),
            after_decision: case.finalised_at.is_some(),
            preferred,
        });
    }
    match subject {
        DissentSubject::Assessment => {
            let id: AssessmentId = input
                .subject_ref
                .trim()
                .parse()
                .map_err(|_| missing("subject_ref", "assessment"))?;
            let row = probity_store::assessments::by_id(&mut *conn, &id.to_string())
                .await?
                .ok_or(ServiceError::NotFound("assessment"))?;
            Ok(Target {
                case_id: None,
                subject_ref: id.to_string(),
                licence_id: None,
                destinations: row.destination.clone(),
                after_decision: false,
                preferred: row.author_id.parse().ok(),
            })
        }
        _ => {
            let review: ReviewId = input
                .subject_ref
                .trim()
                .parse()
                .map_err(|_| missing("subject_ref", "review"))?;
            let licence = input.licence.ok_or_else(|| missing("licence", "licence"))?;
            let items = probity_store::review_items::items_by_licence(
                conn,
                &review.to_string(),
                &[licence.to_string()],
            )
            .await?;
            let item = items
                .first()
                .ok_or(ServiceError::NotFound("review outcome"))?;
            if item.outcome.is_none() {
                return Err(ServiceError::field(
                    "licence",
                    "this licence has no outcome in the review yet",
                ));
            }
            let head = probity_store::reviews::review(&mut *conn, &review.to_string())
                .await?
                .ok_or(ServiceError::NotFound("review"))?;
            Ok(Target {
                case_id: None,
                subject_ref: review.to_string(),
                licence_id: Some(licence.to_string()),
                destinations: head.destination,
                after_decision: false,
                preferred: None,
            })
        }
    }
}

/// When a dissent filed at `now` on `subject` must be answered by: the end of the day that
/// many working days later (UTC).
pub fn due_at(ctx: &Ctx, subject: DissentSubject, now: OffsetDateTime) -> OffsetDateTime {
    let days = ctx.dissent_deadlines.working_days(subject);
    let due = probity_domain::working_days::add_working_days(now.date(), days);
    (due + Duration::days(1))
        .with_time(Time::MIDNIGHT)
        .assume_utc()
}

/// Record a dissent; the named responder is chosen by the domain's rule.
pub async fn file(ctx: &Ctx, actor: &Actor, input: &DissentInput) -> ServiceResult<DissentId> {
    actor.require(&probity_domain::FILERS, "record dissents")?;
    let subject: DissentSubject = input.subject.parse().map_err(|_| {
        ServiceError::field(
            "subject",
            "choose advice, final advice, a decision, an assessment or a review outcome",
        )
    })?;
    let mut criteria: Vec<CriterionCode> = Vec::new();
    let mut problems = Vec::new();
    for c in input.criteria.iter().filter(|c| !c.trim().is_empty()) {
        match ctx.criteria.parse_citation(c) {
            Ok(code) => criteria.push(code),
            Err(e) => problems.push(FieldError {
                field: "criteria".into(),
                message: e.to_string(),
            }),
        }
    }
    let files = match crate::attachments::check(input.files.clone()) {
        Ok(f) => f,
        Err(ServiceError::Validation(more)) => {
            problems.extend(more.0);
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    let filing = match check_filing(subject, &input.points, criteria, &input.evidence) {
        Ok(f) if problems.is_empty() => f,
        Ok(_) => return Err(problems_to_error(problems)),
        Err(more) => {
            problems.extend(more);
            return Err(problems_to_error(problems));
        }
    };
    let mut cmd = Command::begin(ctx, actor).await?;
    let t = target(&mut cmd, actor, subject, input).await?;
    let candidates: Vec<(UserId, Role)> =
        store::active_in_role(&mut **cmd, subject.responder_role().as_str())
            .await?
            .into_iter()
            .filter_map(|r| Some((r.id.parse().ok()?, r.role.parse().ok()?)))
            .collect();
    let responder =
        choose_responder(subject, actor.user_id, &candidates, t.preferred).ok_or_else(|| {
            ServiceError::Conflict(format!(
                "nobody but you can answer a dissent on this: there is no other active {}",
                subject.responder_role().label().to_lowercase()
            ))
        })?;
    let id = DissentId::new();
    let now = cmd.now;
    let criteria_text: Vec<&str> = filing.criteria.iter().map(|c| c.as_str()).collect();
    let points: Vec<(i64, String)> = filing
        .points
        .iter()
        .map(|p| (i64::from(p.number), p.text.clone()))
        .collect();
    store::insert(
        &mut cmd,
        &store::NewDissent {
            id: &id.to_string(),
            subject: subject.as_str(),
            case_id: t.case_id.as_deref(),
            subject_ref: &t.subject_ref,
            licence_id: t.licence_id.as_deref(),
            destinations: &t.destinations,
            dissenter_id: &actor.user_id.to_string(),
            responder_id: &responder.to_string(),
            criteria: &criteria_text.join(","),
            evidence: &filing.evidence,
            after_decision: t.after_decision,
            filed_at: to_micros(now),
            due_at: to_micros(due_at(ctx, subject, now)),
        },
        &points,
    )
    .await?;
    crate::attachments::save_for_dissent(&mut cmd, &id.to_string(), &files).await?;
    cmd.finish(
        "dissent.file",
        ("dissent", &id.to_string()),
        serde_json::json!({
            "subject": subject.as_str(), "case": t.case_id, "subject_ref": t.subject_ref,
            "points": points.len(), "criteria": criteria_text, "responder": responder.to_string(),
            "after_decision": t.after_decision,
            "attachments": crate::attachments::audit_summary(&files),
        }),
    )
    .await?;
    Ok(id)
}

/// One point and, once answered, its answer.
#[derive(Debug, Clone, Serialize)]
pub struct PointView {
    pub number: i64,
    pub text: String,
    pub verdict: Option<probity_domain::PointVerdict>,
    pub reasons: Option<String>,
}

/// A dissent as its parties and oversight see it.
#[derive(Debug, Clone, Serialize)]
pub struct DissentView {
    pub id: DissentId,
    pub subject: DissentSubject,
    pub case_id: Option<String>,
    pub case_reference: Option<String>,
    pub subject_ref: String,
    pub licence_id: Option<String>,
    pub dissenter_id: String,
    pub dissenter: String,
    pub responder_id: String,
    pub responder: String,
    pub status: DissentStatus,
    pub criteria: Vec<String>,
    pub evidence: String,
    /// Evidence files, described (downloaded from the dissent's page).
    pub attachments: Vec<crate::attachments::AttachmentView>,
    pub points: Vec<PointView>,
    /// The case's decision was already taken when this was filed: it stands "under dissent".
    pub after_decision: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub filed_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
    pub overdue: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub answered_at: Option<OffsetDateTime>,
    pub answer_action: Option<probity_domain::AnswerAction>,
    pub escalated_by_deadline: bool,
    pub escalation_statement: Option<String>,
    pub finding_outcome: Option<probity_domain::FindingOutcome>,
    pub finding: Option<String>,
    pub retake_ordered: bool,
    /// The steps the reader may take now (the domain's rule).
    pub steps: Vec<probity_domain::DissentEvent>,
}

impl DissentView {
    pub fn may(&self, step: &str) -> bool {
        self.steps.iter().any(|s| s.as_str() == step)
    }

    /// Whether this dissent holds up a decision on its case.
    pub fn holds_up_decision(&self) -> bool {
        self.status.holds_up_decision(self.answered_at.is_some())
    }
}

fn corrupt(id: &str, what: &str) -> ServiceError {
    ServiceError::Store(probity_store::StoreError::Corrupt(format!(
        "dissent {id}: {what}"
    )))
}

pub(crate) fn view(
    row: store::DissentRow,
    points: Vec<store::PointRow>,
    now: OffsetDateTime,
) -> ServiceResult<DissentView> {
    let id = row.id.clone();
    let status: DissentStatus = row.status.parse().map_err(|_| corrupt(&id, "status"))?;
    let due_at = from_micros(row.due_at);
    Ok(DissentView {
        id: row.id.parse().map_err(|_| corrupt(&id, "id"))?,
        subject: row.subject.parse().map_err(|_| corrupt(&id, "subject"))?,
        case_id: row.case_id,
        case_reference: row.case_reference,
        subject_ref: row.subject_ref,
        licence_id: row.licence_id,
        dissenter_id: row.dissenter_id,
        dissenter: row.dissenter_name,
        responder_id: row.responder_id,
        responder: row.responder_name,
        overdue: status == DissentStatus::Open && now >= due_at,
        status,
        criteria: row
            .criteria
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
        evidence: row.evidence,
        attachments: Vec::new(),
        points: points
            .into_iter()
            .map(|p| {
                Ok(PointView {
                    number: p.number,
                    text: p.text,
                    verdict: p
                        .verdict
                        .map(|v| v.parse().map_err(|_| corrupt(&id, "verdict")))
                        .transpose()?,
                    reasons: p.reasons,
                })
            })
            .collect::<ServiceResult<_>>()?,
        after_decision: row.after_decision == 1,
        filed_at: from_micros(row.filed_at),
        due_at,
        answered_at: row.answered_at.map(from_micros),
        answer_action: row
            .answer_action
            .map(|a| a.parse().map_err(|_| corrupt(&id, "action")))
            .transpose()?,
        escalated_by_deadline: row.escalated_by_deadline == 1,
        escalation_statement: row.escalation_statement,
        finding_outcome: row
            .finding_outcome
            .map(|o| o.parse().map_err(|_| corrupt(&id, "finding")))
            .transpose()?,
        finding: row.finding,
        retake_ordered: row.retake_ordered == 1,
        steps: Vec::new(),
    })
}

/// Whether `actor` may read this dissent: its dissenter, its responder, oversight.
pub(crate) fn may_read(actor: &Actor, row: &store::DissentRow) -> bool {
    let me = actor.user_id.to_string();
    actor.role == Role::Oversight || row.dissenter_id == me || row.responder_id == me
}

/// Read a dissent (404 to anyone who may not).
pub async fn get(ctx: &Ctx, actor: &Actor, id: DissentId) -> ServiceResult<DissentView> {
    let mut conn = ctx.store.pool().acquire().await?;
    let row = store::by_id(&mut *conn, &id.to_string())
        .await?
        .filter(|r| may_read(actor, r))
        .ok_or(ServiceError::NotFound("dissent"))?;
    let points = store::points(&mut *conn, &id.to_string()).await?;
    let party = crate::dissent_steps::party(actor, &row);
    let mut v = view(row, points, ctx.clock.now())?;
    v.attachments = crate::attachments::of_dissent(&mut conn, &id.to_string()).await?;
    v.steps = probity_domain::available_steps(v.status, party);
    Ok(v)
}

/// The dissents `actor` filed or must answer (oversight: and every one escalated), newest
/// first.
pub async fn mine(ctx: &Ctx, actor: &Actor) -> ServiceResult<Vec<DissentView>> {
    let oversight = actor.role == Role::Oversight;
    if !oversight {
        actor.require(&probity_domain::FILERS, "read dissents")?;
    }
    let rows =
        store::involving(ctx.store.pool(), &actor.user_id.to_string(), oversight, 500).await?;
    let now = ctx.clock.now();
    rows.into_iter().map(|r| view(r, Vec::new(), now)).collect()
}

/// A dissent on a case as anyone who may read the case sees it: that it exists, where it
/// stands, and whether it holds up the decision; never its contents or who filed it.
#[derive(Debug, Clone, Serialize)]
pub struct CaseDissent {
    pub id: String,
    pub subject: DissentSubject,
    pub status: DissentStatus,
    pub holds_up_decision: bool,
    pub after_decision: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub filed_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
}

pub(crate) async fn on_case(
    conn: &mut AnyConnection,
    case_id: &str,
) -> ServiceResult<Vec<CaseDissent>> {
    store::on_case(&mut *conn, case_id)
        .await?
        .into_iter()
        .map(|r| {
            let status: DissentStatus = r.status.parse().map_err(|_| corrupt(&r.id, "status"))?;
            Ok(CaseDissent {
                subject: r.subject.parse().map_err(|_| corrupt(&r.id, "subject"))?,
                holds_up_decision: status.holds_up_decision(r.answered_at.is_some()),
                status,
                after_decision: r.after_decision == 1,
                filed_at: from_micros(r.filed_at),
                due_at: from_micros(r.due_at),
                id: r.id,
            })
        })
        .collect()
}

/// How many dissents on a case hold up its decision (read inside the deciding transaction).
pub(crate) async fn holding_up(conn: &mut AnyConnection, case_id: &str) -> ServiceResult<usize> {
    Ok(on_case(conn, case_id)
        .await?
        .iter()
        .filter(|d| d.holds_up_decision)
        .count())
}

/// Which dissent holds a decision up, in words for the decision-maker.
pub(crate) fn holding_up_message(d: &CaseDissent) -> String {
    format!(
        "dissent {} on the {} (filed {}) is not yet answered; its answer is due by {}",
        d.id,
        d.subject.label().to_lowercase(),
        d.filed_at.date(),
        (d.due_at - Duration::days(1)).date()
    )
}
