//! Reviews as anyone may see them: the counts of each, its scope rule or listed entry, and
//! once closed the exemptions relied on.
use probity_domain::{CountryCode, ReviewId, ReviewKind, ScopeRule};
use probity_store::{from_micros, review_items, reviews as store, StoreError};
use serde::Serialize;
use time::OffsetDateTime;

use crate::{Ctx, ServiceError, ServiceResult};

/// A review as anyone may see it.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewSummary {
    pub id: ReviewId,
    pub kind: ReviewKind,
    pub title: String,
    pub destination: CountryCode,
    pub criterion: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub opened_on: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_on: Option<OffsetDateTime>,
    /// Days open so far, or until it closed.
    pub days_open: i64,
    /// Licences in force to the destination when the review opened.
    pub licences_in_force: i64,
    pub licences_in_scope: i64,
    pub decided: i64,
    pub suspended: i64,
    pub revoked: i64,
    pub kept: i64,
    pub reinstated: i64,
    pub kept_suspended: i64,
    pub applications_flagged: i64,
    pub grants_overridden: i64,
    pub closing_note: Option<String>,
    /// The rule that chose the licences (restriction and reinstatement reviews).
    pub scope: Option<ScopeRule>,
    /// The listed entry that chose them (screening reviews).
    pub listed: Option<ListedEntry>,
}

impl ReviewSummary {
    /// What chose the review's licences: its scope rule, or the listed entry.
    pub fn basis(&self) -> String {
        match (&self.scope, &self.listed) {
            (Some(rule), _) => rule.to_string(),
            (None, Some(l)) => format!(
                "parties resolved as true matches for {} (entry {} of the {} list)",
                l.name, l.entry_id, l.list
            ),
            (None, None) => String::new(),
        }
    }

    /// What [`Self::basis`] is, as a heading.
    pub fn basis_label(&self) -> &'static str {
        if self.listed.is_some() {
            "Listed entry"
        } else {
            "Scope"
        }
    }
}

/// The list entry a screening review is about.
#[derive(Debug, Clone, Serialize)]
pub struct ListedEntry {
    pub list: String,
    pub entry_id: String,
    pub name: String,
}

pub(crate) fn summary(row: store::ReviewRow, now: OffsetDateTime) -> ServiceResult<ReviewSummary> {
    let bad =
        |what: &str| ServiceError::Store(StoreError::Corrupt(format!("review {}: {what}", row.id)));
    let opened_on = from_micros(row.opened_at);
    let closed_on = row.closed_at.map(from_micros);
    let kind: ReviewKind = row.kind.parse().map_err(|_| bad("kind"))?;
    let (scope, listed) = match (kind.has_scope_rule(), row.rule_json, row.listed_list) {
        (true, Some(rule), None) => (
            Some(serde_json::from_str(&rule).map_err(|_| bad("scope rule"))?),
            None,
        ),
        (false, None, Some(list)) => (
            None,
            Some(ListedEntry {
                list,
                entry_id: row.listed_entry.ok_or_else(|| bad("listed entry"))?,
                name: row.listed_name.ok_or_else(|| bad("listed name"))?,
            }),
        ),
        _ => {
            return Err(bad(
                "a scope rule where none belongs, or none where one does",
            ))
        }
    };
    Ok(ReviewSummary {
        id: row.id.parse().map_err(|_| bad("id"))?,
        kind,
        destination: CountryCode::parse(&row.destination).map_err(|_| bad("destination"))?,
        scope,
        listed,
        title: row.title,
        criterion: row.criterion,
        days_open: (closed_on.unwrap_or(now) - opened_on).whole_days(),
        opened_on,
        closed_on,
        licences_in_force: row.in_force,
        licences_in_scope: row.licences,
        decided: row.decided,
        suspended: row.suspended,
        revoked: row.revoked,
        kept: row.kept,
        reinstated: row.reinstated,
        kept_suspended: row.kept_suspended,
        applications_flagged: row.applications,
        grants_overridden: row.overridden,
        closing_note: row.closing_note,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewPage {
    pub reviews: Vec<ReviewSummary>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// Reviews, newest first, for anyone: an open review is public from the day it opens.
pub async fn list_public(
    ctx: &Ctx,
    open_only: bool,
    page: i64,
    per_page: i64,
) -> ServiceResult<ReviewPage> {
    let paging = crate::cases::paging(page, per_page)?;
    let now = ctx.clock.now();
    let rows = store::reviews(
        ctx.store.pool(),
        open_only,
        paging.per_page(),
        paging.offset(),
    )
    .await?;
    Ok(ReviewPage {
        reviews: rows
            .into_iter()
            .map(|r| summary(r, now))
            .collect::<ServiceResult<_>>()?,
        page: paging.page(),
        per_page: paging.per_page(),
        total: store::count_reviews(ctx.store.pool(), open_only).await?,
    })
}

/// One review's public account: the counts, and once closed the exemptions relied on.
#[derive(Debug, Clone, Serialize)]
pub struct PublicReview {
    #[serde(flatten)]
    pub review: ReviewSummary,
    pub exemptions: Vec<Exemption>,
}

/// An exemption stated when keeping licences, and how many it kept.
#[derive(Debug, Clone, Serialize)]
pub struct Exemption {
    pub exemption: String,
    pub licences: i64,
}

pub async fn get_public(ctx: &Ctx, id: ReviewId) -> ServiceResult<PublicReview> {
    let row = store::review(ctx.store.pool(), &id.to_string())
        .await?
        .ok_or(ServiceError::NotFound("review"))?;
    let review = summary(row, ctx.clock.now())?;
    let exemptions = if review.closed_on.is_some() {
        review_items::exemptions(ctx.store.pool(), &id.to_string())
            .await?
            .into_iter()
            .map(|e| Exemption {
                exemption: e.exemption,
                licences: e.licences,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(PublicReview { review, exemptions })
}
