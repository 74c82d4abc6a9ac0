//! The case header: where the case stands and what this viewer can do next, in a sentence,
//! with links to the forms for the actions open to them now. Everything is derived from the
//! domain's `available_actions` (the page's `actions`) and the case's facts; nothing here
//! re-encodes the status graph.
use probity_domain::{CaseCommand as C, CaseStatus};

use super::CasePage;

/// The viewer's main action, most pressing first, with its sentence, link label and anchor.
const MAIN: [(C, &str, &str, &str); 11] = [
    (
        C::Finalise,
        "Decide: grant a licence, refuse, or decide that no licence is required.",
        "Decide",
        "#act-decide",
    ),
    (
        C::Countersign,
        "Countersign the decision, or return the case to the caseworker.",
        "Countersign",
        "#act-countersign",
    ),
    (
        C::SubmitForDecision,
        "The final advice is recorded: send the case for a decision.",
        "Send for decision",
        "#act-submit-for-decision",
    ),
    (
        C::ConsolidateAdvice,
        "All the advice is in: consolidate it into the final advice.",
        "Consolidate advice",
        "#act-consolidate",
    ),
    (
        C::GiveAdvice,
        "Give your team's advice on each destination.",
        "Give advice",
        "#act-give-advice",
    ),
    (
        C::AnswerQuestion,
        "Answer the caseworker's question so that the assessment can go on.",
        "Answer the question",
        "#questions",
    ),
    (
        C::Take,
        "Take this case to start work on it.",
        "Take this case",
        "#act-take",
    ),
    (
        C::RequestAdvice,
        "Ask the advisory teams for their advice, or the exporter a question.",
        "Request advice",
        "#act-request-advice",
    ),
    (
        C::EditDraft,
        "Finish the application and submit it.",
        "Continue the application",
        "",
    ),
    (
        C::Appeal,
        "The application was refused: you may appeal against the refusal.",
        "Appeal",
        "#act-appeal",
    ),
    (
        C::ReturnToCaseworker,
        "Return the case to the caseworker if it is not ready for a decision.",
        "Return to the caseworker",
        "#act-return",
    ),
];

/// Actions offered beside the main one.
const OTHERS: [(C, &str, &str); 4] = [
    (C::RequestAdvice, "Request advice", "#act-request-advice"),
    (C::AskQuestion, "Ask the exporter a question", "#act-ask"),
    (
        C::ReturnToCaseworker,
        "Return to the caseworker",
        "#act-return",
    ),
    (C::Withdraw, "Withdraw the application", "#act-withdraw"),
];

impl CasePage {
    /// The sentence saying where the case stands for this viewer, and the links to the forms
    /// of the actions open to them now (the main one first).
    pub(super) fn next_step(&self) -> (String, Vec<(&'static str, String)>) {
        let edit = format!("/applications/{}/edit", self.case.id);
        let href = |anchor: &str| {
            if anchor.is_empty() {
                edit.clone()
            } else {
                anchor.to_string()
            }
        };
        let waiting = self.waiting_for_advice();
        let main = MAIN.iter().find(|(c, ..)| {
            // Once advice is requested and still owed, asking again is not the next step.
            self.can(*c) && !(*c == C::RequestAdvice && waiting.is_some())
        });
        let mut links: Vec<(&'static str, String)> = Vec::new();
        let sentence = match main {
            Some((c, sentence, label, anchor)) => {
                links.push((label, href(anchor)));
                if *c == C::Appeal {
                    match self.case.appeal_deadline {
                        Some(d) => format!(
                            "The application was refused: you may appeal until {}.",
                            crate::render::date(d)
                        ),
                        None => sentence.to_string(),
                    }
                } else {
                    sentence.to_string()
                }
            }
            None => self.standing(waiting),
        };
        for (c, label, anchor) in OTHERS {
            if self.can(c) && !links.iter().any(|(l, _)| *l == label) {
                links.push((label, anchor.to_string()));
            }
        }
        (sentence, links)
    }

    /// The teams whose advice is still owed, when advice was requested.
    fn waiting_for_advice(&self) -> Option<String> {
        let a = self.advice.as_ref()?;
        (!a.requested_teams.is_empty() && !a.missing.is_empty()).then(|| a.missing.join(", "))
    }

    /// Where the case stands when this viewer has nothing to do on it.
    fn standing(&self, waiting: Option<String>) -> String {
        let by = self.case.assigned_to.as_deref().unwrap_or("a caseworker");
        match self.case.status {
            CaseStatus::Draft => "This application is a draft: it has not been sent.".into(),
            CaseStatus::Submitted => "Submitted: waiting for a caseworker to take it.".into(),
            CaseStatus::UnderReview => match waiting {
                Some(w) => format!("Being assessed by {by}: waiting for advice ({w})."),
                None => format!("Being assessed by {by}."),
            },
            CaseStatus::AwaitingExporter => {
                "Waiting for the exporter to answer a question from the caseworker.".into()
            }
            CaseStatus::UnderFinalReview => "Waiting for a decision-maker's decision.".into(),
            CaseStatus::AwaitingCountersign => {
                "A decision is recorded and waits for a second decision-maker to countersign it."
                    .into()
            }
            CaseStatus::Finalised => match self.case.outcome.as_deref() {
                Some(o) => format!("Decided: {}. The outcome is below.", o.replace('_', " ")),
                None => "Decided. The outcome is below.".into(),
            },
            CaseStatus::Withdrawn => "Withdrawn by the exporter.".into(),
        }
    }

    /// "2c: <title>" for a criterion code.
    pub(super) fn criterion_title(&self, code: &str) -> String {
        match self.criteria.iter().find(|(c, _)| c == code) {
            Some((_, title)) => format!("{code}: {title}"),
            None => code.to_string(),
        }
    }
}
