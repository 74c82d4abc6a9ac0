//! "Check before you confirm" pages (GOV.UK pattern, plain forms) for the irreversible
//! actions: withdraw, refuse, decide against the advice, suspend, revoke, surrender. Posting
//! the action's form shows one of these; only the post from its confirm button acts. The
//! service's previews run the same authorisation, parsing and status checks first, so nobody
//! is asked to confirm something they may not, or cannot, do.
use askama::Template;
use axum::response::Response;
use probity_domain::{Consolidated, Decision, LicenceAction};
use probity_service::documents::APPEAL_WINDOW_DAYS;
use probity_service::previews::{DecisionPreview, LicencePreview, WithdrawPreview};

use crate::auth::CurrentUser;
use crate::render::{consolidated_label, page, Nav};
use crate::AppError;

/// Whether a posted form is the confirmed one (its `confirm` field, added by the confirm
/// button, is `yes`).
pub fn is_confirmed(confirm: Option<&str>) -> bool {
    confirm == Some("yes")
}

/// One confirmation: what happens, who sees it, what was written, and the form to repeat.
pub struct Confirmation {
    pub title: String,
    pub happens: Vec<String>,
    pub audience: Vec<String>,
    pub facts: Vec<(&'static str, String)>,
    /// Where the confirm button posts (the action's own URL).
    pub action: String,
    /// The form's fields, posted again with `confirm=yes`.
    pub hidden: Vec<(&'static str, String)>,
    pub button: String,
    pub back: String,
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    nav: Nav,
    c: Confirmation,
}

pub fn render(user: &CurrentUser, c: Confirmation) -> Result<Response, AppError> {
    page(ConfirmPage {
        nav: Nav::for_user(Some(user)),
        c,
    })
}

const OFFICIALS: &str =
    "Caseworkers, decision-makers, policy and oversight see it, with your reason, in the case record and its audit history.";

pub fn withdraw(case_id: &str, p: &WithdrawPreview) -> Confirmation {
    Confirmation {
        title: format!("Withdraw application {}", p.reference),
        happens: vec![
            "The application is withdrawn and its case closed at once.".into(),
            "It cannot be reopened: to export these goods you would apply again.".into(),
        ],
        audience: vec![
            OFFICIALS.into(),
            "Nothing is published in the public register.".into(),
        ],
        facts: vec![("Reason", p.reason.to_string())],
        action: format!("/cases/{case_id}/withdraw"),
        hidden: vec![("reason", p.reason.to_string())],
        button: "Withdraw the application".into(),
        back: format!("/cases/{case_id}"),
    }
}

/// A decision's confirmation; `hidden` is the decision form as posted.
pub fn decision(
    case_id: &str,
    p: &DecisionPreview,
    hidden: Vec<(&'static str, String)>,
) -> Confirmation {
    let reference = &p.reference;
    let (title, effect, exporter, public) = match &p.decision {
        Decision::Refuse { criteria } => (
            format!("Refuse application {reference}"),
            "The application is refused and the case closed.".to_string(),
            format!(
                "The exporter will receive a refusal notice citing criteria {} with your reasons, and may appeal within {APPEAL_WINDOW_DAYS} days.",
                criteria.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ")
            ),
            "A public record of the refusal will be published in the register (licence type, destinations, ratings, criteria; never the exporter's name or goods descriptions). It cannot be withdrawn.",
        ),
        Decision::Grant { .. } => (
            format!("Grant a licence on {reference} against the advice"),
            "A licence is issued and the case closed.".to_string(),
            "The exporter will receive the licence.".to_string(),
            "A public record of the grant will be published in the register. It cannot be withdrawn.",
        ),
        Decision::NoLicenceRequired => (
            format!("Decide no licence is required on {reference} against the advice"),
            "The case is closed with a \"no licence required\" letter.".to_string(),
            "The exporter will receive the letter.".to_string(),
            "A public record will be published in the register. It cannot be withdrawn.",
        ),
    };
    let mut happens = Vec::new();
    if p.countersign {
        happens.push(format!(
            "{} It takes effect, and is published, only when a second decision-maker countersigns it.",
            effect.replace(" is ", " will be ")
        ));
    } else {
        happens.push(format!("{effect} This takes effect at once."));
    }
    if p.against_advice {
        happens.push(match p.final_advice {
            Consolidated::Conflicting => {
                "The advice conflicts: your resolution is recorded as the reason for deciding it this way.".to_string()
            }
            ref advice => format!(
                "This departs from the final advice ({}): your resolution is recorded as the reason.",
                consolidated_label(advice).to_lowercase()
            ),
        });
    }
    let mut facts = vec![("Reasons", p.reasons.clone())];
    if !p.conflict_resolution.is_empty() {
        facts.push(("Resolution of the advice", p.conflict_resolution.clone()));
    }
    Confirmation {
        title,
        happens,
        audience: vec![exporter, public.to_string(), OFFICIALS.into()],
        facts,
        action: format!("/cases/{case_id}/finalise"),
        hidden,
        button: if p.countersign {
            "Record the decision for countersigning".into()
        } else {
            "Confirm the decision".into()
        },
        back: format!("/cases/{case_id}"),
    }
}

/// Licence actions confirmed on a page of their own (the others act at once).
pub fn licence_needs_confirmation(action: LicenceAction) -> bool {
    matches!(
        action,
        LicenceAction::Suspend | LicenceAction::Revoke | LicenceAction::Surrender
    )
}

pub fn licence(licence_id: &str, action: LicenceAction, p: &LicencePreview) -> Confirmation {
    let n = &p.number;
    let (title, happens, audience, button) = match action {
        LicenceAction::Suspend => (
            format!("Suspend licence {n}"),
            vec![
                "The licence is suspended at once: no exports may be made under it until it is reinstated.".to_string(),
            ],
            vec![
                "The exporter sees the suspension and your reason on the licence.".to_string(),
                "A public record of the suspension, including your reason, will be published in the register. It cannot be withdrawn.".to_string(),
            ],
            "Suspend the licence",
        ),
        LicenceAction::Revoke => (
            format!("Revoke licence {n}"),
            vec![
                "The licence is revoked at once and for good: it cannot be reinstated.".to_string(),
            ],
            vec![
                "The exporter sees the revocation and your reason on the licence.".to_string(),
                "A public record of the revocation, including your reason, will be published in the register. It cannot be withdrawn.".to_string(),
            ],
            "Revoke the licence",
        ),
        _ => (
            format!("Surrender licence {n}"),
            vec![
                "You give the licence up at once and for good: no further exports may be made under it, and it cannot be reinstated.".to_string(),
            ],
            vec![
                "Officials (caseworkers, decision-makers, policy and oversight) see the surrender and your reason.".to_string(),
                "A public record of the surrender will be published in the register; your reason is not published.".to_string(),
            ],
            "Surrender the licence",
        ),
    };
    Confirmation {
        title,
        happens,
        audience,
        facts: vec![
            ("Status", format!("{} → {}", p.from.label(), p.to.label())),
            ("Reason", p.reason.to_string()),
        ],
        action: format!("/licences/{licence_id}/{}", action.as_str()),
        hidden: vec![("reason", p.reason.to_string())],
        button: button.into(),
        back: format!("/licences/{licence_id}"),
    }
}
