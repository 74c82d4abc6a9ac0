//! Working through a review: the worklist, one outcome per licence (alone or in bulk, each
//! recorded, audited and published in its own right), the flagged applications, closing,
//! and what exporters are told.
use probity_domain::{
    LicenceId, LicenceStatus, OrganisationId, Reason, ReviewId, ReviewKind, ReviewOutcome,
};
use probity_store::review_items::OutcomeFilter;
use probity_store::{
    from_micros, review_items, review_outcomes as review_store, reviews as store, to_micros,
    StoreError, Tx,
};
use serde::Serialize;
use time::OffsetDateTime;

use crate::auth::{Actor, Role};
use crate::command::audit_event;
use crate::reviews::{summary, ReviewSummary, OPENERS, STAFF};
use crate::{parse_text, review_records, Ctx, ServiceError, ServiceResult};

/// Who records outcomes.
const DECIDERS: &[Role] = &[Role::Caseworker, Role::DecisionMaker];
/// Licences decided per transaction in a bulk action: each keeps its own records, and a
/// failure part-way loses nothing already decided.
const CHUNK: usize = 250;

/// Which items of the worklist to show or act on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// `pending`, `decided`, or an outcome (`suspend`, `keep`, …); empty for all.
    pub status: String,
    /// A rating prefix, e.g. `ML10`.
    pub rating: String,
    /// An exporter's organisation id; empty for all.
    pub organisation: String,
    /// `excluded` (under a rule's exclusion), `included`, or empty for both.
    pub exclusion: String,
}

