//! The case page's commands: the posted action parsed once into the domain's `CaseCommand`,
//! the confirmation page an irreversible one needs, and one service call per command.
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use probity_domain::{CaseCommand, CaseId, DecisionKind, TeamId, UnknownDecision};
use probity_service::advice::{self, AdviceInput};
use probity_service::decisions::{self, DecisionInput};
use probity_service::{appeals, applications, cases, previews, ServiceError};
use serde::Deserialize;

use super::form_state::page_errors;
use super::{render_case, Typed};
use crate::auth::{CurrentUser, SignedForm};
use crate::pages::{confirm, path_id};
use crate::{AppError, AppState};

#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    teams: Vec<String>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    destination: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    proviso: String,
    #[serde(default)]
    criteria: Vec<String>,
    #[serde(default)]
    reasons: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    provisos: String,
    #[serde(default)]
    conflict_resolution: String,
    #[serde(default)]
    countersign: Option<String>,
    /// The fingerprint of the advice shown with the decision form.
    #[serde(default)]
    advice_fingerprint: String,
    /// Reasons for granting although a review flagged the application or an embargo covers it.
    #[serde(default)]
    review_override: String,
    #[serde(default)]
    grounds: String,
    #[serde(default)]
    reason: String,
    /// `yes` on the post from a confirmation page.
    #[serde(default)]
    confirm: Option<String>,
}

impl ActionForm {
    /// The decision form as the service takes it; an unknown decision is a field error.
    fn decision_input(&self) -> Result<DecisionInput, ServiceError> {
        // Nothing is pre-selected on the form: not choosing is the commonest mistake.
        if self.decision.trim().is_empty() {
            return Err(ServiceError::field(
                "decision",
                "Choose a decision: grant a licence, refuse, or no licence required",
            ));
        }
        let decision: DecisionKind = self
            .decision
            .parse()
            .map_err(|e: UnknownDecision| ServiceError::field("decision", e.to_string()))?;
        Ok(DecisionInput {
            decision,
            provisos: self.provisos.lines().map(str::to_string).collect(),
            criteria: self.criteria.clone(),
            reasons: self.reasons.clone(),
            conflict_resolution: self.conflict_resolution.clone(),
            countersign: self.countersign.is_some(),
            advice_fingerprint: self.advice_fingerprint.clone(),
            review_override: self.review_override.clone(),
        })
    }

    /// What was typed, to show again if `command` fails (with its form's id prefix).
    fn typed(&self, command: CaseCommand) -> Typed {
        use CaseCommand as C;
        let form = match command {
            C::RequestAdvice => "req",
            C::GiveAdvice => "adv",
            C::ConsolidateAdvice => "fin",
            C::Finalise => "dec",
            C::AskQuestion => "q",
            C::Countersign => "cs",
            C::ReturnToCaseworker => "ret",
            C::Withdraw => "wd",
            C::Appeal => "ap",
            _ => "",
        };
        let mut values: Vec<(&'static str, String)> = [
            ("body", &self.body),
            ("note", &self.note),
            ("destination", &self.destination),
            ("kind", &self.kind),
            ("proviso", &self.proviso),
            ("reasons", &self.reasons),
            ("decision", &self.decision),
            ("provisos", &self.provisos),
            ("conflict_resolution", &self.conflict_resolution),
            ("review_override", &self.review_override),
            ("grounds", &self.grounds),
            ("reason", &self.reason),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, v.clone()))
        .collect();
        values.extend(self.criteria.iter().map(|c| ("criteria", c.clone())));
        values.extend(self.teams.iter().map(|t| ("teams", t.clone())));
        if self.countersign.is_some() {
            values.push(("countersign", "yes".into()));
        }
        Typed { form, values }
    }

    /// The decision form as posted, to be posted again from the confirmation page.
    fn decision_fields(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![
            ("decision", self.decision.clone()),
            ("provisos", self.provisos.clone()),
            ("reasons", self.reasons.clone()),
            ("conflict_resolution", self.conflict_resolution.clone()),
            ("advice_fingerprint", self.advice_fingerprint.clone()),
            ("review_override", self.review_override.clone()),
        ];
        v.extend(self.criteria.iter().map(|c| ("criteria", c.clone())));
        if self.countersign.is_some() {
            v.push(("countersign", "yes".into()));
        }
        v
    }
}

/// Before an irreversible action acts: the confirmation page, if it needs one.
async fn confirmation(
    state: &AppState,
    user: &CurrentUser,
    id: CaseId,
    command: CaseCommand,
    f: &ActionForm,
) -> Result<Option<confirm::Confirmation>, ServiceError> {
    if confirm::is_confirmed(f.confirm.as_deref()) {
        return Ok(None);
    }
    let (ctx, a, cid) = (&state.ctx, &user.actor, id.to_string());
    Ok(Some(match command {
        CaseCommand::Withdraw => {
            confirm::withdraw(&cid, &previews::withdraw(ctx, a, id, &f.reason).await?)
        }
        CaseCommand::Finalise => {
            let p = previews::decision(ctx, a, id, &f.decision_input()?).await?;
            if !p.needs_confirmation() {
                return Ok(None);
            }
            confirm::decision(&cid, &p, f.decision_fields())
        }
        _ => return Ok(None),
    }))
}

