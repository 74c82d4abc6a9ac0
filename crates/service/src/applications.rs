//! Exporters' applications: drafts, submission (which makes a case), withdrawal.
use probity_domain::{
    validate, validate_draft, Application, ApplicationInput, CaseAction, CaseId, CaseReference,
    CaseStatus, GoodsLineId, LicenceType, PartyId, ReferencePrefix,
};
use probity_store::{to_micros, Tx};
use time::OffsetDateTime;

use crate::auth::{Actor, Role};
use crate::rows::{audit_event, load_case, transition, CaseRow};
use crate::{Ctx, ServiceError, ServiceResult};

fn licence_type_of(input: &ApplicationInput) -> ServiceResult<LicenceType> {
    input.licence_type.parse::<LicenceType>().map_err(|_| {
        ServiceError::field(
            "licence_type",
            "choose a standard (siel) or open (oiel) individual licence",
        )
    })
}

pub(crate) fn own_case(actor: &Actor, case: &CaseRow) -> ServiceResult<()> {
    if actor.role == Role::Exporter && actor.organisation_id == Some(case.organisation_id) {
        Ok(())
    } else {
        Err(ServiceError::NotFound("application"))
    }
}

/// Save a draft (new when `id` is `None`). Incomplete drafts are fine; malformed values
/// (an unknown rating, a bad country) are refused so a draft never holds nonsense.
pub async fn save_draft(
    ctx: &Ctx,
    actor: &Actor,
    id: Option<CaseId>,
    input: &ApplicationInput,
) -> ServiceResult<CaseId> {
    actor.may(probity_domain::CaseCommand::EditDraft)?;
    let org = actor
        .organisation_id
        .ok_or_else(|| ServiceError::Forbidden("apply without an organisation".into()))?;
    let licence_type = licence_type_of(input)?;
    validate_draft(input, ctx.control_list).map_err(ServiceError::Validation)?;
    let json = serde_json::to_string(input).map_err(|e| ServiceError::Conflict(e.to_string()))?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let case_id = match id {
        Some(id) => {
            let case = load_case(&mut tx, id).await?;
            own_case(actor, &case)?;
            transition(&case, CaseAction::EditDraft)?;
            sqlx::query(
                "UPDATE cases SET draft_json = $1, licence_type = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(&json)
            .bind(licence_type.as_str())
            .bind(to_micros(now))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
            id
        }
        None => {
            let id = CaseId::new();
            sqlx::query(
                "INSERT INTO cases (id, kind, organisation_id, created_by, licence_type, status, \
                 draft_json, created_at, updated_at) VALUES ($1,'application',$2,$3,$4,$5,$6,$7,$7)",
            )
            .bind(id.to_string())
            .bind(org.to_string())
            .bind(actor.user_id.to_string())
            .bind(licence_type.as_str())
            .bind(CaseStatus::Draft.as_str())
            .bind(&json)
            .bind(to_micros(now))
            .execute(&mut *tx)
            .await?;
            id
        }
    };
    audit_event(
        &mut tx,
        Some(actor),
        now,
        "application.save_draft",
        ("case", &case_id.to_string()),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(case_id)
}

/// Allocate the next reference for a prefix and year (inside the command lock).
pub(crate) async fn next_reference(
    tx: &mut Tx,
    prefix: ReferencePrefix,
    at: OffsetDateTime,
) -> ServiceResult<CaseReference> {
    let year = i64::from(at.year());
    let key = prefix.to_string();
    let updated = sqlx::query(
        "UPDATE reference_counters SET last_number = last_number + 1 WHERE prefix = $1 AND year = $2",
    )
    .bind(&key)
    .bind(year)
    .execute(&mut **tx)
    .await?;
    if updated.rows_affected() == 0 {
        sqlx::query("INSERT INTO reference_counters (prefix, year, last_number) VALUES ($1,$2,1)")
            .bind(&key)
            .bind(year)
            .execute(&mut **tx)
            .await?;
    }
    let n: i64 = sqlx::query_scalar(
        "SELECT last_number FROM reference_counters WHERE prefix = $1 AND year = $2",
    )
    .bind(&key)
    .bind(year)
    .fetch_one(&mut **tx)
    .await?;
    Ok(CaseReference {
        prefix,
        year: year as u16,
        number: n as u32,
    })
}

/// Write the validated goods, ratings, parties and destinations of a case.
pub(crate) async fn write_application(
    tx: &mut Tx,
    case_id: CaseId,
    app: &Application,
) -> ServiceResult<()> {
    let cid = case_id.to_string();
    for (i, line) in app.goods.iter().enumerate() {
        let gid = GoodsLineId::new().to_string();
        sqlx::query(
            "INSERT INTO goods_lines (id, case_id, position, description, quantity, unit, \
             value_minor, currency, incorporated) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
        )
        .bind(&gid)
        .bind(&cid)
        .bind(i as i64)
        .bind(&line.description)
        .bind(line.quantity as i64)
        .bind(&line.unit)
        .bind(line.value.minor)
        .bind(line.value.currency.code())
        .bind(i64::from(line.incorporated))
        .execute(&mut **tx)
        .await?;
        for (j, rating) in line.ratings.iter().enumerate() {
            sqlx::query(
                "INSERT INTO goods_ratings (goods_line_id, position, rating) VALUES ($1,$2,$3)",
            )
            .bind(&gid)
            .bind(j as i64)
            .bind(rating.as_str())
            .execute(&mut **tx)
            .await?;
        }
    }
    for (i, party) in app.parties.iter().enumerate() {
        sqlx::query(
            "INSERT INTO parties (id, case_id, position, role, name, address, country, \
             end_user_type) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
        )
        .bind(PartyId::new().to_string())
        .bind(&cid)
        .bind(i as i64)
        .bind(party.role.as_str())
        .bind(&party.name)
        .bind(&party.address)
        .bind(party.country.as_str())
        .bind(party.end_user_type.map(|t| t.as_str().to_string()))
        .execute(&mut **tx)
        .await?;
    }
    for d in app.destinations() {
        sqlx::query("INSERT INTO case_destinations (case_id, country) VALUES ($1,$2)")
            .bind(&cid)
            .bind(d.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub(crate) fn destinations_text(app: &Application) -> String {
    app.destinations()
        .iter()
        .map(|c| c.as_str().to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Submit a saved draft: validate everything, give it a reference, make it a case.
pub async fn submit(ctx: &Ctx, actor: &Actor, id: CaseId) -> ServiceResult<CaseReference> {
    actor.may(probity_domain::CaseCommand::Submit)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let case = load_case(&mut tx, id).await?;
    own_case(actor, &case)?;
    let status = transition(&case, CaseAction::Submit)?;
    let app = validate(&case.draft, ctx.control_list).map_err(ServiceError::Validation)?;
    let reference = submit_in_tx(&mut tx, actor, &case.id, &app, status, now).await?;
    tx.commit().await?;
    Ok(reference)
}

async fn submit_in_tx(
    tx: &mut Tx,
    actor: &Actor,
    id: &CaseId,
    app: &Application,
    status: CaseStatus,
    now: OffsetDateTime,
) -> ServiceResult<CaseReference> {
    let reference = next_reference(tx, app.licence_type.reference_prefix(), now).await?;
    write_application(tx, *id, app).await?;
    sqlx::query(
        "UPDATE cases SET reference = $1, status = $2, licence_type = $3, end_use_statement = $4, \
         end_user_type = $5, destinations = $6, total_value_minor = $7, submitted_at = $8, \
         updated_at = $8 WHERE id = $9",
    )
    .bind(reference.to_string())
    .bind(status.as_str())
    .bind(app.licence_type.as_str())
    .bind(&app.end_use_statement)
    .bind(
        app.end_user()
            .and_then(|p| p.end_user_type)
            .map(|t| t.as_str().to_string()),
    )
    .bind(destinations_text(app))
    .bind(app.total_value().minor)
    .bind(to_micros(now))
    .bind(id.to_string())
    .execute(&mut **tx)
    .await?;
    audit_event(
        tx,
        Some(actor),
        now,
        "application.submit",
        ("case", &id.to_string()),
        serde_json::json!({ "reference": reference.to_string() }),
    )
    .await?;
    Ok(reference)
}

/// Create and submit in one step (the JSON API's `POST /applications`): either the whole
/// application becomes a case, or nothing is written.
pub async fn submit_new(
    ctx: &Ctx,
    actor: &Actor,
    input: &ApplicationInput,
) -> ServiceResult<(CaseId, CaseReference)> {
    actor.may(probity_domain::CaseCommand::Submit)?;
    let org = actor
        .organisation_id
        .ok_or_else(|| ServiceError::Forbidden("apply without an organisation".into()))?;
    let app = validate(input, ctx.control_list).map_err(ServiceError::Validation)?;
    let json = serde_json::to_string(input).map_err(|e| ServiceError::Conflict(e.to_string()))?;
    let now = ctx.clock.now();
    let id = CaseId::new();
    let mut tx = ctx.store.begin_command().await?;
    sqlx::query(
        "INSERT INTO cases (id, kind, organisation_id, created_by, licence_type, status, \
         draft_json, created_at, updated_at) VALUES ($1,'application',$2,$3,$4,$5,$6,$7,$7)",
    )
    .bind(id.to_string())
    .bind(org.to_string())
    .bind(actor.user_id.to_string())
    .bind(app.licence_type.as_str())
    .bind(CaseStatus::Draft.as_str())
    .bind(&json)
    .bind(to_micros(now))
    .execute(&mut *tx)
    .await?;
    let status = probity_domain::next_status(CaseStatus::Draft, CaseAction::Submit)
        .map_err(|e| ServiceError::Conflict(e.to_string()))?;
    let reference = submit_in_tx(&mut tx, actor, &id, &app, status, now).await?;
    tx.commit().await?;
    Ok((id, reference))
}

/// Withdraw a submitted application that is not yet decided.
pub async fn withdraw(ctx: &Ctx, actor: &Actor, id: CaseId, reason: &str) -> ServiceResult<()> {
    actor.may(probity_domain::CaseCommand::Withdraw)?;
    let reason = crate::parse_text::<probity_domain::Reason>("reason", reason)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin_command().await?;
    let case = load_case(&mut tx, id).await?;
    own_case(actor, &case)?;
    let status = transition(&case, CaseAction::Withdraw)?;
    crate::rows::set_status(&mut tx, id, status, now).await?;
    audit_event(
        &mut tx,
        Some(actor),
        now,
        "application.withdraw",
        ("case", &id.to_string()),
        serde_json::json!({ "reason": reason.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