impl Filter {
    fn to_store(&self) -> ServiceResult<review_items::ItemFilter> {
        let status = self.status.trim();
        let outcome = match status {
            "" | "all" => OutcomeFilter::All,
            "pending" => OutcomeFilter::Pending,
            "decided" => OutcomeFilter::Decided,
            other => OutcomeFilter::Is(
                other
                    .parse::<ReviewOutcome>()
                    .map_err(|_| {
                        ServiceError::field(
                            "status",
                            "choose pending, decided, suspend, revoke, keep, reinstate or keep_suspended",
                        )
                    })?
                    .as_str()
                    .to_string(),
            ),
        };
        let rating = self.rating.trim();
        if rating.len() > 20
            || !rating
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.')
        {
            return Err(ServiceError::field(
                "rating",
                "a rating prefix is letters, digits and dots, e.g. ML10 or 6A003",
            ));
        }
        let excluded = match self.exclusion.trim() {
            "" | "all" => None,
            "excluded" => Some(true),
            "included" => Some(false),
            _ => {
                return Err(ServiceError::field(
                    "exclusion",
                    "choose excluded, included or all",
                ))
            }
        };
        Ok(review_items::ItemFilter {
            outcome,
            rating_prefix: (!rating.is_empty()).then(|| rating.to_string()),
            organisation_id: match self.organisation.trim() {
                "" | "all" => None,
                o => Some(
                    o.parse::<OrganisationId>()
                        .map_err(|_| {
                            ServiceError::field("organisation", "choose an exporter from the list")
                        })?
                        .to_string(),
                ),
            },
            excluded,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub licence_id: LicenceId,
    pub licence_number: String,
    pub licence_status: String,
    pub organisation: String,
    pub ratings: Vec<String>,
    pub reason: String,
    pub exclusion: Option<String>,
    pub outcome: Option<ReviewOutcome>,
    pub exemption: Option<String>,
    pub decided_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    /// The public record of the outcome (its outbox sequence).
    pub record: Option<i64>,
}

fn item(row: review_items::ItemRow) -> ServiceResult<Item> {
    let bad = |what: &str| {
        ServiceError::Store(StoreError::Corrupt(format!(
            "review item {}: {what}",
            row.licence_number
        )))
    };
    Ok(Item {
        licence_id: row.licence_id.parse().map_err(|_| bad("licence id"))?,
        outcome: row
            .outcome
            .as_deref()
            .map(str::parse::<ReviewOutcome>)
            .transpose()
            .map_err(|_| bad("outcome"))?,
        ratings: row.ratings.split_whitespace().map(str::to_string).collect(),
        licence_number: row.licence_number,
        licence_status: row.licence_status,
        organisation: row.organisation_name,
        reason: row.reason,
        exclusion: row.exclusion,
        exemption: row.exemption,
        decided_by: row.decided_by_name,
        decided_at: row.decided_at.map(from_micros),
        record: row.record_seq,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct Worklist {
    pub review: ReviewSummary,
    pub items: Vec<Item>,
    pub page: i64,
    pub per_page: i64,
    /// Items the filter selects.
    pub total: i64,
    pub flagged_applications: Vec<FlaggedApplication>,
    /// The exporters with licences in the review, and how many each (for the filter).
    pub organisations: Vec<WorkOrganisation>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkOrganisation {
    pub id: String,
    pub name: String,
    pub licences: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlaggedApplication {
    pub case_id: String,
    pub reference: Option<String>,
    pub status: String,
    pub reason: String,
    pub overridden: bool,
    pub override_reason: Option<String>,
}

fn flagged(f: review_items::FlagRow) -> FlaggedApplication {
    FlaggedApplication {
        case_id: f.case_id,
        reference: f.case_reference,
        status: f.case_status,
        reason: f.reason,
        overridden: f.overridden_at.is_some(),
        override_reason: f.override_reason,
    }
}

/// A review's worklist for staff, filtered and paginated.
pub async fn worklist(
    ctx: &Ctx,
    actor: &Actor,
    id: ReviewId,
    filter: &Filter,
    page: i64,
    per_page: i64,
) -> ServiceResult<Worklist> {
    actor.require(STAFF, "work on reviews")?;
    let paging = crate::cases::paging(page, per_page)?;
    let f = filter.to_store()?;
    let pool = ctx.store.pool();
    let row = store::review(pool, &id.to_string())
        .await?
        .ok_or(ServiceError::NotFound("review"))?;
    let items = review_items::items(
        pool,
        &id.to_string(),
        &f,
        paging.per_page(),
        paging.offset(),
    )
    .await?
    .into_iter()
    .map(item)
    .collect::<ServiceResult<_>>()?;
    Ok(Worklist {
        review: summary(row, ctx.clock.now())?,
        items,
        page: paging.page(),
        per_page: paging.per_page(),
        total: review_items::count_items(pool, &id.to_string(), &f).await?,
        flagged_applications: review_items::flags(pool, &id.to_string())
            .await?
            .into_iter()
            .map(flagged)
            .collect(),
        organisations: review_items::organisations(pool, &id.to_string())
            .await?
            .into_iter()
            .map(|o| WorkOrganisation {
                id: o.organisation_id,
                name: o.name,
                licences: o.licences,
            })
            .collect(),
    })
}

/// Which licences an outcome is for.
#[derive(Debug, Clone)]
pub enum Selection {
    Licences(Vec<LicenceId>),
    /// Every item the filter selects (checked again, item by item, when decided).
    Filter(Filter),
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DecideReport {
    /// Licence numbers given this outcome now.
    pub decided: Vec<String>,
    /// Licences someone else had already decided: the outcome that stands, and who.
    pub already_decided: Vec<AlreadyDecided>,
    /// Licences no longer in a state the outcome applies to (expired meanwhile, say).
    pub not_applicable: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AlreadyDecided {
    pub licence_number: String,
    pub outcome: ReviewOutcome,
    pub decided_by: Option<String>,
}

/// Record `outcome` for each selected licence; the reason is required (for a kept licence
/// it is the exemption relied on) and is published with each suspension or revocation.
#[tracing::instrument(name = "review_outcomes::decide", skip_all, fields(review = %id))]
pub async fn decide(
    ctx: &Ctx,
    actor: &Actor,
    id: ReviewId,
    selection: &Selection,
    outcome: ReviewOutcome,
    reason: &str,
) -> ServiceResult<DecideReport> {
    actor.require(DECIDERS, "record review outcomes")?;
    let reason = parse_text::<Reason>("reason", reason)?.into_string();
    let rid = id.to_string();
    let ids: Vec<String> = match selection {
        Selection::Licences(ids) if ids.is_empty() => {
            return Err(ServiceError::field(
                "licences",
                "select at least one licence",
            ))
        }
        Selection::Licences(ids) => {
            // A licence named twice is decided once; one not in the review refuses the whole
            // selection before anything is written (not after the chunks before it).
            let mut ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
            ids.sort();
            ids.dedup();
            let mut conn = ctx.store.pool().acquire().await?;
            let found = review_items::items_by_licence(&mut conn, &rid, &ids).await?;
            let missing: Vec<&str> = ids
                .iter()
                .filter(|l| !found.iter().any(|i| &i.licence_id == *l))
                .map(String::as_str)
                .take(5)
                .collect();
            if !missing.is_empty() {
                return Err(ServiceError::field(
                    "licences",
                    format!("not in this review: {}", missing.join(", ")),
                ));
            }
            ids
        }
        Selection::Filter(f) => {
            review_items::item_ids(ctx.store.pool(), &rid, &f.to_store()?).await?
        }
    };
    let mut report = DecideReport::default();
    for chunk in ids.chunks(CHUNK) {
        let mut tx = ctx.store.begin_command().await?;
        decide_chunk(
            ctx,
            &mut tx,
            actor,
            id,
            chunk,
            outcome,
            &reason,
            &mut report,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(report)
}

#[allow(clippy::too_many_arguments)]
async fn decide_chunk(
    ctx: &Ctx,
    tx: &mut Tx,
    actor: &Actor,
    id: ReviewId,
    licence_ids: &[String],
    outcome: ReviewOutcome,
    reason: &str,
    report: &mut DecideReport,
) -> ServiceResult<()> {
    let now = ctx.clock.now();
    let rid = id.to_string();
    // Read under the command lock: a review closed, or an item decided, since the page was
    // drawn is seen here.
    let review = store::review_head(&mut **tx, &rid)
        .await?
        .ok_or(ServiceError::NotFound("review"))?;
    if review.closed_at.is_some() {
        return Err(ServiceError::Conflict(
            "this review is closed: its outcomes can no longer change".into(),
        ));
    }
    let kind: ReviewKind = review
        .kind
        .parse()
        .map_err(|_| ServiceError::Store(StoreError::Corrupt(format!("review {rid}: kind"))))?;
    if !ReviewOutcome::allowed_in(kind).contains(&outcome) {
        return Err(ServiceError::field(
            "outcome",
            format!(
                "a {} review records {}",
                kind,
                ReviewOutcome::allowed_in(kind)
                    .iter()
                    .map(|o| o.label().to_lowercase())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let items = review_items::items_by_licence(tx, &rid, licence_ids).await?;
    if items.len() < licence_ids.len() {
        let missing: Vec<&str> = licence_ids
            .iter()
            .filter(|l| !items.iter().any(|i| &&i.licence_id == l))
            .map(String::as_str)
            .take(5)
            .collect();
        return Err(ServiceError::field(
            "licences",
            format!("not in this review: {}", missing.join(", ")),
        ));
    }
    let mut open_items = Vec::new();
    for row in items {
        match row.outcome.as_deref().map(str::parse::<ReviewOutcome>) {
            Some(Ok(o)) => report.already_decided.push(AlreadyDecided {
                licence_number: row.licence_number,
                outcome: o,
                decided_by: row.decided_by_name,
            }),
            Some(Err(_)) => {
                return Err(ServiceError::Store(StoreError::Corrupt(format!(
                    "review item {}: outcome",
                    row.licence_number
                ))))
            }
            None => open_items.push(row),
        }
    }
    // The licences as they stand now, under the command lock.
    let ids: Vec<String> = open_items.iter().map(|i| i.licence_id.clone()).collect();
    let states: std::collections::HashMap<String, review_store::LicenceStateRow> =
        review_store::licences_by_ids(tx, &ids)
            .await?
            .into_iter()
            .map(|l| (l.id.clone(), l))
            .collect();
    let action = outcome.licence_action();
    let mut acted = Vec::new();
    let mut acted_items = Vec::new();
    for row in open_items {
        let state = states.get(&row.licence_id).ok_or_else(|| {
            ServiceError::Store(StoreError::Corrupt(format!(
                "review item {}: no such licence",
                row.licence_number
            )))
        })?;
        let from: LicenceStatus = state.status.parse().map_err(|_| {
            ServiceError::Store(StoreError::Corrupt(format!(
                "licence {}: status",
                row.licence_number
            )))
        })?;
        if let Some(a) = action {
            if probity_domain::next_licence_status(from, a).is_err() {
                report
                    .not_applicable
                    .push(format!("{} ({})", row.licence_number, from.as_str()));
                continue;
            }
        }
        acted.push(review_records::Acted {
            licence_id: row.licence_id.clone(),
            number: row.licence_number.clone(),
            case_id: row.case_id.clone(),
            from,
        });
        acted_items.push(row);
    }
    let by = actor.user_id.to_string();
    let ids: Vec<String> = acted.iter().map(|a| a.licence_id.clone()).collect();
    let exemption = (outcome == ReviewOutcome::Keep).then_some(reason);
    let written = review_store::decide_items(
        tx,
        &rid,
        &ids,
        outcome.as_str(),
        exemption,
        &by,
        to_micros(now),
    )
    .await?;
    if written != ids.len() as u64 {
        return Err(ServiceError::Internal(format!(
            "a review recorded {written} of {} outcomes read under the command lock",
            ids.len()
        )));
    }
    // Every outcome is public and names the review, a licence kept as much as one suspended.
    let public_reason = format!("{reason} (review: {})", review.title);
    let criterion = review
        .criterion
        .as_deref()
        .and_then(|c| probity_domain::CriterionCode::new(c).ok());
    let r = review_records::ReviewRef {
        id: &rid,
        criterion,
    };
    review_records::apply(ctx, tx, actor, &r, &acted, outcome, &public_reason, now).await?;
    let notes: Vec<review_items::NewNotification> = acted_items
        .into_iter()
        .map(|row| review_items::NewNotification {
            id: uuid::Uuid::now_v7().to_string(),
            body: format!(
                "Licence {}: {} under review \"{}\". Reason: {reason}",
                row.licence_number,
                outcome.label().to_lowercase(),
                review.title
            ),
            organisation_id: row.organisation_id,
            subject_type: "licence",
            subject_id: row.licence_id,
            created_at: to_micros(now),
        })
        .collect();
    review_items::notify(tx, &notes).await?;
    report.decided.extend(acted.into_iter().map(|a| a.number));
    Ok(())
}

/// Close a review once every licence in it has an outcome.
#[tracing::instrument(name = "review_outcomes::close", skip_all, fields(review = %id))]
pub async fn close(ctx: &Ctx, actor: &Actor, id: ReviewId, note: &str) -> ServiceResult<()> {
    actor.require(OPENERS, "close reviews")?;
    let note = parse_text::<Reason>("note", note)?.into_string();
    let now = ctx.clock.now();
    let rid = id.to_string();
    let mut tx = ctx.store.begin_command().await?;
    let review = store::review(&mut *tx, &rid)
        .await?
        .ok_or(ServiceError::NotFound("review"))?;
    let review = summary(review, now)?;
    if review.closed_on.is_some() {
        return Err(ServiceError::Conflict(
            "this review is already closed".into(),
        ));
    }
    let open = review.licences_in_scope - review.decided;
    if open > 0 {
        return Err(ServiceError::Conflict(format!(
            "{open} licence{} in this review still have no outcome: record one for each before closing",
            if open == 1 { "" } else { "s" }
        )));
    }
    store::close(
        &mut tx,
        &rid,
        &actor.user_id.to_string(),
        to_micros(now),
        &note,
    )
    .await?;
    audit_event(
        &mut tx,
        Some(actor),
        now,
        "review.close",
        ("review", &rid),
        serde_json::json!({
            "licences": review.licences_in_scope, "suspended": review.suspended,
            "revoked": review.revoked, "kept": review.kept, "reinstated": review.reinstated,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub subject_type: String,
    pub subject_id: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub read: bool,
}

/// What an exporter's organisation has been told, newest first.
pub async fn notifications(ctx: &Ctx, actor: &Actor) -> ServiceResult<Vec<Notification>> {
    actor.require(&[Role::Exporter], "read notifications")?;
    let org = actor
        .organisation_id
        .ok_or(ServiceError::NotFound("organisation"))?;
    Ok(
        review_items::notifications(ctx.store.pool(), &org.to_string(), 200)
            .await?
            .into_iter()
            .map(|n| Notification {
                subject_type: n.subject_type,
                subject_id: n.subject_id,
                body: n.body,
                at: from_micros(n.created_at),
                read: n.read_at.is_some(),
            })
            .collect(),
    )
}

/// The kind a review's outcomes belong to (for forms offering them).
pub fn outcomes_for(kind: ReviewKind) -> &'static [ReviewOutcome] {
    ReviewOutcome::allowed_in(kind)
}
