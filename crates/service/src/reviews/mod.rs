//! Reviews: when a clear risk is found or an embargo recorded, every licence in force and
//! every pending application the rule touches is selected in one pass, with the reason for
//! each, inside the transaction that opens the review. Outcomes are in `review_outcomes`.
use std::collections::HashMap;

use probity_domain::{
    AssessmentId, CountryCode, EmbargoId, EndUserType, Rating, ReviewId, ReviewKind, ReviewOffer,
    ScopeRule, ScopeSubject, Verdict,
};
use probity_store::{
    assessments as assessment_store, review_items, reviews as store, to_micros, Tx,
};
use serde::Serialize;
use time::OffsetDateTime;

use crate::assessments::decode;
use crate::auth::{Actor, Role};
use crate::command::audit_event;
use crate::{Ctx, ServiceError, ServiceResult};

mod public;
pub(crate) use public::summary;
pub use public::{
    get_public, list_public, Exemption, ListedEntry, PublicReview, ReviewPage, ReviewSummary,
};

/// What a review is opened on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewBasis {
    /// A version of an assessment: a clear risk (restriction) or its withdrawal
    /// (reinstatement of what earlier reviews suspended).
    Assessment(AssessmentId),
    /// An embargo recorded by policy.
    Embargo(EmbargoId),
}

pub(crate) const OPENERS: &[Role] = &[Role::Policy];
/// Staff who see reviews' worklists.
pub const STAFF: &[Role] = &[
    Role::Policy,
    Role::Caseworker,
    Role::DecisionMaker,
    Role::Oversight,
];

/// One licence or application the rule matched, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Match {
    /// The licence number, or the application's case reference.
    pub reference: String,
    pub reason: String,
    pub exclusion: Option<String>,
}

/// What opening would select, shown before it is opened.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub kind: ReviewKind,
    pub title: String,
    pub destination: CountryCode,
    pub licences: usize,
    pub excluded: usize,
    pub applications: usize,
    /// The first matches, with their reasons.
    pub sample: Vec<Match>,
    /// Licences in force to the rule's destinations.
    pub in_force: i64,
    /// Of those, the licences the SQL pre-selection passed to the rule (by rating).
    pub examined: usize,
}

impl Preview {
    /// A rule that touches nothing is allowed, but said before the review opens.
    pub fn matches_nothing(&self) -> bool {
        self.licences == 0 && self.applications == 0
    }
}

struct Plan {
    kind: ReviewKind,
    title: String,
    destination: CountryCode,
    criterion: Option<String>,
    assessment_id: Option<String>,
    embargo_id: Option<String>,
    rule: ScopeRule,
    items: Vec<store::NewItem>,
    flags: Vec<(String, String)>,
    in_force: i64,
    examined: usize,
}

pub(crate) fn subjects(
    rows: Vec<store::SubjectRow>,
    ratings: Vec<store::CaseRatingRow>,
) -> Vec<(store::SubjectRow, ScopeSubject)> {
    let mut by_case: HashMap<String, Vec<Rating>> = HashMap::new();
    for r in ratings {
        // A stored rating that no longer parses cannot match a pattern; it is skipped, not
        // fatal: the licence is still examined on its other facts.
        if let Ok(rating) = Rating::try_from(r.rating) {
            by_case.entry(r.case_id).or_default().push(rating);
        }
    }
    rows.into_iter()
        .map(|row| {
            let mut ratings = by_case.get(&row.case_id).cloned().unwrap_or_default();
            ratings.sort();
            ratings.dedup();
            let subject = ScopeSubject {
                destinations: row
                    .destinations
                    .split(',')
                    .filter_map(|d| CountryCode::parse(d).ok())
                    .collect(),
                ratings,
                end_user_types: row
                    .end_user_type
                    .as_deref()
                    .and_then(|t| t.parse::<EndUserType>().ok())
                    .into_iter()
                    .collect(),
                end_use: row.end_use.clone(),
            };
            (row, subject)
        })
        .collect()
}

/// " ML10a ML4b ": ratings spaced so a prefix filter finds a word start.
pub(crate) fn spaced(ratings: &[Rating]) -> String {
    let mut s = String::from(" ");
    for r in ratings {
        s.push_str(r.as_str());
        s.push(' ');
    }
    s
}

