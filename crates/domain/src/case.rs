//! Cases, their licence types and the status graph. `next_status` is the single place that
//! says which action may move a case from which status; the service layer asks it before
//! every state change.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::reference::ReferencePrefix;

/// A string did not name a known value of some enum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

impl UnknownValue {
    pub(crate) fn new(kind: &'static str, value: &str) -> Self {
        Self {
            kind,
            value: value.chars().take(40).collect(),
        }
    }
}

/// Implements `as_str`-based `Display` and `FromStr` for a fieldless enum with an `ALL` list.
macro_rules! str_enum {
    ($ty:ty, $kind:literal) => {
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::case::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let s = s.trim();
                Self::ALL
                    .into_iter()
                    .find(|v| v.as_str().eq_ignore_ascii_case(s))
                    .ok_or_else(|| $crate::case::UnknownValue::new($kind, s))
            }
        }
    };
}
pub(crate) use str_enum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenceType {
    #[serde(rename = "siel")]
    StandardIndividual,
    #[serde(rename = "oiel")]
    OpenIndividual,
}

impl LicenceType {
    pub const ALL: [LicenceType; 2] = [Self::StandardIndividual, Self::OpenIndividual];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::StandardIndividual => "siel",
            Self::OpenIndividual => "oiel",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::StandardIndividual => "Standard individual export licence",
            Self::OpenIndividual => "Open individual export licence",
        }
    }

    /// How long a licence of this type is valid unless the decision says otherwise.
    pub const fn default_validity_months(self) -> u32 {
        match self {
            Self::StandardIndividual => 24,
            Self::OpenIndividual => 60,
        }
    }

    pub const fn reference_prefix(self) -> ReferencePrefix {
        match self {
            Self::StandardIndividual => ReferencePrefix::Siel,
            Self::OpenIndividual => ReferencePrefix::Oiel,
        }
    }
}
str_enum!(LicenceType, "licence type");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    Application,
    Appeal,
}

impl CaseKind {
    pub const ALL: [CaseKind; 2] = [Self::Application, Self::Appeal];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Application => "application",
            Self::Appeal => "appeal",
        }
    }
}
str_enum!(CaseKind, "case kind");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Draft,
    Submitted,
    UnderReview,
    AwaitingExporter,
    UnderFinalReview,
    AwaitingCountersign,
    Finalised,
    Withdrawn,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 8] = [
        Self::Draft,
        Self::Submitted,
        Self::UnderReview,
        Self::AwaitingExporter,
        Self::UnderFinalReview,
        Self::AwaitingCountersign,
        Self::Finalised,
        Self::Withdrawn,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::UnderReview => "under_review",
            Self::AwaitingExporter => "awaiting_exporter",
            Self::UnderFinalReview => "under_final_review",
            Self::AwaitingCountersign => "awaiting_countersign",
            Self::Finalised => "finalised",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Submitted => "Submitted",
            Self::UnderReview => "Under review",
            Self::AwaitingExporter => "Awaiting exporter",
            Self::UnderFinalReview => "Under final review",
            Self::AwaitingCountersign => "Awaiting countersignature",
            Self::Finalised => "Finalised",
            Self::Withdrawn => "Withdrawn",
        }
    }

    /// Completes "a case that is …" in messages.
    const fn phrase(self) -> &'static str {
        match self {
            Self::Draft => "a draft",
            Self::Submitted => "submitted",
            Self::UnderReview => "under review",
            Self::AwaitingExporter => "awaiting the exporter",
            Self::UnderFinalReview => "under final review",
            Self::AwaitingCountersign => "awaiting countersignature",
            Self::Finalised => "finalised",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// No action leaves these statuses.
    pub const fn is_terminal(self) -> bool {
        matches!(self, Self::Finalised | Self::Withdrawn)
    }

    /// The actions `next_status` accepts from this status.
    pub fn allowed_actions(self) -> Vec<CaseAction> {
        CaseAction::ALL
            .into_iter()
            .filter(|a| next_status(self, *a).is_ok())
            .collect()
    }
}
str_enum!(CaseStatus, "case status");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseAction {
    EditDraft,
    Submit,
    Assign,
    AskExporter,
    ExporterResponds,
    RequestAdvice,
    GiveAdvice,
    SubmitForDecision,
    ReturnToCaseworker,
    Finalise,
    FinaliseForCountersign,
    Countersign,
    Withdraw,
}