/// A case command posted from the case page: the action is parsed into a `CaseCommand` once;
/// a name that is not one, or a command not given here, does not exist (404).
pub async fn act(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    form: SignedForm<ActionForm>,
) -> Result<Response, AppError> {
    let id: CaseId = path_id(&id)?;
    let command: CaseCommand = action.parse().map_err(|_| AppError::NotFound)?;
    if !POSTED_HERE.contains(&command) {
        return Err(AppError::NotFound);
    }
    let SignedForm { user, form: f, .. } = form;
    let typed = f.typed(command);
    match confirmation(&state, &user, id, command, &f).await {
        Ok(Some(c)) => return confirm::render(&user, c),
        Ok(None) => {}
        Err(e) => return failed(&state, &user, id, e, typed).await,
    }
    match run(&state, &user, id, command, f).await {
        Ok(Done::Case(done)) => {
            Ok(Redirect::to(&format!("/cases/{id}?done={done}")).into_response())
        }
        Ok(Done::Appeal(appeal_id)) => {
            Ok(Redirect::to(&format!("/cases/{appeal_id}?done=appeal-lodged")).into_response())
        }
        Err(e) => failed(&state, &user, id, e, typed).await,
    }
}

/// The commands posted to `/cases/{id}/{command}` (the others have pages of their own).
const POSTED_HERE: [CaseCommand; 11] = [
    CaseCommand::Take,
    CaseCommand::AskQuestion,
    CaseCommand::RequestAdvice,
    CaseCommand::GiveAdvice,
    CaseCommand::ConsolidateAdvice,
    CaseCommand::SubmitForDecision,
    CaseCommand::Finalise,
    CaseCommand::Countersign,
    CaseCommand::ReturnToCaseworker,
    CaseCommand::Withdraw,
    CaseCommand::Appeal,
];

/// Where a successful command leads.
enum Done {
    /// Back to the case, saying what was done.
    Case(&'static str),
    /// To the new appeal case.
    Appeal(CaseId),
}

async fn run(
    state: &AppState,
    user: &CurrentUser,
    id: CaseId,
    command: CaseCommand,
    f: ActionForm,
) -> Result<Done, ServiceError> {
    use CaseCommand as C;
    let (ctx, a) = (&state.ctx, &user.actor);
    let done = match command {
        C::Take => cases::assign_to_self(ctx, a, id)
            .await
            .map(|_| "case-taken")?,
        C::AskQuestion => cases::ask_question(ctx, a, id, &f.body)
            .await
            .map(|_| "question-sent")?,
        C::RequestAdvice => {
            let teams = f
                .teams
                .iter()
                .map(|t| t.parse())
                .collect::<Result<Vec<TeamId>, _>>()
                .map_err(|_| ServiceError::field("teams", "choose advisory teams from the list"))?;
            advice::request_advice(ctx, a, id, &teams, &f.note).await?;
            "advice-requested"
        }
        C::GiveAdvice => {
            let input = AdviceInput {
                destination: f.destination,
                kind: f.kind,
                proviso: f.proviso,
                criteria: f.criteria,
                reasons: f.reasons,
            };
            advice::give_advice(ctx, a, id, &input).await?;
            "advice-recorded"
        }
        C::ConsolidateAdvice => {
            advice::consolidate_final(ctx, a, id, &f.reasons).await?;
            "final-advice-consolidated"
        }
        C::SubmitForDecision => {
            decisions::submit_for_decision(ctx, a, id).await?;
            "sent-for-decision"
        }
        C::Finalise => match decisions::finalise(ctx, a, id, &f.decision_input()?).await? {
            decisions::Finalised::AwaitingCountersign => {
                "decision-recorded-awaiting-countersignature"
            }
            decisions::Finalised::Granted(_) => "licence-granted",
            decisions::Finalised::Refused => "application-refused",
            decisions::Finalised::NoLicenceRequired => "no-licence-required",
        },
        C::Countersign => {
            decisions::countersign(ctx, a, id, &f.note).await?;
            "countersigned"
        }
        C::ReturnToCaseworker => {
            decisions::return_to_caseworker(ctx, a, id, &f.reason).await?;
            "returned"
        }
        C::Withdraw => {
            applications::withdraw(ctx, a, id, &f.reason).await?;
            "withdrawn"
        }
        C::Appeal => {
            let (appeal_id, _) = appeals::appeal(ctx, a, id, &f.grounds).await?;
            return Ok(Done::Appeal(appeal_id));
        }
        C::EditDraft | C::Submit | C::AnswerQuestion | C::ViewHistory => {
            return Err(ServiceError::NotFound("action"))
        }
    };
    Ok(Done::Case(done))
}

/// A refused action: the case page again with what went wrong, or the error page.
pub(crate) async fn failed(
    state: &AppState,
    user: &CurrentUser,
    id: CaseId,
    e: ServiceError,
    typed: Typed,
) -> Result<Response, AppError> {
    let status = match e {
        ServiceError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::CONFLICT,
    };
    match page_errors(&e, typed.form) {
        Some(errors) => render_case(state, user, id, errors, typed, None, status).await,
        None => Err(e.into()),
    }
}
