//! Answering a dissent: a verdict on every point, with reasons that cite one of the dissent's
//! criteria or the evidence, and what the answer changed. Every problem is reported, one
//! message per point, so "we have noted your concern" is refused in words the responder can act on.
use serde::{Deserialize, Serialize};

use crate::application::FieldError;
use crate::case::str_enum;
use crate::criteria::CriterionCode;
use crate::dissent::{problem, Point};
use crate::text::{check_text, TextRule};

const ANSWER_REASONS: TextRule = TextRule::new(40, 5000, true);

/// The answer to one point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointVerdict {
    Accepted,
    PartlyAccepted,
    NotAccepted,
}

impl PointVerdict {
    pub const ALL: [PointVerdict; 3] = [Self::Accepted, Self::PartlyAccepted, Self::NotAccepted];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::PartlyAccepted => "partly_accepted",
            Self::NotAccepted => "not_accepted",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::Accepted => "Accepted",
            Self::PartlyAccepted => "Partly accepted",
            Self::NotAccepted => "Not accepted",
        }
    }
}
str_enum!(PointVerdict, "point verdict");

/// What the answer changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerAction {
    DecisionChanged,
    AdviceOrAssessmentUpdated,
    NoChange,
}

impl AnswerAction {
    pub const ALL: [AnswerAction; 3] = [
        Self::DecisionChanged,
        Self::AdviceOrAssessmentUpdated,
        Self::NoChange,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::DecisionChanged => "decision_changed",
            Self::AdviceOrAssessmentUpdated => "advice_or_assessment_updated",
            Self::NoChange => "no_change",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::DecisionChanged => "Decision changed",
            Self::AdviceOrAssessmentUpdated => "Advice or assessment updated",
            Self::NoChange => "No change",
        }
    }
}
str_enum!(AnswerAction, "answer action");

/// One point's answer as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct PointAnswerInput {
    pub number: u32,
    pub verdict: String,
    pub reasons: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointAnswer {
    pub number: u32,
    pub verdict: PointVerdict,
    pub reasons: String,
}

/// Whether `reasons` cite one of `criteria` (as "2c", "2(c)" or "criterion 2c") or the
/// evidence. "We have noted your concern" cites neither.
fn cites(reasons: &str, criteria: &[CriterionCode]) -> bool {
    let folded: String = reasons
        .to_lowercase()
        .chars()
        .filter(|c| !matches!(c, '(' | ')'))
        .collect();
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.contains(&"evidence")
        || criteria
            .iter()
            .any(|c| words.contains(&c.as_str().to_lowercase().as_str()))
}

/// Check an answer against the dissent's points: every point answered once, with a verdict
/// and reasons of substance that cite the criteria or the evidence, and the action taken.
/// Every problem is reported, one message per point.
pub fn check_answer(
    points: &[Point],
    criteria: &[CriterionCode],
    answers: &[PointAnswerInput],
    action: &str,
) -> Result<(Vec<PointAnswer>, AnswerAction), Vec<FieldError>> {
    let mut problems = Vec::new();
    for a in answers {
        if !points.iter().any(|p| p.number == a.number) {
            problems.push(problem(
                format!("point_{}", a.number),
                format!("there is no point {} in this dissent", a.number),
            ));
        }
    }
    let cite_hint = {
        let codes: Vec<&str> = criteria.iter().map(|c| c.as_str()).collect();
        format!("cite criterion {} or the evidence", codes.join(" or "))
    };
    let mut checked = Vec::new();
    for p in points {
        let field = format!("point_{}", p.number);
        let given: Vec<&PointAnswerInput> =
            answers.iter().filter(|a| a.number == p.number).collect();
        let a = match given.as_slice() {
            [] => {
                problems.push(problem(&field, format!("point {}: not answered", p.number)));
                continue;
            }
            [a] => *a,
            _ => {
                problems.push(problem(
                    &field,
                    format!("point {}: answered more than once", p.number),
                ));
                continue;
            }
        };
        let verdict = a.verdict.parse::<PointVerdict>().ok();
        if verdict.is_none() {
            problems.push(problem(
                &field,
                format!(
                    "point {}: say whether it is accepted, partly accepted or not accepted",
                    p.number
                ),
            ));
        }
        let reasons = match check_text(&a.reasons, ANSWER_REASONS) {
            Ok(r) if cites(r, criteria) => Some(r.to_string()),
            Ok(_) => {
                problems.push(problem(
                    &field,
                    format!("point {}: the reasons must {cite_hint}", p.number),
                ));
                None
            }
            Err(e) => {
                problems.push(problem(&field, format!("point {}: reasons: {e}", p.number)));
                None
            }
        };
        if let (Some(verdict), Some(reasons)) = (verdict, reasons) {
            checked.push(PointAnswer {
                number: p.number,
                verdict,
                reasons,
            });
        }
    }
    let action = action.parse::<AnswerAction>().ok();
    if action.is_none() {
        problems.push(problem(
            "action",
            "say what the answer changed: the decision, the advice or assessment, or nothing",
        ));
    }
    match action {
        Some(action) if problems.is_empty() => Ok((checked, action)),
        _ => Err(problems),
    }
}
