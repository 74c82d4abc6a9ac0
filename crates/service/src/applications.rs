//! Exporters' applications: drafts, submission (which makes a case), withdrawal.
use probity_domain::{
    validate, validate_draft, Application, ApplicationInput, CaseAction, CaseId, CaseReference,
    CaseStatus, GoodsLineId, LicenceType, PartyId, ReferencePrefix,
};
use probity_store::applications::{self as store_apps, NewGoodsLine, PartyRow};
use probity_store::cases::{self as store_cases, NewDraft, Submission};
use probity_store::to_micros;
use sqlx::AnyConnection;
use time::OffsetDateTime;

use crate::auth::{Actor, Role};
use crate::casework::{load_case, set_status, transition, CaseRow};
use crate::command::{to_json, Command};
use crate::{Ctx, ServiceError, ServiceResult};

fn licence_type_of(input: &ApplicationInput) -> ServiceResult<LicenceType> {
    input.licence_type.parse::<LicenceType>().map_err(|_| {
        ServiceError::field(
            "licence_type",
            "Choose the type of licence: a standard (SIEL) or an open (OIEL) individual licence",
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
    let Some(id) = id else {
        actor.may(probity_domain::CaseCommand::EditDraft)?;
        licence_type_of(input)?;
        if input.is_blank() {
            return Err(ServiceError::field(
                "goods",
                "Nothing has been filled in yet: describe the goods, the parties or the end use \
                 before saving or submitting",
            ));
        }
        return create_draft(ctx, actor, input).await;
    };
    actor.may(probity_domain::CaseCommand::EditDraft)?;
    let licence_type = licence_type_of(input)?;
    validate_draft(input, ctx.control_list).map_err(ServiceError::Validation)?;
    let json = to_json("draft", input)?;
    let mut cmd = Command::begin(ctx, actor).await?;
    let now = to_micros(cmd.now);
    let case = load_case(&mut cmd, id).await?;
    own_case(actor, &case)?;
    transition(&case, CaseAction::EditDraft)?;
    let lt = licence_type.as_str();
    store_cases::update_draft(&mut cmd, &id.to_string(), &json, lt, now).await?;
    cmd.finish(
        "application.save_draft",
        ("case", &id.to_string()),
        serde_json::json!({}),
    )
    .await?;
    Ok(id)
}

/// Make a new draft from `input` (checked as a draft), for the task list's first question.
pub(crate) async fn create_draft(
    ctx: &Ctx,
    actor: &Actor,
    input: &ApplicationInput,
) -> ServiceResult<CaseId> {
    actor.may(probity_domain::CaseCommand::EditDraft)?;
    let org = actor
        .organisation_id
        .ok_or_else(|| ServiceError::Forbidden("apply without an organisation".into()))?;
    let licence_type = licence_type_of(input)?;
    validate_draft(input, ctx.control_list).map_err(ServiceError::Validation)?;
    let json = to_json("draft", input)?;
    let mut cmd = Command::begin(ctx, actor).await?;
    let now = to_micros(cmd.now);
    let id = CaseId::new();
    insert_draft(&mut cmd, actor, org, id, licence_type, &json, now).await?;
    cmd.finish(
        "application.save_draft",
        ("case", &id.to_string()),
        serde_json::json!({}),
    )
    .await?;
    Ok(id)
}

async fn insert_draft(
    conn: &mut AnyConnection,
    actor: &Actor,
    org: probity_domain::OrganisationId,
    id: CaseId,
    licence_type: LicenceType,
    json: &str,
    at: i64,
) -> ServiceResult<()> {
    let new = NewDraft {
        id: &id.to_string(),
        organisation_id: &org.to_string(),
        created_by: &actor.user_id.to_string(),
        licence_type: licence_type.as_str(),
        status: CaseStatus::Draft.as_str(),
        draft_json: json,
        at,
    };
    Ok(store_cases::insert_draft(conn, new).await?)
}

/// Allocate the next reference for a prefix and year (inside the command lock).
pub(crate) async fn next_reference(
    tx: &mut AnyConnection,
    prefix: ReferencePrefix,
    at: OffsetDateTime,
) -> ServiceResult<CaseReference> {
    let year = i64::from(at.year());
    let n = probity_store::references::next_number(tx, &prefix.to_string(), year).await?;
    Ok(CaseReference {
        prefix,
        year: year as u16,
        number: n as u32,
    })
}

/// Write the validated goods, ratings, parties and destinations of a case.
pub(crate) async fn write_application(
    tx: &mut AnyConnection,
    case_id: CaseId,
    app: &Application,
) -> ServiceResult<()> {
    let cid = case_id.to_string();
    for (i, line) in app.goods.iter().enumerate() {
        let line = NewGoodsLine {
            id: &GoodsLineId::new().to_string(),
            description: &line.description,
            quantity: line.quantity as i64,
            unit: &line.unit,
            value_minor: line.value.minor,
            currency: line.value.currency.code(),
            incorporated: line.incorporated,
            ratings: line.ratings.iter().map(|r| r.as_str()).collect(),
        };
        store_apps::insert_goods_line(tx, &cid, i as i64, &line).await?;
    }
    for (i, party) in app.parties.iter().enumerate() {
        let row = PartyRow {
            role: party.role.as_str().to_string(),
            name: party.name.clone(),
            address: party.address.clone(),
            country: party.country.as_str().to_string(),
            end_user_type: party.end_user_type.map(|t| t.as_str().to_string()),
        };
        let pid = PartyId::new().to_string();
        store_apps::insert_party(tx, &pid, &cid, i as i64, &row).await?;
    }
    for d in app.destinations() {
        store_apps::insert_destination(tx, &cid, d.as_str()).await?;
    }
    Ok(())
}

/// What submitting `app` fixes on its case.
pub(crate) fn submission<'a>(
    app: &'a Application,
    status: CaseStatus,
    reference: &'a str,
    destinations: &'a str,
    end_user_type: Option<&'a str>,
    at: OffsetDateTime,
) -> Submission<'a> {
    Submission {
        reference,
        status: status.as_str(),
        licence_type: app.licence_type.as_str(),
        end_use_statement: &app.end_use_statement,
        end_user_type,
        destinations,
        total_value_minor: app.total_value().minor,
        at: to_micros(at),
    }
}

pub(crate) fn destinations_text(app: &Application) -> String {
    app.destinations()
        .iter()
        .map(|c| c.as_str().to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Submit a saved draft: validate everything, give it a reference, make it a case.
#[tracing::instrument(name = "applications::submit", skip_all, fields(case = %id))]
pub async fn submit(ctx: &Ctx, actor: &Actor, id: CaseId) -> ServiceResult<CaseReference> {
    actor.may(probity_domain::CaseCommand::Submit)?;
    // The index is read before the command: building it must not hold the command lock.
    let screening = crate::screening::loaded(ctx).await?;
    let mut cmd = Command::begin(ctx, actor).await?;
    let case = load_case(&mut cmd, id).await?;
    own_case(actor, &case)?;
    let status = transition(&case, CaseAction::Submit)?;
    let app = validate(&case.draft, ctx.control_list).map_err(ServiceError::Validation)?;
    submit_in_tx(cmd, &screening, &case.id, &app, status).await
}

/// Give the case its reference and write the validated application, then finish.
async fn submit_in_tx(
    mut cmd: Command<'_>,
    screening: &crate::screening::Loaded,
    id: &CaseId,
    app: &Application,
    status: CaseStatus,
) -> ServiceResult<CaseReference> {
    let now = cmd.now;
    let reference = next_reference(&mut cmd, app.licence_type.reference_prefix(), now).await?;
    write_application(&mut cmd, *id, app).await?;
    let (r, dest) = (reference.to_string(), destinations_text(app));
    let eut = app
        .end_user()
        .and_then(|p| p.end_user_type)
        .map(|t| t.as_str());
    let sub = submission(app, status, &r, &dest, eut, now);
    store_cases::mark_submitted(&mut cmd, &id.to_string(), sub).await?;
    // Screened in the submitting transaction: the case never exists unscreened.
    let matches = crate::screening::screen_case_in_tx(&mut cmd, screening, &id.to_string()).await?;
    // Submitting makes the declaration (the page asks for it; the API documents it).
    cmd.finish(
        "application.submit",
        ("case", &id.to_string()),
        serde_json::json!({
            "reference": r, "screening_matches": matches,
            "declaration": probity_domain::DECLARATION_VERSION,
        }),
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
    let json = to_json("application", input)?;
    let id = CaseId::new();
    let screening = crate::screening::loaded(ctx).await?;
    let mut cmd = Command::begin(ctx, actor).await?;
    let now = to_micros(cmd.now);
    insert_draft(&mut cmd, actor, org, id, app.licence_type, &json, now).await?;
    let status = probity_domain::next_status(CaseStatus::Draft, CaseAction::Submit)
        .map_err(|e| ServiceError::Conflict(e.to_string()))?;
    let reference = submit_in_tx(cmd, &screening, &id, &app, status).await?;
    Ok((id, reference))
}

/// Withdraw a submitted application that is not yet decided.
#[tracing::instrument(name = "applications::withdraw", skip_all, fields(case = %id))]
pub async fn withdraw(ctx: &Ctx, actor: &Actor, id: CaseId, reason: &str) -> ServiceResult<()> {
    actor.may(probity_domain::CaseCommand::Withdraw)?;
    let reason = crate::parse_text::<probity_domain::Reason>("reason", reason)?;
    let mut cmd = Command::begin(ctx, actor).await?;
    let case = load_case(&mut cmd, id).await?;
    own_case(actor, &case)?;
    let status = transition(&case, CaseAction::Withdraw)?;
    let now = cmd.now;
    set_status(&mut cmd, id, status, now).await?;
    cmd.finish(
        "application.withdraw",
        ("case", &id.to_string()),
        serde_json::json!({ "reason": reason.as_str() }),
    )
    .await
}
