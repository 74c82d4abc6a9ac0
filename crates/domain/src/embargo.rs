//! Arms embargoes: a destination, the regime that imposed it, the goods and end users it
//! covers (as a [`ScopeRule`]), and the days it is in force. Probity ships a starting set
//! (`data/embargoes.csv`, written in our own words from public sources); policy users add and
//! end embargoes in the application. An embargo in force applies to new applications
//! automatically.

use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::application::ValidationErrors;
use crate::control_list::split_csv_line;
use crate::country::CountryCode;
use crate::scope::{parse_scope_rule, ClausesInput, ScopeRule, Verdict};
use crate::text::{check_text, TextRule};
use crate::ScopeSubject;

const STARTING_SET_CSV: &str = include_str!("../data/embargoes.csv");

/// Who imposed an embargo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    Un,
    Uk,
    Eu,
    Osce,
}

impl Regime {
    pub const ALL: [Regime; 4] = [Self::Un, Self::Uk, Self::Eu, Self::Osce];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Un => "un",
            Self::Uk => "uk",
            Self::Eu => "eu",
            Self::Osce => "osce",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::Un => "UN",
            Self::Uk => "UK",
            Self::Eu => "EU",
            Self::Osce => "OSCE",
        }
    }

    pub fn parse(input: &str) -> Option<Regime> {
        let s = input.trim();
        Self::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Regime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

pub const EMBARGO_REFERENCE: TextRule = TextRule::new(5, 300, false);
pub const EMBARGO_SUMMARY: TextRule = TextRule::new(20, 2000, true);

/// An embargo, checked: its rule names its destination, and it ends after it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Embargo {
    pub destination: CountryCode,
    pub regime: Regime,
    pub reference: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub summary: String,
    pub rule: ScopeRule,
}

/// An embargo as typed (or as a line of the starting set).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EmbargoInput {
    pub destination: String,
    pub regime: String,
    pub reference: String,
    pub starts_on: String,
    pub ends_on: String,
    /// `military` (all military goods) or rating patterns, e.g. `ML1; ML2; ML10`.
    pub goods: String,
    /// Empty for everyone, else the end-user types covered (`commercial; individual; other`
    /// for an embargo on non-governmental entities).
    pub end_users: String,
    pub summary: String,
}

const DATE_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

impl EmbargoInput {
    pub fn parse(&self) -> Result<Embargo, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let destination = CountryCode::parse(&self.destination)
            .map_err(|e| errors.push("destination", e.to_string()))
            .ok();
        let regime = Regime::parse(&self.regime);
        if regime.is_none() {
            errors.push("regime", "choose UN, UK, EU or OSCE");
        }
        let reference = check_text(&self.reference, EMBARGO_REFERENCE)
            .map_err(|e| errors.push("reference", e.to_string()))
            .ok();
        let summary = check_text(&self.summary, EMBARGO_SUMMARY)
            .map_err(|e| errors.push("summary", e.to_string()))
            .ok();
        let date = |field: &str, text: &str, errors: &mut ValidationErrors| {
            Date::parse(text.trim(), DATE_FORMAT)
                .map_err(|_| {
                    errors.push(
                        field,
                        format!("{:?} is not a date: write it as 2024-09-02", text.trim()),
                    )
                })
                .ok()
        };
        let starts_on = date("starts_on", &self.starts_on, &mut errors);
        let ends_on = if self.ends_on.trim().is_empty() {
            None
        } else {
            date("ends_on", &self.ends_on, &mut errors)
        };
        if let (Some(start), Some(end)) = (starts_on, ends_on) {
            if end < start {
                errors.push(
                    "ends_on",
                    format!("the embargo cannot end ({end}) before it starts ({start})"),
                );
            }
        }
        let goods = self.goods.trim();
        let (rating_kinds, ratings) = if goods.eq_ignore_ascii_case("military") {
            ("military".to_string(), String::new())
        } else if goods.is_empty() {
            errors.push(
                "goods",
                "say which goods: \"military\" for all military goods, or rating patterns such as ML1; ML10",
            );
            (String::new(), String::new())
        } else {
            (String::new(), goods.to_string())
        };
        let clauses = ClausesInput {
            destinations: self.destination.clone(),
            rating_kinds,
            ratings,
            end_user_types: self.end_users.clone(),
            end_use: String::new(),
        };
        let rule = match parse_scope_rule(&clauses, &[]) {
            Ok(rule) => Some(rule),
            Err(rule_errors) => {
                for e in rule_errors.0 {
                    // Destination problems are already reported under their own field.
                    let field = match e.field.as_str() {
                        "destinations" => continue,
                        "ratings" | "rating_kinds" => "goods",
                        "end_user_types" => "end_users",
                        other => other,
                    };
                    errors.push(field, e.message);
                }
                None
            }
        };
        match (destination, regime, reference, summary, starts_on, rule) {
            (
                Some(destination),
                Some(regime),
                Some(reference),
                Some(summary),
                Some(starts_on),
                Some(rule),
            ) if errors.0.is_empty() => Ok(Embargo {
                destination,
                regime,
                reference: reference.to_string(),
                starts_on,
                ends_on,
                summary: summary.to_string(),
                rule,
            }),
            _ => Err(errors),
        }
    }
}

impl Embargo {
    /// In force on `day` (both ends inclusive).
    pub fn in_force_on(&self, day: Date) -> bool {
        self.starts_on <= day && self.ends_on.is_none_or(|end| day <= end)
    }

    /// Whether an application or licence falls under the embargo, and why.
    pub fn evaluate(&self, subject: &ScopeSubject) -> Verdict {
        self.rule.evaluate(subject)
    }
}

/// Why the starting set did not load (a bug in the shipped file, caught by its test).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("data/embargoes.csv line {line}: {message}")]
pub struct EmbargoDataError {
    pub line: usize,
    pub message: String,
}

/// Parses `destination,regime,reference,starts_on,ends_on,goods,end_users,summary` with a
/// header line.
pub fn embargoes_from_csv(text: &str) -> Result<Vec<Embargo>, EmbargoDataError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let err = |message: String| EmbargoDataError {
            line: i + 1,
            message,
        };
        if line.trim().is_empty() {
            continue;
        }
        let fields = split_csv_line(line).ok_or_else(|| err("unbalanced quotes".into()))?;
        let [destination, regime, reference, starts_on, ends_on, goods, end_users, summary] =
            <[String; 8]>::try_from(fields)
                .map_err(|f| err(format!("expected 8 fields, found {}", f.len())))?;
        let input = EmbargoInput {
            destination,
            regime,
            reference,
            starts_on,
            ends_on,
            goods,
            end_users,
            summary,
        };
        let embargo = input.parse().map_err(|e| {
            err(e
                .0
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; "))
        })?;
        out.push(embargo);
    }
    Ok(out)
}

/// The embargoes Probity ships with (see `data/README.md`).
pub fn starting_embargoes() -> &'static [Embargo] {
    static SET: LazyLock<Vec<Embargo>> = LazyLock::new(|| {
        // The file is compiled in and checked by the tests, so failure is a build defect.
        embargoes_from_csv(STARTING_SET_CSV).expect("shipped embargo set is valid")
    });
    &SET
}

#[cfg(test)]
#[path = "embargo_tests.rs"]
mod tests;
