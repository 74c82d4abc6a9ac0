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

/// What a final advice was consolidated from: the teams asked to advise and every current
/// piece of advice, by id. Advice is never edited in place (new advice supersedes the old with
/// a new id), so the ids stand for the content. The final advice stores the fingerprint it was
/// built from; submission for decision, finalisation and countersigning recompute it from the
/// advice current in their own transaction and refuse when the two differ, so a final advice
/// can never outlive the advice it summarises.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AdviceFingerprint(String);

impl AdviceFingerprint {
    /// Domain separation, so the hash cannot be mistaken for any other hash we compute.
    const TAG: &'static [u8] = b"probity/advice-set/v1\n";

    /// The fingerprint of an advice set. Order does not matter; duplicates count once.
    pub fn of<'a>(
        teams: impl IntoIterator<Item = &'a str>,
        advice: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        use sha2::{Digest, Sha256};
        let sorted = |items: &mut dyn Iterator<Item = &'a str>| {
            let mut v: Vec<&str> = items.collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let mut h = Sha256::new();
        h.update(Self::TAG);
        // Each id on its own line with its kind: ids are UUID text, so no line can contain
        // a newline and the encoding is unambiguous.
        for t in sorted(&mut teams.into_iter()) {
            h.update(b"team ");
            h.update(t.as_bytes());
            h.update(b"\n");
        }
        for a in sorted(&mut advice.into_iter()) {
            h.update(b"advice ");
            h.update(a.as_bytes());
            h.update(b"\n");
        }
        // A SHA-256 digest is as long as a commitment salt: reuse its hex writer.
        Self(crate::commitment::salt_hex(&h.finalize().into()))
    }

    /// A fingerprint as stored.
    pub fn from_stored(text: &str) -> Self {
        Self(text.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
#[path = "advice_tests.rs"]
mod tests;
