//! Advice and its consolidation. Advisers give advice per case at user, team and final level;
//! `consolidate` combines the advice of one level into a single outcome, using LITE's rules as
//! the floor: a refusal next to an approval is never silently resolved, it is `Conflicting`.

use serde::{Deserialize, Serialize};

use crate::case::str_enum;
use crate::criteria::CriterionCode;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum AdviceKind {
    Approve,
    /// Approve on a condition, stated as text.
    Proviso(String),
    /// Refuse, citing the criteria that apply.
    Refuse(Vec<CriterionCode>),
    NoLicenceRequired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdviceLevel {
    User,
    Team,
    Final,
}

impl AdviceLevel {
    pub const ALL: [AdviceLevel; 3] = [Self::User, Self::Team, Self::Final];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Team => "team",
            Self::Final => "final",
        }
    }
}
str_enum!(AdviceLevel, "advice level");

/// The combined outcome of a set of advice.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Consolidated {
    Approve,
    Proviso(Vec<String>),
    Refuse(Vec<CriterionCode>),
    NoLicenceRequired,
    /// Someone would refuse and someone would approve: a person must resolve it.
    Conflicting,
    Empty,
}

impl Consolidated {
    /// The advice this outcome amounts to, to feed the next level. `None` for `Conflicting`,
    /// which must be resolved by a person before it can be passed on.
    pub fn into_advice(self) -> Option<Vec<AdviceKind>> {
        Some(match self {
            Self::Approve => vec![AdviceKind::Approve],
            Self::Proviso(texts) => texts.into_iter().map(AdviceKind::Proviso).collect(),
            Self::Refuse(criteria) => vec![AdviceKind::Refuse(criteria)],
            Self::NoLicenceRequired => vec![AdviceKind::NoLicenceRequired],
            Self::Empty => Vec::new(),
            Self::Conflicting => return None,
        })
    }
}

/// Combines advice:
/// - no advice → `Empty`; only "no licence required" → `NoLicenceRequired`;
/// - approvals and provisos only → `Proviso` (every distinct proviso, first-seen order) or,
///   without provisos, `Approve`; "no licence required" alongside them is outweighed, since
///   someone judged that a licence is needed;
/// - refusals only (with or without "no licence required") → `Refuse` with the union of the
///   cited criteria, deduplicated and in code order;
/// - any refusal with any approval or proviso → `Conflicting`.
///
/// Proviso texts are trimmed; a blank proviso imposes nothing and counts as an approval.
pub fn consolidate(items: &[AdviceKind]) -> Consolidated {
    if items.is_empty() {
        return Consolidated::Empty;
    }
    let mut approves = false;
    let mut provisos: Vec<String> = Vec::new();
    let mut refused = false;
    let mut criteria: Vec<CriterionCode> = Vec::new();
    for item in items {
        match item {
            AdviceKind::Approve => approves = true,
            AdviceKind::Proviso(text) => {
                let text = text.trim();
                if text.is_empty() {
                    approves = true;
                } else if !provisos.iter().any(|p| p == text) {
                    provisos.push(text.to_string());
                }
            }
            AdviceKind::Refuse(cited) => {
                refused = true;
                criteria.extend(cited.iter().cloned());
            }
            AdviceKind::NoLicenceRequired => {}
        }
    }
    let licensable = approves || !provisos.is_empty();
    match (refused, licensable) {
        (true, true) => Consolidated::Conflicting,
        (true, false) => {
            criteria.sort();
            criteria.dedup();
            Consolidated::Refuse(criteria)
        }
        (false, true) if provisos.is_empty() => Consolidated::Approve,
        (false, true) => Consolidated::Proviso(provisos),
        (false, false) => Consolidated::NoLicenceRequired,
    }
}

#[cfg(test)]
#[path = "advice_tests.rs"]
mod tests;
