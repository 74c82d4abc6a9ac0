//! The application as a task list, and its supporting documents. A section's state is derived
//! from the one validation of a complete application (`validate`): a section is completed when
//! it has content and the validation raises nothing against its fields. No second copy of the
//! rules exists here.
use serde::{Deserialize, Serialize};

use crate::case::{str_enum, CaseStatus};
use crate::{validate, ApplicationInput, ControlList};

/// The sections of an application, in the order the exporter fills them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApplicationSection {
    LicenceType,
    Goods,
    Parties,
    EndUse,
    Documents,
}

impl ApplicationSection {
    pub const ALL: [ApplicationSection; 5] = [
        ApplicationSection::LicenceType,
        ApplicationSection::Goods,
        ApplicationSection::Parties,
        ApplicationSection::EndUse,
        ApplicationSection::Documents,
    ];

    /// The path segment of the section's page.
    pub const fn as_str(self) -> &'static str {
        match self {
            ApplicationSection::LicenceType => "licence-type",
            ApplicationSection::Goods => "goods",
            ApplicationSection::Parties => "parties",
            ApplicationSection::EndUse => "end-use",
            ApplicationSection::Documents => "documents",
        }
    }

    pub const fn title(self) -> &'static str {
        match self {
            ApplicationSection::LicenceType => "Type of licence",
            ApplicationSection::Goods => "Goods",
            ApplicationSection::Parties => "Parties and destinations",
            ApplicationSection::EndUse => "End use",
            ApplicationSection::Documents => "Supporting documents",
        }
    }

    /// The section a validation error's field belongs to ("goods[0].ratings[1]" → goods).
    pub fn of_field(field: &str) -> Option<ApplicationSection> {
        let head = field.split(['[', '.']).next().unwrap_or(field);
        match head {
            "licence_type" => Some(ApplicationSection::LicenceType),
            "goods" => Some(ApplicationSection::Goods),
            "parties" => Some(ApplicationSection::Parties),
            "end_use_statement" => Some(ApplicationSection::EndUse),
            _ => None,
        }
    }

    /// Sections whose answers are part of the application (documents are kept beside it).
    pub const fn is_answered_in_form(self) -> bool {
        !matches!(self, ApplicationSection::Documents)
    }
}
str_enum!(ApplicationSection, "section");

/// Where a section stands, in the task-list pattern's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionState {
    NotStarted,
    InProgress,
    Completed,
    /// Nothing is required, nothing given yet (documents).
    Optional,
}

impl SectionState {
    pub const fn label(self) -> &'static str {
        match self {
            SectionState::NotStarted => "Not yet started",
            SectionState::InProgress => "Incomplete",
            SectionState::Completed => "Completed",
            SectionState::Optional => "Optional",
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            SectionState::NotStarted => "not_started",
            SectionState::InProgress => "in_progress",
            SectionState::Completed => "completed",
            SectionState::Optional => "optional",
        }
    }
}

/// Every section's state, in order, and whether the application may go on to be checked and
/// submitted (every form section completed).
pub fn section_states(
    input: &ApplicationInput,
    list: &ControlList,
    documents: usize,
) -> (Vec<(ApplicationSection, SectionState)>, bool) {
    let errors = match validate(input, list) {
        Ok(_) => Vec::new(),
        Err(e) => e.0,
    };
    let blank = |s: &str| s.trim().is_empty();
    let started = |s: ApplicationSection| match s {
        ApplicationSection::LicenceType => !blank(&input.licence_type),
        ApplicationSection::Goods => input.goods.iter().any(|g| {
            !blank(&g.description)
                || g.ratings.iter().any(|r| !blank(r))
                || !blank(&g.quantity)
                || !blank(&g.value)
        }),
        ApplicationSection::Parties => input
            .parties
            .iter()
            .any(|p| !blank(&p.name) || !blank(&p.address) || !blank(&p.country)),
        ApplicationSection::EndUse => !blank(&input.end_use_statement),
        ApplicationSection::Documents => documents > 0,
    };
    let states: Vec<(ApplicationSection, SectionState)> = ApplicationSection::ALL
        .into_iter()
        .map(|s| {
            let state = if s == ApplicationSection::Documents {
                if documents > 0 {
                    SectionState::Completed
                } else {
                    SectionState::Optional
                }
            } else if !started(s) {
                SectionState::NotStarted
            } else if errors
                .iter()
                .any(|e| ApplicationSection::of_field(&e.field) == Some(s))
            {
                SectionState::InProgress
            } else {
                SectionState::Completed
            };
            (s, state)
        })
        .collect();
    let ready = errors.is_empty();
    (states, ready)
}

/// The declaration an exporter makes on submitting. Its version is kept with the submission,
/// so what was declared can be shown later even if the words change.
pub const DECLARATION_VERSION: &str = "2026-12";
pub const DECLARATION_TEXT: &str = "I declare that the information in this application is \
    correct and complete to the best of my knowledge, that I will tell the licensing authority \
    at once if it changes, and that I understand that giving false information is an offence.";

/// The kinds of supporting document an exporter gives or a caseworker asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    EndUserUndertaking,
    TechnicalSpecification,
    ContractOrOrder,
    Other,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 4] = [
        DocumentKind::EndUserUndertaking,
        DocumentKind::TechnicalSpecification,
        DocumentKind::ContractOrOrder,
        DocumentKind::Other,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            DocumentKind::EndUserUndertaking => "end_user_undertaking",
            DocumentKind::TechnicalSpecification => "technical_specification",
            DocumentKind::ContractOrOrder => "contract_or_order",
            DocumentKind::Other => "other",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            DocumentKind::EndUserUndertaking => "End-user undertaking",
            DocumentKind::TechnicalSpecification => "Technical specification",
            DocumentKind::ContractOrOrder => "Contract or purchase order",
            DocumentKind::Other => "Other document",
        }
    }

    pub const fn hint(self) -> &'static str {
        match self {
            DocumentKind::EndUserUndertaking => {
                "Signed by the end user: what the goods are for and that they will not be re-exported"
            }
            DocumentKind::TechnicalSpecification => {
                "Data sheet or specification showing the performance that decides the rating"
            }
            DocumentKind::ContractOrOrder => "The contract, letter of intent or purchase order",
            DocumentKind::Other => "Anything else that supports the application",
        }
    }
}
str_enum!(DocumentKind, "document kind");

/// The exporter may add documents to a draft and to a case not yet decided.
pub const fn may_add_documents(status: CaseStatus) -> bool {
    !status.is_terminal()
}

/// A document may be taken off only while the application is a draft: once submitted, what
/// the case was decided on stays with it.
pub const fn may_remove_documents(status: CaseStatus) -> bool {
    matches!(status, CaseStatus::Draft)
}

/// A caseworker may ask for a document on a submitted case not yet decided.
pub const fn may_request_documents(status: CaseStatus) -> bool {
    !matches!(status, CaseStatus::Draft) && !status.is_terminal()
}

#[cfg(test)]
#[path = "task_list_tests.rs"]
mod tests;