impl CaseAction {
    pub const ALL: [CaseAction; 13] = [
        Self::EditDraft,
        Self::Submit,
        Self::Assign,
        Self::AskExporter,
        Self::ExporterResponds,
        Self::RequestAdvice,
        Self::GiveAdvice,
        Self::SubmitForDecision,
        Self::ReturnToCaseworker,
        Self::Finalise,
        Self::FinaliseForCountersign,
        Self::Countersign,
        Self::Withdraw,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::EditDraft => "edit_draft",
            Self::Submit => "submit",
            Self::Assign => "assign",
            Self::AskExporter => "ask_exporter",
            Self::ExporterResponds => "exporter_responds",
            Self::RequestAdvice => "request_advice",
            Self::GiveAdvice => "give_advice",
            Self::SubmitForDecision => "submit_for_decision",
            Self::ReturnToCaseworker => "return_to_caseworker",
            Self::Finalise => "finalise",
            Self::FinaliseForCountersign => "finalise_for_countersign",
            Self::Countersign => "countersign",
            Self::Withdraw => "withdraw",
        }
    }

    /// Completes "cannot … a case that is …" in messages.
    pub const fn verb(self) -> &'static str {
        match self {
            Self::EditDraft => "edit",
            Self::Submit => "submit",
            Self::Assign => "assign",
            Self::AskExporter => "ask the exporter about",
            Self::ExporterResponds => "record an exporter's response on",
            Self::RequestAdvice => "request advice on",
            Self::GiveAdvice => "give advice on",
            Self::SubmitForDecision => "submit for decision",
            Self::ReturnToCaseworker => "return to the caseworker",
            Self::Finalise => "finalise",
            Self::FinaliseForCountersign => "send for countersigning",
            Self::Countersign => "countersign",
            Self::Withdraw => "withdraw",
        }
    }
}
str_enum!(CaseAction, "case action");

/// An action that the status graph does not allow from the case's current status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub struct TransitionError {
    pub from: CaseStatus,
    pub action: CaseAction,
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot {} a case that is {}",
            self.action.verb(),
            self.from.phrase()
        )
    }
}

/// The case status graph.
pub fn next_status(from: CaseStatus, action: CaseAction) -> Result<CaseStatus, TransitionError> {
    use CaseAction as A;
    use CaseStatus as S;
    let to = match (action, from) {
        (A::EditDraft, S::Draft) => S::Draft,
        (A::Submit, S::Draft) => S::Submitted,
        (A::Assign, S::Submitted | S::UnderReview) => S::UnderReview,
        (A::AskExporter, S::UnderReview) => S::AwaitingExporter,
        (A::ExporterResponds, S::AwaitingExporter) => S::UnderReview,
        (A::RequestAdvice | A::GiveAdvice, S::UnderReview) => S::UnderReview,
        (A::SubmitForDecision, S::UnderReview) => S::UnderFinalReview,
        (A::ReturnToCaseworker, S::UnderFinalReview | S::AwaitingCountersign) => S::UnderReview,
        (A::Finalise, S::UnderFinalReview) => S::Finalised,
        (A::FinaliseForCountersign, S::UnderFinalReview) => S::AwaitingCountersign,
        (A::Countersign, S::AwaitingCountersign) => S::Finalised,
        (A::Withdraw, S::Submitted | S::UnderReview | S::AwaitingExporter) => S::Withdrawn,
        _ => return Err(TransitionError { from, action }),
    };
    Ok(to)
}

#[cfg(test)]
#[path = "case_tests.rs"]
mod tests;