async fn restriction_plan(
    tx: &mut Tx,
    kind_title: String,
    destination: CountryCode,
    rule: ScopeRule,
    now: OffsetDateTime,
) -> ServiceResult<Plan> {
    // SQL narrows by the rule's destinations and ratings (a superset of what it matches:
    // an exclusion only applies where the rule does); the domain's rule then decides.
    let pre = store::Preselect {
        destinations: rule
            .applies()
            .destinations
            .iter()
            .map(|d| d.as_str().to_string())
            .collect(),
        ratings: rule
            .applies()
            .ratings
            .iter()
            .map(|p| (p.rating().as_str().to_string(), p.is_exact()))
            .collect(),
    };
    let in_force = store::count_in_force(tx, &pre.destinations, to_micros(now)).await?;
    let (rows, ratings) = store::licences_for(tx, &pre, to_micros(now)).await?;
    let examined = rows.len();
    let mut items = Vec::new();
    for (row, subject) in subjects(rows, ratings) {
        let verdict = rule.evaluate(&subject);
        let exclusion = match &verdict {
            Verdict::InScope { .. } => None,
            Verdict::Excluded { exclusion, .. } => Some(exclusion.clone()),
            Verdict::OutOfScope { .. } => continue,
        };
        items.push(store::NewItem {
            licence_id: row.licence_id,
            licence_number: row.licence_number,
            case_id: row.case_id,
            organisation_id: row.organisation_id,
            ratings: spaced(&subject.ratings),
            reason: verdict.to_string(),
            exclusion,
        });
    }
    let (rows, ratings) = store::pending_for(tx, &pre).await?;
    let flags = subjects(rows, ratings)
        .into_iter()
        .filter_map(|(row, subject)| match rule.evaluate(&subject) {
            v @ Verdict::InScope { .. } => Some((row.case_id, v.to_string())),
            _ => None,
        })
        .collect();
    Ok(Plan {
        kind: ReviewKind::Restriction,
        title: kind_title,
        destination,
        criterion: None,
        assessment_id: None,
        embargo_id: None,
        rule,
        items,
        flags,
        in_force,
        examined,
    })
}

/// Work out, inside `tx`, what a review on `basis` would select.
async fn plan(ctx: &Ctx, tx: &mut Tx, basis: ReviewBasis) -> ServiceResult<Plan> {
    let now = ctx.clock.now();
    match basis {
        ReviewBasis::Assessment(id) => {
            let row = assessment_store::by_id(&mut **tx, &id.to_string())
                .await?
                .ok_or(ServiceError::NotFound("assessment"))?;
            let versions =
                assessment_store::versions(&mut **tx, &row.destination, &row.criterion).await?;
            let this = decode(row)?;
            let previous = versions
                .into_iter()
                .find(|v| v.version == this.version - 1)
                .map(decode)
                .transpose()?;
            let a = &this.assessment;
            let offer = a.review_offer(previous.as_ref().map(|p| &p.assessment));
            let title = format!(
                "{} under criterion {}: {} ({}), assessment version {}",
                a.finding.label(),
                a.criterion.as_str(),
                a.destination.name(),
                a.destination.as_str(),
                this.version
            );
            let mut plan = match offer {
                ReviewOffer::Restriction => {
                    restriction_plan(tx, title, a.destination, a.rule.clone(), now).await?
                }
                ReviewOffer::Reinstatement => {
                    reinstatement_plan(tx, title, a, previous.as_ref().map(|p| &p.assessment))
                        .await?
                }
                ReviewOffer::None => {
                    return Err(ServiceError::Conflict(format!(
                        "version {} of this assessment ({}) calls for no review: only a new clear \
                         risk, a clear risk with a changed scope, or a withdrawn clear risk does",
                        this.version,
                        a.finding.label().to_lowercase()
                    )))
                }
            };
            plan.criterion = Some(a.criterion.as_str().to_string());
            plan.assessment_id = Some(id.to_string());
            Ok(plan)
        }
        ReviewBasis::Embargo(id) => {
            let entry = crate::assessments::embargo(ctx, id).await?;
            let e = entry.embargo;
            let title = format!(
                "{} embargo: {} ({}), {}",
                e.regime.label(),
                e.destination.name(),
                e.destination.as_str(),
                e.reference
            );
            let mut plan = restriction_plan(tx, title, e.destination, e.rule, now).await?;
            plan.embargo_id = Some(id.to_string());
            Ok(plan)
        }
    }
}

