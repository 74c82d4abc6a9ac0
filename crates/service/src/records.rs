//! Public decision records: built from the stored case in the deciding transaction and
//! written to the outbox; listed publicly.
use probity_domain::{
    goods_summary, CaseId, CaseReference, CountryCode, CriterionCode, EndUserType, LicenceNumber,
    PublicDecisionRecord, Rating, RatingValue, RecordKind,
};
use probity_store::{applications as store_apps, outbox, StoreError, Tx};
use serde::Serialize;
use sqlx::AnyConnection;
use time::OffsetDateTime;

use crate::cases::{GoodsView, PartyView};
use crate::casework::CaseRow;
use crate::{Ctx, ServiceError, ServiceResult};

pub(crate) async fn load_goods_and_parties(
    conn: &mut AnyConnection,
    id: CaseId,
) -> ServiceResult<(Vec<GoodsView>, Vec<PartyView>)> {
    let cid = id.to_string();
    let (lines, ratings) = store_apps::goods(conn, &cid).await?;
    let goods = lines
        .into_iter()
        .map(|g| GoodsView {
            ratings: ratings
                .iter()
                .filter(|r| r.goods_line_id == g.id)
                .map(|r| r.rating.clone())
                .collect(),
            description: g.description,
            quantity: g.quantity,
            unit: g.unit,
            value_minor: g.value_minor,
            currency: g.currency,
            incorporated: g.incorporated == 1,
        })
        .collect();
    let parties = store_apps::parties(conn, &cid)
        .await?
        .into_iter()
        .map(|p| PartyView {
            role: p.role,
            name: p.name,
            address: p.address,
            country: p.country,
            end_user_type: p.end_user_type,
        })
        .collect();
    Ok((goods, parties))
}

fn corrupt(case: &CaseRow, what: &str) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(format!("case {}: {what}", case.id)))
}

/// Build the public record of a decision on a case from what is stored for it.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn build_record(
    ctx: &Ctx,
    conn: &mut AnyConnection,
    case: &CaseRow,
    kind: RecordKind,
    at: OffsetDateTime,
    licence_number: Option<&LicenceNumber>,
    criteria: &[CriterionCode],
    reason: Option<String>,
    refers_to: Option<String>,
) -> ServiceResult<PublicDecisionRecord> {
    let reference: CaseReference = case
        .reference
        .as_deref()
        .ok_or_else(|| corrupt(case, "decided without a reference"))?
        .parse()
        .map_err(|_| corrupt(case, "bad reference"))?;
    let (goods, _) = load_goods_and_parties(conn, case.id).await?;
    // The domain's rule (`probity_domain::rating_values`): every rating of every line is
    // listed, a line's value counts once against its first rating, in rating order. Stored
    // ratings are checked for syntax only: a rating the control list has since dropped must
    // not stop a licence granted under it from being suspended or expiring.
    let mut ratings: Vec<RatingValue> = Vec::new();
    for line in &goods {
        for (i, text) in line.ratings.iter().enumerate() {
            let rating = Rating::try_from(text.clone())
                .map_err(|_| corrupt(case, "stored rating is malformed"))?;
            let add = if i == 0 { line.value_minor } else { 0 };
            match ratings.iter_mut().find(|r| r.rating == rating) {
                Some(existing) => existing.value_minor = existing.value_minor.saturating_add(add),
                None => ratings.push(RatingValue {
                    rating,
                    value_minor: add,
                }),
            }
        }
    }
    ratings.sort_by(|a, b| a.rating.cmp(&b.rating));
    let summary = goods_summary(&ratings, ctx.control_list);
    let mut criteria = criteria.to_vec();
    criteria.sort();
    criteria.dedup();
    let destinations = case
        .destinations
        .iter()
        .map(|d| CountryCode::parse(d).map_err(|_| corrupt(case, "bad destination")))
        .collect::<ServiceResult<Vec<_>>>()?;
    let end_user_type = case
        .end_user_type
        .as_deref()
        .map(|t| {
            t.parse::<EndUserType>()
                .map_err(|_| corrupt(case, "bad end-user type"))
        })
        .transpose()?;
    Ok(PublicDecisionRecord {
        kind,
        decided_at: at,
        case_reference: reference,
        licence_number: licence_number.cloned(),
        licence_type: case.licence_type,
        destinations,
        ratings,
        goods_summary: summary,
        criteria,
        end_user_type,
        reason,
        refers_to,
    })
}

/// Write a record to the outbox inside the deciding transaction.
pub(crate) async fn publish(
    tx: &mut Tx,
    case: &CaseRow,
    licence_id: Option<&str>,
    record: &PublicDecisionRecord,
) -> ServiceResult<i64> {
    let json = crate::command::to_json("decision record", record)?;
    let destinations: Vec<String> = record
        .destinations
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    Ok(outbox::append(
        tx,
        outbox::NewRecord {
            kind: record.kind.as_str(),
            case_id: &case.id.to_string(),
            licence_id,
            destinations: &destinations,
            decided_at: record.decided_at,
            record_json: json,
        },
    )
    .await?)
}

#[derive(Debug, Clone, Serialize)]
pub struct PublishedRecord {
    pub seq: i64,
    pub register_index: Option<i64>,
    #[serde(flatten)]
    pub record: PublicDecisionRecord,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordPage {
    pub records: Vec<PublishedRecord>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// Public decision records, newest first (anyone may read them).
pub async fn list_public(
    ctx: &Ctx,
    destination: Option<&str>,
    page: i64,
    per_page: i64,
) -> ServiceResult<RecordPage> {
    let paging = crate::cases::paging(page, per_page)?;
    let destination = destination
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            CountryCode::find(d).map_err(|e| ServiceError::field("destination", e.to_string()))
        })
        .transpose()?;
    let (rows, total) = outbox::list(
        &ctx.store,
        destination.as_ref().map(|d| d.as_str()),
        paging.per_page(),
        paging.offset(),
    )
    .await?;
    let records = rows
        .into_iter()
        .map(published)
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(RecordPage {
        records,
        page: paging.page(),
        per_page: paging.per_page(),
        total,
    })
}

pub async fn get_public(ctx: &Ctx, seq: i64) -> ServiceResult<PublishedRecord> {
    let r = outbox::get(&ctx.store, seq)
        .await?
        .ok_or(ServiceError::NotFound("decision record"))?;
    Ok(published(r)?)
}

/// A stored outbox row as the public record it holds.
fn published(r: outbox::OutboxRow) -> Result<PublishedRecord, StoreError> {
    Ok(PublishedRecord {
        seq: r.seq,
        register_index: r.register_index,
        record: serde_json::from_str(&r.record_json)
            .map_err(|e| StoreError::Corrupt(format!("outbox row {}: {e}", r.seq)))?,
    })
}

/// The public records of one case, oldest first, for anyone who may see the case: what its
/// decision became in the register (and its licence's later changes).
pub async fn for_case(
    ctx: &Ctx,
    actor: &crate::auth::Actor,
    id: probity_domain::CaseId,
) -> ServiceResult<Vec<PublishedRecord>> {
    {
        let mut conn = ctx.store.pool().acquire().await?;
        crate::casework::visible_case(&mut conn, actor, id).await?;
    }
    Ok(outbox::for_case(&ctx.store, &id.to_string())
        .await?
        .into_iter()
        .map(published)
        .collect::<Result<_, _>>()?)
}
