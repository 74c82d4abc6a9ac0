//! What changed between two versions of an assessment: the finding, each scope clause (values
//! added and removed), the exclusions (by name), and the text fields line by line — so anyone
//! reading an assessment's history sees exactly what a new version said differently.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use crate::assessment::{Assessment, Finding};
use crate::scope::{Clause, Clauses, Exclusion};

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct AssessmentDiff {
    pub finding: Option<(Finding, Finding)>,
    pub scope: Vec<ClauseChange>,
    pub exclusions_added: Vec<String>,
    pub exclusions_removed: Vec<String>,
    /// Exclusions kept under the same name whose conditions changed.
    pub exclusions_changed: Vec<String>,
    pub text: Vec<TextChange>,
}

impl AssessmentDiff {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Values a clause gained and lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClauseChange {
    pub clause: Clause,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

/// A text field's line diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextChange {
    pub field: &'static str,
    pub lines: Vec<DiffLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "tag", content = "text", rename_all = "snake_case")]
pub enum DiffLine {
    Same(String),
    Added(String),
    Removed(String),
}

/// A clause's values as text, in their stored order.
pub fn values(clauses: &Clauses, clause: Clause) -> Vec<String> {
    match clause {
        Clause::Destinations => clauses
            .destinations
            .iter()
            .map(|c| c.as_str().to_string())
            .collect(),
        Clause::RatingKinds => clauses
            .rating_kinds
            .iter()
            .map(|k| k.as_str().to_string())
            .collect(),
        Clause::Ratings => clauses.ratings.iter().map(ToString::to_string).collect(),
        Clause::EndUserTypes => clauses
            .end_user_types
            .iter()
            .map(|t| t.as_str().to_string())
            .collect(),
        Clause::EndUse => clauses
            .end_use
            .iter()
            .map(|p| p.as_str().to_string())
            .collect(),
    }
}

pub(crate) const CLAUSES: [Clause; 5] = [
    Clause::Destinations,
    Clause::RatingKinds,
    Clause::Ratings,
    Clause::EndUserTypes,
    Clause::EndUse,
];

fn clause_changes(old: &Clauses, new: &Clauses) -> Vec<ClauseChange> {
    CLAUSES
        .into_iter()
        .filter_map(|clause| {
            let (before, after) = (values(old, clause), values(new, clause));
            let added: Vec<String> = after
                .iter()
                .filter(|v| !before.contains(v))
                .cloned()
                .collect();
            let removed: Vec<String> = before
                .iter()
                .filter(|v| !after.contains(v))
                .cloned()
                .collect();
            (!added.is_empty() || !removed.is_empty()).then_some(ClauseChange {
                clause,
                added,
                removed,
            })
        })
        .collect()
}

fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    // A last line without its newline would otherwise differ from the same line with one.
    let ended = |s: &str| {
        let mut s = s.replace("\r\n", "\n");
        if !s.ends_with('\n') {
            s.push('\n');
        }
        s
    };
    let (old, new) = (ended(old), ended(new));
    TextDiff::from_lines(&old, &new)
        .iter_all_changes()
        .map(|change| {
            let line = change.value().trim_end_matches(['\n', '\r']).to_string();
            match change.tag() {
                ChangeTag::Equal => DiffLine::Same(line),
                ChangeTag::Insert => DiffLine::Added(line),
                ChangeTag::Delete => DiffLine::Removed(line),
            }
        })
        .collect()
}

fn names(exclusions: &[Exclusion]) -> impl Iterator<Item = &str> {
    exclusions.iter().map(|e| e.name.as_str())
}

/// The changes from `old` to `new`.
pub fn diff(old: &Assessment, new: &Assessment) -> AssessmentDiff {
    let (old_ex, new_ex) = (old.rule.exclusions(), new.rule.exclusions());
    let text = [
        ("evidence", &old.evidence, &new.evidence),
        ("reasons", &old.reasons, &new.reasons),
        ("legal_basis", &old.legal_basis, &new.legal_basis),
        ("public_summary", &old.public_summary, &new.public_summary),
    ]
    .into_iter()
    .filter(|(_, a, b)| a != b)
    .map(|(field, a, b)| TextChange {
        field,
        lines: line_diff(a, b),
    })
    .collect();
    AssessmentDiff {
        finding: (old.finding != new.finding).then_some((old.finding, new.finding)),
        scope: clause_changes(old.rule.applies(), new.rule.applies()),
        exclusions_added: names(new_ex)
            .filter(|n| !names(old_ex).any(|o| o == *n))
            .map(str::to_string)
            .collect(),
        exclusions_removed: names(old_ex)
            .filter(|n| !names(new_ex).any(|o| o == *n))
            .map(str::to_string)
            .collect(),
        exclusions_changed: new_ex
            .iter()
            .filter(|e| old_ex.iter().any(|o| o.name == e.name && o.when != e.when))
            .map(|e| e.name.clone())
            .collect(),
        text,
    }
}