/// A withdrawn clear risk: the licences earlier restriction reviews of this destination and
/// criterion suspended, and that are suspended still.
async fn reinstatement_plan(
    tx: &mut Tx,
    title: String,
    now: &probity_domain::Assessment,
    previous: Option<&probity_domain::Assessment>,
) -> ServiceResult<Plan> {
    let earlier =
        store::restriction_reviews_of(&mut **tx, now.destination.as_str(), now.criterion.as_str())
            .await?;
    let mut items = Vec::new();
    for review_id in earlier {
        for item in review_items::still_suspended(tx, &review_id).await? {
            if items
                .iter()
                .any(|i: &store::NewItem| i.licence_id == item.licence_id)
            {
                continue;
            }
            items.push(store::NewItem {
                reason: format!(
                    "suspended by review {review_id}, whose finding is withdrawn ({})",
                    item.reason
                ),
                licence_id: item.licence_id,
                licence_number: item.licence_number,
                case_id: item.case_id,
                organisation_id: item.organisation_id,
                ratings: item.ratings,
                exclusion: None,
            });
        }
    }
    let rule = previous.map(|p| p.rule.clone()).unwrap_or(now.rule.clone());
    Ok(Plan {
        kind: ReviewKind::Reinstatement,
        title,
        destination: now.destination,
        criterion: None,
        assessment_id: None,
        embargo_id: None,
        rule,
        in_force: items.len() as i64,
        examined: items.len(),
        items,
        flags: Vec::new(),
    })
}

fn preview_of(plan: &Plan) -> Preview {
    let sample = plan
        .items
        .iter()
        .take(20)
        .map(|i| Match {
            reference: i.licence_number.clone(),
            reason: i.reason.clone(),
            exclusion: i.exclusion.clone(),
        })
        .collect();
    let excluded = plan.items.iter().filter(|i| i.exclusion.is_some()).count();
    Preview {
        kind: plan.kind,
        title: plan.title.clone(),
        destination: plan.destination,
        licences: plan.items.len() - excluded,
        excluded,
        applications: plan.flags.len(),
        sample,
        in_force: plan.in_force,
        examined: plan.examined,
    }
}

/// What opening a review on `basis` would select now (nothing is written).
pub async fn preview(ctx: &Ctx, actor: &Actor, basis: ReviewBasis) -> ServiceResult<Preview> {
    actor.require(OPENERS, "open reviews")?;
    let mut tx = ctx.store.begin_read().await?;
    let plan = plan(ctx, &mut tx, basis).await?;
    Ok(preview_of(&plan))
}

/// Open a review: the selection is made and written in one transaction.
pub async fn open(
    ctx: &Ctx,
    actor: &Actor,
    basis: ReviewBasis,
) -> ServiceResult<(ReviewId, Preview)> {
    actor.require(OPENERS, "open reviews")?;
    let now = ctx.clock.now();
    let id = ReviewId::new();
    let mut tx = ctx.store.begin_command().await?;
    let plan = plan(ctx, &mut tx, basis).await?;
    let rule_json = serde_json::to_string(&plan.rule)
        .map_err(|e| ServiceError::Internal(format!("encoding a scope rule: {e}")))?;
    store::insert_review(
        &mut tx,
        &store::NewReview {
            id: &id.to_string(),
            kind: plan.kind.as_str(),
            destination: plan.destination.as_str(),
            criterion: plan.criterion.as_deref(),
            assessment_id: plan.assessment_id.as_deref(),
            embargo_id: plan.embargo_id.as_deref(),
            reinstates: None,
            title: &plan.title,
            rule_json: Some(&rule_json),
            listed: None,
            in_force: plan.in_force,
            opened_by: &actor.user_id.to_string(),
            opened_at: to_micros(now),
        },
    )
    .await?;
    store::insert_items(&mut tx, &id.to_string(), &plan.items).await?;
    store::insert_flags(&mut tx, &id.to_string(), &plan.flags).await?;
    let preview = preview_of(&plan);
    audit_event(
        &mut tx,
        Some(actor),
        now,
        "review.open",
        ("review", &id.to_string()),
        serde_json::json!({
            "kind": plan.kind.as_str(), "destination": plan.destination.as_str(),
            "assessment": plan.assessment_id, "embargo": plan.embargo_id,
            "licences": preview.licences, "excluded": preview.excluded,
            "applications": preview.applications, "examined": preview.examined, "in_force": preview.in_force,
        }),
    )
    .await?;
    tx.commit().await?;
    // Tens of thousands of rows just arrived: let the planner know before anyone works them.
    // The review is already durable, so this runs beside the caller rather than before it.
    let db = ctx.store.clone();
    tokio::spawn(async move {
        if let Err(e) = store::refresh_statistics(&db).await {
            tracing::warn!(review = %id, error = %e, "could not refresh the planner's statistics");
        }
    });
    Ok((id, preview))
}
