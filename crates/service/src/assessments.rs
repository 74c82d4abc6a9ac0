//! Destination assessments and embargoes, kept by policy. A new version is recorded, never an
//! edit; the public sees each finding's summary once released, and for every unreleased
//! finding how many days it has been held back.
use probity_domain::assessment_diff::{diff, AssessmentDiff};
use probity_domain::{
    Assessment, AssessmentId, AssessmentInput, CountryCode, CriterionCode, Embargo, EmbargoId,
    EmbargoInput, Finding, ReviewOffer, ScopeRule,
};
use probity_store::{assessments as store, from_micros, to_micros, StoreError};
use serde::Serialize;
use time::OffsetDateTime;

use crate::auth::{Actor, Role};
use crate::command::audit_event;
use crate::{Ctx, ServiceError, ServiceResult};

/// One stored version of an assessment.
#[derive(Debug, Clone, Serialize)]
pub struct AssessmentVersion {
    pub id: AssessmentId,
    pub version: i64,
    #[serde(flatten)]
    pub assessment: Assessment,
    pub author: String,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
}

fn corrupt(id: &str, what: &str) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(format!("assessment {id}: {what}")))
}

pub(crate) fn decode(row: store::AssessmentRow) -> ServiceResult<AssessmentVersion> {
    let bad = |what| corrupt(&row.id, what);
    let rule: ScopeRule = serde_json::from_str(&row.rule_json).map_err(|_| bad("scope rule"))?;
    Ok(AssessmentVersion {
        id: row.id.parse().map_err(|_| bad("id"))?,
        version: row.version,
        assessment: Assessment {
            destination: CountryCode::parse(&row.destination).map_err(|_| bad("destination"))?,
            criterion: CriterionCode::new(&row.criterion).map_err(|_| bad("criterion"))?,
            finding: row.finding.parse().map_err(|_| bad("finding"))?,
            rule,
            evidence: row.evidence,
            reasons: row.reasons,
            legal_basis: row.legal_basis,
            public_summary: row.public_summary,
        },
        author: row.author_name,
        recorded_at: from_micros(row.recorded_at),
        published_at: row.published_at.map(from_micros),
    })
}

const KEEPERS: &[Role] = &[Role::Policy];
/// Staff who read assessments in full (evidence and reasons are not public).
const READERS: &[Role] = &[
    Role::Policy,
    Role::Caseworker,
    Role::DecisionMaker,
    Role::Adviser,
    Role::Oversight,
];

/// What recording a version did, and whether it calls for a review.
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    pub id: AssessmentId,
    pub version: i64,
    pub offer: ReviewOffer,
}

