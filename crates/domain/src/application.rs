//! Applications: the raw input that forms and JSON deliver, the validated `Application`, and
//! the rules between them. Validation collects every error with a field path
//! (`goods[0].ratings[1]`) so a form can show them all at once.

use serde::{Deserialize, Serialize};

use crate::case::{str_enum, LicenceType};
use crate::control_list::{ControlList, Rating};
use crate::country::CountryCode;
use crate::money::{Currency, Money};

pub const MAX_GOODS_LINES: usize = 200;
pub const MAX_PARTIES: usize = 100;
pub const MAX_RATINGS_PER_LINE: usize = 20;
pub const MAX_QUANTITY: u64 = 1_000_000_000;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    Consignee,
    #[default]
    EndUser,
    UltimateEndUser,
    ThirdParty,
}

impl PartyRole {
    pub const ALL: [PartyRole; 4] = [
        Self::Consignee,
        Self::EndUser,
        Self::UltimateEndUser,
        Self::ThirdParty,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Consignee => "consignee",
            Self::EndUser => "end_user",
            Self::UltimateEndUser => "ultimate_end_user",
            Self::ThirdParty => "third_party",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::Consignee => "Consignee",
            Self::EndUser => "End user",
            Self::UltimateEndUser => "Ultimate end user",
            Self::ThirdParty => "Third party",
        }
    }
}
str_enum!(PartyRole, "party role");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndUserType {
    Government,
    ArmedForces,
    Commercial,
    Individual,
    Other,
}

impl EndUserType {
    pub const ALL: [EndUserType; 5] = [
        Self::Government,
        Self::ArmedForces,
        Self::Commercial,
        Self::Individual,
        Self::Other,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Government => "government",
            Self::ArmedForces => "armed_forces",
            Self::Commercial => "commercial",
            Self::Individual => "individual",
            Self::Other => "other",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::Government => "Government",
            Self::ArmedForces => "Armed forces",
            Self::Commercial => "Commercial",
            Self::Individual => "Individual",
            Self::Other => "Other",
        }
    }

    /// Accepts the code (`armed_forces`) or the label (`Armed forces`), in any case.
    pub fn parse(input: &str) -> Option<EndUserType> {
        let s = input.trim();
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s) || t.label().eq_ignore_ascii_case(s))
    }
}
str_enum!(EndUserType, "end-user type");

/// One goods line as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GoodsLineInput {
    pub description: String,
    pub ratings: Vec<String>,
    pub quantity: String,
    pub unit: String,
    pub value: String,
    pub incorporated: bool,
}

/// One party as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PartyInput {
    pub role: PartyRole,
    pub name: String,
    pub address: String,
    pub country: String,
    /// Only for the end user.
    pub end_user_type: Option<String>,
}

/// A whole application as typed; also the shape of a saved draft.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationInput {
    pub licence_type: String,
    pub goods: Vec<GoodsLineInput>,
    pub parties: Vec<PartyInput>,
    pub end_use_statement: String,
}

impl ApplicationInput {
    /// The sections a draft still lacks, in the form's order (the drafts list shows them; the
    /// full check of each value happens on submission).
    pub fn missing(&self) -> Vec<&'static str> {
        let blank = |s: &str| s.trim().is_empty();
        let named = |role: PartyRole| {
            self.parties
                .iter()
                .any(|p| p.role == role && !blank(&p.name) && !blank(&p.country))
        };
        let mut out = Vec::new();
        if blank(&self.licence_type) {
            out.push("type of licence");
        }
        if !self.goods.iter().any(|g| !blank(&g.description)) {
            out.push("goods");
        }
        if !named(PartyRole::EndUser) {
            out.push("end user");
        }
        if !named(PartyRole::Consignee) {
            out.push("consignee");
        }
        if blank(&self.end_use_statement) {
            out.push("end use");
        }
        out
    }

    /// Nothing typed but the licence type: no draft is made of it (an empty form submitted
    /// again and again would otherwise leave one empty draft each time).
    pub fn is_blank(&self) -> bool {
        let blank = |s: &str| s.trim().is_empty();
        self.goods.iter().all(|g| {
            blank(&g.description)
                && g.ratings.iter().all(|r| blank(r))
                && blank(&g.quantity)
                && blank(&g.value)
        }) && self
            .parties
            .iter()
            .all(|p| blank(&p.name) && blank(&p.address))
            && blank(&self.end_use_statement)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoodsLine {
    pub description: String,
    pub ratings: Vec<Rating>,
    pub quantity: u64,
    pub unit: String,
    pub value: Money,
    pub incorporated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub role: PartyRole,
    pub name: String,
    pub address: String,
    pub country: CountryCode,
    pub end_user_type: Option<EndUserType>,
}

/// A complete application that passed `validate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub licence_type: LicenceType,
    pub goods: Vec<GoodsLine>,
    pub parties: Vec<Party>,
    pub end_use_statement: String,
}

impl Application {
    /// Countries of the end user and ultimate end users, deduplicated, in code order.
    pub fn destinations(&self) -> Vec<CountryCode> {
        let mut out: Vec<CountryCode> = self
            .parties
            .iter()
            .filter(|p| matches!(p.role, PartyRole::EndUser | PartyRole::UltimateEndUser))
            .map(|p| p.country)
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Sum of the goods values (GBP). Saturates rather than overflowing, though the line and
    /// count limits keep real totals far below `i64::MAX`.
    pub fn total_value(&self) -> Money {
        let minor = self
            .goods
            .iter()
            .fold(0i64, |sum, g| sum.saturating_add(g.value.minor));
        Money::gbp(minor)
    }

    pub fn end_user(&self) -> Option<&Party> {
        self.parties.iter().find(|p| p.role == PartyRole::EndUser)
    }
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Every problem found in an input, in field order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, thiserror::Error)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Messages for one field path.
    pub fn for_field(&self, field: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
            .collect()
    }
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

/// Whether absent values are errors (`Complete`) or allowed (`Draft`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Complete,
    Draft,
}

/// Validates a complete application, collecting every error.
pub fn validate(
    input: &ApplicationInput,
    list: &ControlList,
) -> Result<Application, ValidationErrors> {
    crate::application_rules::validate_complete(input, list)
}

/// Checks a draft: missing values are fine, but every value that is present must be valid, so
/// a draft can be saved incomplete and never holds an unknown rating or country. Returns the
/// draft with present values in canonical form (ratings, countries, trimmed text).
pub fn validate_draft(
    input: &ApplicationInput,
    list: &ControlList,
) -> Result<ApplicationInput, ValidationErrors> {
    crate::application_rules::validate_draft(input, list)
}

/// Parses a goods value in GBP; shared by both modes.
pub(crate) fn parse_value(text: &str) -> Result<Money, String> {
    Money::parse_major(text, Currency::Gbp).map_err(|e| e.to_string())
}

#[cfg(test)]
#[path = "application_tests.rs"]
mod tests;
