//! The application as a task list: start a draft by choosing the type of licence, save one
//! section at a time (merged into the stored draft inside the transaction that writes it),
//! and see where every section stands. The states come from the domain's one validation.
use probity_domain::{
    section_states, validate, validate_draft, Application, ApplicationInput, ApplicationSection,
    CaseAction, CaseId, CaseStatus, LicenceType, SectionState,
};
use probity_store::cases as store_cases;
use probity_store::to_micros;

use crate::applications::own_case;
use crate::auth::Actor;
use crate::casework::{load_case, transition, CaseRow};
use crate::command::{to_json, Command};
use crate::{Ctx, ServiceError, ServiceResult};

/// A draft as a task list.
#[derive(Debug)]
pub struct TaskList {
    pub case: CaseRow,
    pub sections: Vec<(ApplicationSection, SectionState)>,
    /// Every form section completed: the exporter may go on to check and submit.
    pub ready: bool,
    pub documents: usize,
}

/// Start an application: the chosen type of licence makes a draft (the one choice asked
/// before anything else; an unchosen type saves nothing).
pub async fn start(ctx: &Ctx, actor: &Actor, licence_type: &str) -> ServiceResult<CaseId> {
    let Ok(licence_type) = licence_type.parse::<LicenceType>() else {
        return Err(ServiceError::field(
            "licence_type",
            "Choose the type of licence: a standard (SIEL) or an open (OIEL) individual licence",
        ));
    };
    let input = ApplicationInput {
        licence_type: licence_type.as_str().to_string(),
        ..Default::default()
    };
    crate::applications::create_draft(ctx, actor, &input).await
}

/// Save one section of a draft: `input` carries that section's answers, the rest is kept
/// as stored. Malformed values are refused as on the whole form.
pub async fn save_section(
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    section: ApplicationSection,
    input: &ApplicationInput,
) -> ServiceResult<()> {
    actor.may(probity_domain::CaseCommand::EditDraft)?;
    let mut cmd = Command::begin(ctx, actor).await?;
    let case = load_case(&mut cmd, id).await?;
    own_case(actor, &case)?;
    transition(&case, CaseAction::EditDraft)?;
    let mut merged = case.draft.clone();
    match section {
        ApplicationSection::LicenceType => merged.licence_type = input.licence_type.clone(),
        ApplicationSection::Goods => merged.goods = input.goods.clone(),
        ApplicationSection::Parties => merged.parties = input.parties.clone(),
        ApplicationSection::EndUse => merged.end_use_statement = input.end_use_statement.clone(),
        ApplicationSection::Documents => {
            return Err(ServiceError::Internal(
                "documents are uploaded, not saved as a section".into(),
            ))
        }
    }
    let licence_type = merged.licence_type.parse::<LicenceType>().map_err(|_| {
        ServiceError::field(
            "licence_type",
            "Choose the type of licence: a standard (SIEL) or an open (OIEL) individual licence",
        )
    })?;
    validate_draft(&merged, ctx.control_list).map_err(ServiceError::Validation)?;
    let json = to_json("draft", &merged)?;
    let now = to_micros(cmd.now);
    store_cases::update_draft(&mut cmd, &id.to_string(), &json, licence_type.as_str(), now).await?;
    cmd.finish(
        "application.save_draft",
        ("case", &id.to_string()),
        serde_json::json!({ "section": section.as_str() }),
    )
    .await
}

/// The exporter's draft as a task list (another's, or a submitted case, is not found).
pub async fn task_list(ctx: &Ctx, actor: &Actor, id: CaseId) -> ServiceResult<TaskList> {
    actor.may(probity_domain::CaseCommand::EditDraft)?;
    let case = crate::cases::get_case(ctx, actor, id).await?;
    own_case(actor, &case)?;
    let documents = crate::supporting_documents::of_case(ctx, actor, id)
        .await?
        .documents
        .len();
    let (sections, ready) = section_states(&case.draft, ctx.control_list, documents);
    Ok(TaskList {
        case,
        sections,
        ready,
        documents,
    })
}

/// The draft checked as a whole, for the check-your-answers page: the application as it
/// would be submitted, or every problem that stops it.
pub async fn check(ctx: &Ctx, actor: &Actor, id: CaseId) -> ServiceResult<(CaseRow, Application)> {
    actor.may(probity_domain::CaseCommand::Submit)?;
    let case = crate::cases::get_case(ctx, actor, id).await?;
    own_case(actor, &case)?;
    if case.status != CaseStatus::Draft {
        return Err(ServiceError::Conflict(
            "this application has already been submitted".into(),
        ));
    }
    let app = validate(&case.draft, ctx.control_list).map_err(ServiceError::Validation)?;
    Ok((case, app))
}