/// Record a new version of the assessment for its destination and criterion.
pub async fn record(ctx: &Ctx, actor: &Actor, input: &AssessmentInput) -> ServiceResult<Recorded> {
    actor.require(KEEPERS, "record destination assessments")?;
    let assessment = input.parse().map_err(ServiceError::Validation)?;
    let rule_json = serde_json::to_string(&assessment.rule)
        .map_err(|e| ServiceError::Internal(format!("encoding a scope rule: {e}")))?;
    let now = ctx.clock.now();
    let id = AssessmentId::new();
    let mut tx = ctx.store.begin_command().await?;
    // The version this one follows, read under the command lock.
    let previous = store::versions(
        &mut *tx,
        assessment.destination.as_str(),
        assessment.criterion.as_str(),
    )
    .await?
    .into_iter()
    .next()
    .map(decode)
    .transpose()?;
    let offer = assessment.review_offer(previous.as_ref().map(|p| &p.assessment));
    let version = store::insert(
        &mut tx,
        &store::NewAssessment {
            id: &id.to_string(),
            destination: assessment.destination.as_str(),
            criterion: assessment.criterion.as_str(),
            finding: assessment.finding.as_str(),
            rule_json: &rule_json,
            evidence: &assessment.evidence,
            reasons: &assessment.reasons,
            legal_basis: &assessment.legal_basis,
            public_summary: &assessment.public_summary,
            author_id: &actor.user_id.to_string(),
            recorded_at: to_micros(now),
        },
    )
    .await?;
    audit_event(
        &mut tx,
        Some(actor),
        now,
        "assessment.record",
        ("assessment", &id.to_string()),
        serde_json::json!({
            "destination": assessment.destination.as_str(),
            "criterion": assessment.criterion.as_str(),
            "version": version,
            "finding": assessment.finding.as_str(),
            "follows": previous.as_ref().map(|p| p.id.to_string()),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(Recorded { id, version, offer })
}

/// Release a version's public summary.
pub async fn publish(ctx: &Ctx, actor: &Actor, id: AssessmentId) -> ServiceResult<()> {
    actor.require(KEEPERS, "publish destination assessments")?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let current = store::by_id(&mut *tx, &id.to_string())
        .await?
        .ok_or(ServiceError::NotFound("assessment"))?;
    if !store::publish(&mut tx, &id.to_string(), to_micros(now)).await? {
        return Err(ServiceError::Conflict(format!(
            "version {} of this assessment is already published",
            current.version
        )));
    }
    audit_event(
        &mut tx,
        Some(actor),
        now,
        "assessment.publish",
        ("assessment", &id.to_string()),
        serde_json::json!({ "destination": current.destination, "criterion": current.criterion, "version": current.version }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn get(ctx: &Ctx, actor: &Actor, id: AssessmentId) -> ServiceResult<AssessmentVersion> {
    actor.require(READERS, "read destination assessments")?;
    let row = store::by_id(ctx.store.pool(), &id.to_string())
        .await?
        .ok_or(ServiceError::NotFound("assessment"))?;
    decode(row)
}

/// The current version of every assessment.
pub async fn current(ctx: &Ctx, actor: &Actor) -> ServiceResult<Vec<AssessmentVersion>> {
    actor.require(READERS, "read destination assessments")?;
    store::current(ctx.store.pool())
        .await?
        .into_iter()
        .map(decode)
        .collect()
}

/// Every version of one assessment, newest first, each with its diff from the one before.
pub async fn history(
    ctx: &Ctx,
    actor: &Actor,
    destination: &CountryCode,
    criterion: &CriterionCode,
) -> ServiceResult<Vec<(AssessmentVersion, Option<AssessmentDiff>)>> {
    actor.require(READERS, "read destination assessments")?;
    let versions: Vec<AssessmentVersion> =
        store::versions(ctx.store.pool(), destination.as_str(), criterion.as_str())
            .await?
            .into_iter()
            .map(decode)
            .collect::<ServiceResult<_>>()?;
    if versions.is_empty() {
        return Err(ServiceError::NotFound("assessment"));
    }
    Ok(versions
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let d = versions
                .get(i + 1)
                .map(|older| diff(&older.assessment, &v.assessment));
            (v.clone(), d)
        })
        .collect())
}

/// What the public sees of a current finding: the summary once released; before that, only
/// that a finding exists and for how many days it has been held back.
#[derive(Debug, Clone, Serialize)]
pub struct PublicFinding {
    pub destination: CountryCode,
    pub criterion: CriterionCode,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
    pub published: Option<PublishedFinding>,
    /// Days since recording while unpublished.
    pub days_unpublished: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublishedFinding {
    pub finding: Finding,
    pub scope: ScopeRule,
    pub legal_basis: String,
    pub summary: String,
    #[serde(with = "time::serde::rfc3339")]
    pub published_at: OffsetDateTime,
}

/// Current findings other than "no concern", for anyone.
pub async fn public_findings(ctx: &Ctx) -> ServiceResult<Vec<PublicFinding>> {
    let now = ctx.clock.now();
    let rows = store::current(ctx.store.pool()).await?;
    let mut out = Vec::new();
    for row in rows {
        let v = decode(row)?;
        if v.assessment.finding == Finding::NoConcern && v.published_at.is_none() {
            continue;
        }
        out.push(PublicFinding {
            destination: v.assessment.destination,
            criterion: v.assessment.criterion.clone(),
            version: v.version,
            recorded_at: v.recorded_at,
            days_unpublished: v
                .published_at
                .is_none()
                .then(|| (now - v.recorded_at).whole_days()),
            published: v.published_at.map(|at| PublishedFinding {
                finding: v.assessment.finding,
                scope: v.assessment.rule.clone(),
                legal_basis: v.assessment.legal_basis.clone(),
                summary: v.assessment.public_summary.clone(),
                published_at: at,
            }),
        });
    }
    Ok(out)
}

/// An embargo, from the shipped starting set or recorded by policy.
#[derive(Debug, Clone, Serialize)]
pub struct EmbargoEntry {
    /// None for the shipped starting set.
    pub id: Option<EmbargoId>,
    #[serde(flatten)]
    pub embargo: Embargo,
}

pub(crate) fn decode_embargo(row: store::EmbargoRow) -> ServiceResult<EmbargoEntry> {
    let input = EmbargoInput {
        destination: row.destination.clone(),
        regime: row.regime.clone(),
        starts_on: row.starts_on.clone(),
        ends_on: row.ends_on.clone().unwrap_or_default(),
        reference: row.reference.clone(),
        summary: row.summary.clone(),
        // The stored rule replaces the one these fields would give.
        goods: "military".to_string(),
        end_users: String::new(),
    };
    let bad = |what: &str| {
        ServiceError::Store(StoreError::Corrupt(format!("embargo {}: {what}", row.id)))
    };
    let mut embargo = input.parse().map_err(|_| bad("fields"))?;
    embargo.rule = serde_json::from_str(&row.rule_json).map_err(|_| bad("scope rule"))?;
    Ok(EmbargoEntry {
        id: Some(row.id.parse().map_err(|_| bad("id"))?),
        embargo,
    })
}

/// Every embargo: the starting set, then those policy recorded.
pub async fn embargoes(ctx: &Ctx) -> ServiceResult<Vec<EmbargoEntry>> {
    let mut out: Vec<EmbargoEntry> = probity_domain::starting_embargoes()
        .iter()
        .map(|e| EmbargoEntry {
            id: None,
            embargo: e.clone(),
        })
        .collect();
    for row in store::embargoes(ctx.store.pool()).await? {
        out.push(decode_embargo(row)?);
    }
    Ok(out)
}

pub async fn embargo(ctx: &Ctx, id: EmbargoId) -> ServiceResult<EmbargoEntry> {
    let row = store::embargo_by_id(ctx.store.pool(), &id.to_string())
        .await?
        .ok_or(ServiceError::NotFound("embargo"))?;
    decode_embargo(row)
}

/// Record an embargo; it applies to new applications from its start date.
pub async fn record_embargo(
    ctx: &Ctx,
    actor: &Actor,
    input: &EmbargoInput,
) -> ServiceResult<EmbargoId> {
    actor.require(KEEPERS, "record embargoes")?;
    let embargo = input.parse().map_err(ServiceError::Validation)?;
    let rule_json = serde_json::to_string(&embargo.rule)
        .map_err(|e| ServiceError::Internal(format!("encoding a scope rule: {e}")))?;
    let now = ctx.clock.now();
    let id = EmbargoId::new();
    let mut tx = ctx.store.begin_command().await?;
    store::insert_embargo(
        &mut tx,
        &store::NewEmbargo {
            id: &id.to_string(),
            destination: embargo.destination.as_str(),
            regime: embargo.regime.as_str(),
            rule_json: &rule_json,
            starts_on: &embargo.starts_on.to_string(),
            ends_on: embargo.ends_on.map(|d| d.to_string()).as_deref(),
            reference: &embargo.reference,
            summary: &embargo.summary,
            recorded_by: &actor.user_id.to_string(),
            recorded_at: to_micros(now),
        },
    )
    .await?;
    audit_event(
        &mut tx,
        Some(actor),
        now,
        "embargo.record",
        ("embargo", &id.to_string()),
        serde_json::json!({ "destination": embargo.destination.as_str(), "regime": embargo.regime.as_str(), "reference": embargo.reference }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
