//! Scope rules: which licences and applications a destination assessment or an embargo is
//! about. A rule is data (stored as JSON, typed by policy users in a form) and evaluated here,
//! purely, with an explanation: for any licence the system can say which clause matched, with
//! which value, or which exclusion took it out of scope.
//!
//! Semantics: a subject is in scope when *every* clause the rule states matches (a clause lists
//! alternatives, any one of which will do) and no exclusion matches. An exclusion states its own
//! clauses, all of which must match for it to apply. A clause left empty places no condition.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::application::{Application, EndUserType, FieldError, ValidationErrors};
use crate::control_list::{Rating, RatingKind};
use crate::country::CountryCode;
use crate::text::{check_text, TextRule};

/// A pattern over control-list ratings. `ML10` matches ML10 and every sub-item under it
/// (`ML10.b`, `ML10.b.1`) but not `ML1` or `ML100`; `=ML10` matches `ML10` alone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RatingPattern {
    rating: Rating,
    exact: bool,
}

impl RatingPattern {
    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        let (exact, code) = match trimmed.strip_prefix('=') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let rating = Rating::try_from(code.to_string()).map_err(|_| {
            format!(
                "{:?} is not a control-list rating pattern: write a rating such as ML10, ML10.b \
                 or 5A002 (all of it and its sub-items), or =ML10 for that entry alone",
                trimmed.chars().take(40).collect::<String>()
            )
        })?;
        Ok(Self { rating, exact })
    }

    /// The rating the pattern is written on.
    pub fn rating(&self) -> &Rating {
        &self.rating
    }

    /// Whether it matches that rating alone (not its sub-items).
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    pub fn matches(&self, rating: &Rating) -> bool {
        let (pattern, candidate) = (self.rating.as_str(), rating.as_str());
        if self.exact {
            return candidate == pattern;
        }
        // Canonical ratings separate sub-items with dots, so a prefix ending at a dot (or at
        // the end) is a sub-item boundary; ML1 is never a prefix of ML10.
        candidate
            .strip_prefix(pattern)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    }
}

impl fmt::Display for RatingPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.exact {
            f.write_str("=")?;
        }
        f.write_str(self.rating.as_str())
    }
}

impl TryFrom<String> for RatingPattern {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<RatingPattern> for String {
    fn from(p: RatingPattern) -> String {
        p.to_string()
    }
}

/// A phrase looked for in the end-use statement: case-insensitive, whole words only, so
/// "Gaza" does not match "Gazan" and "F-35" matches "for the F-35 programme".
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phrase(String);

impl Phrase {
    pub const RULE: TextRule = TextRule::new(2, 100, false);

    pub fn parse(input: &str) -> Result<Self, String> {
        let text = check_text(input, Self::RULE).map_err(|e| e.to_string())?;
        if !text.chars().any(char::is_alphanumeric) {
            return Err(format!("{text:?} has no letters or digits to look for"));
        }
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the phrase occurs in `text` as whole words, ignoring case.
    pub fn occurs_in(&self, text: &str) -> bool {
        let needle: Vec<char> = self.0.chars().flat_map(char::to_lowercase).collect();
        let hay: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
        let word = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric());
        if needle.is_empty() || needle.len() > hay.len() {
            return false;
        }
        (0..=hay.len() - needle.len()).any(|i| {
            hay[i..].starts_with(&needle)
                && !(word(needle.first()) && i > 0 && word(hay.get(i - 1)))
                && !(word(needle.last()) && word(hay.get(i + needle.len())))
        })
    }
}

impl TryFrom<String> for Phrase {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Phrase> for String {
    fn from(p: Phrase) -> String {
        p.0
    }
}

/// The conditions of a rule or an exclusion. An empty list places no condition.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Clauses {
    pub destinations: BTreeSet<CountryCode>,
    /// Whole classes of goods ("all military goods"), by the rating's kind.
    pub rating_kinds: BTreeSet<RatingKind>,
    pub ratings: Vec<RatingPattern>,
    pub end_user_types: BTreeSet<EndUserType>,
    pub end_use: Vec<Phrase>,
}

impl Clauses {
    pub fn is_empty(&self) -> bool {
        self.destinations.is_empty()
            && self.rating_kinds.is_empty()
            && self.ratings.is_empty()
            && self.end_user_types.is_empty()
            && self.end_use.is_empty()
    }

    /// Every stated clause's first matching value, or the first clause that does not match.
    fn evaluate(&self, subject: &ScopeSubject) -> Result<Vec<Because>, Clause> {
        let mut because = Vec::new();
        if !self.destinations.is_empty() {
            let hit = subject
                .destinations
                .iter()
                .find(|d| self.destinations.contains(d));
            because.push(Because::Destination(*hit.ok_or(Clause::Destinations)?));
        }
        if !self.rating_kinds.is_empty() {
            let hit = subject
                .ratings
                .iter()
                .find(|r| self.rating_kinds.contains(&r.kind()));
            because.push(Because::RatingKind(hit.ok_or(Clause::RatingKinds)?.clone()));
        }
        if !self.ratings.is_empty() {
            let hit = subject.ratings.iter().find_map(|r| {
                let p = self.ratings.iter().find(|p| p.matches(r))?;
                Some(Because::Rating {
                    rating: r.clone(),
                    pattern: p.clone(),
                })
            });
            because.push(hit.ok_or(Clause::Ratings)?);
        }
        if !self.end_user_types.is_empty() {
            let hit = subject
                .end_user_types
                .iter()
                .find(|t| self.end_user_types.contains(t));
            because.push(Because::EndUserType(*hit.ok_or(Clause::EndUserTypes)?));
        }
        if !self.end_use.is_empty() {
            let hit = self.end_use.iter().find(|p| p.occurs_in(&subject.end_use));
            because.push(Because::EndUse(hit.ok_or(Clause::EndUse)?.clone()));
        }
        Ok(because)
    }
}

/// A named exception, e.g. components for a multinational programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    pub name: String,
    pub when: Clauses,
}

/// What an assessment or embargo applies to. Build with [`ScopeRule::new`] (or deserialise,
/// which checks the same) so a stored rule always names a destination and every exclusion
/// states a condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "UncheckedRule")]
pub struct ScopeRule {
    applies: Clauses,
    exclusions: Vec<Exclusion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UncheckedRule {
    applies: Clauses,
    #[serde(default)]
    exclusions: Vec<Exclusion>,
}

impl TryFrom<UncheckedRule> for ScopeRule {
    type Error = ValidationErrors;
    fn try_from(r: UncheckedRule) -> Result<Self, Self::Error> {
        ScopeRule::new(r.applies, r.exclusions)
    }
}

pub const EXCLUSION_NAME: TextRule = TextRule::new(3, 200, false);

impl ScopeRule {
    pub fn new(applies: Clauses, exclusions: Vec<Exclusion>) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if applies.destinations.is_empty() {
            errors.push(
                "destinations",
                "name at least one destination: a rule without one would apply to every country",
            );
        }
        for (i, exclusion) in exclusions.iter().enumerate() {
            if let Err(e) = check_text(&exclusion.name, EXCLUSION_NAME) {
                errors.push(format!("exclusions[{i}].name"), e.to_string());
            }
            if exclusion.when.is_empty() {
                errors.push(
                    format!("exclusions[{i}]"),
                    "state at least one condition: an exclusion without one would exclude everything",
                );
            }
        }
        if errors.0.is_empty() {
            Ok(Self {
                applies,
                exclusions,
            })
        } else {
            Err(errors)
        }
    }

    pub fn applies(&self) -> &Clauses {
        &self.applies
    }

    pub fn exclusions(&self) -> &[Exclusion] {
        &self.exclusions
    }

    /// Whether `subject` is in scope, and why.
    pub fn evaluate(&self, subject: &ScopeSubject) -> Verdict {
        let because = match self.applies.evaluate(subject) {
            Ok(because) => because,
            Err(clause) => return Verdict::OutOfScope { failed: clause },
        };
        for exclusion in &self.exclusions {
            if let Ok(excluded_because) = exclusion.when.evaluate(subject) {
                return Verdict::Excluded {
                    exclusion: exclusion.name.clone(),
                    because,
                    excluded_because,
                };
            }
        }
        Verdict::InScope { because }
    }
}

/// What a rule is evaluated against: the parts of a licence or application an assessment can
/// be about.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScopeSubject {
    pub destinations: Vec<CountryCode>,
    pub ratings: Vec<Rating>,
    pub end_user_types: Vec<EndUserType>,
    pub end_use: String,
}

impl ScopeSubject {
    pub fn of_application(app: &Application) -> Self {
        let mut ratings: Vec<Rating> = app
            .goods
            .iter()
            .flat_map(|g| g.ratings.iter().cloned())
            .collect();
        ratings.sort();
        ratings.dedup();
        let mut end_user_types: Vec<EndUserType> =
            app.parties.iter().filter_map(|p| p.end_user_type).collect();
        end_user_types.sort();
        end_user_types.dedup();
        Self {
            destinations: app.destinations(),
            ratings,
            end_user_types,
            end_use: app.end_use_statement.clone(),
        }
    }
}

/// One kind of clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Clause {
    Destinations,
    RatingKinds,
    Ratings,
    EndUserTypes,
    EndUse,
}

impl Clause {
    pub const fn label(self) -> &'static str {
        match self {
            Self::Destinations => "destination",
            Self::RatingKinds => "class of goods",
            Self::Ratings => "rating",
            Self::EndUserTypes => "end-user type",
            Self::EndUse => "end use",
        }
    }
}

impl fmt::Display for Clauses {
    /// "destination IL; rating ML4, ML10; end use \"F-35\"": every stated clause.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for clause in crate::assessment_diff::CLAUSES {
            let values = crate::assessment_diff::values(self, clause);
            if values.is_empty() {
                continue;
            }
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{} {}", clause.label(), values.join(", "))?;
        }
        if first {
            f.write_str("anything")?;
        }
        Ok(())
    }
}

impl fmt::Display for ScopeRule {
    /// The rule in one line, exclusions after "except".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.applies)?;
        for e in &self.exclusions {
            write!(f, "; except \"{}\" ({})", e.name, e.when)?;
        }
        Ok(())
    }
}

/// One clause's matching value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "clause", rename_all = "snake_case")]
pub enum Because {
    Destination(CountryCode),
    /// A rating of a class the rule names.
    RatingKind(Rating),
    Rating {
        rating: Rating,
        pattern: RatingPattern,
    },
    EndUserType(EndUserType),
    EndUse(Phrase),
}

impl fmt::Display for Because {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Destination(c) => write!(f, "destination {} ({})", c.as_str(), c.name()),
            Self::RatingKind(r) => {
                write!(f, "rating {r} ({} goods)", r.kind().label().to_lowercase())
            }
            Self::Rating { rating, pattern } if pattern.to_string() == rating.as_str() => {
                write!(f, "rating {rating}")
            }
            Self::Rating { rating, pattern } => write!(f, "rating {rating} (under {pattern})"),
            Self::EndUserType(t) => write!(f, "end user {}", t.label().to_lowercase()),
            Self::EndUse(p) => write!(f, "end use mentions \"{}\"", p.as_str()),
        }
    }
}

/// The outcome of evaluating a rule, with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    InScope {
        because: Vec<Because>,
    },
    Excluded {
        exclusion: String,
        because: Vec<Because>,
        excluded_because: Vec<Because>,
    },
    OutOfScope {
        failed: Clause,
    },
}

impl Verdict {
    pub fn in_scope(&self) -> bool {
        matches!(self, Self::InScope { .. })
    }
}

fn joined(because: &[Because]) -> String {
    because
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InScope { because } => write!(f, "in scope: {}", joined(because)),
            Self::Excluded {
                exclusion,
                because,
                excluded_because,
            } => write!(
                f,
                "excluded by \"{exclusion}\" ({}), though in scope: {}",
                joined(excluded_because),
                joined(because)
            ),
            Self::OutOfScope { failed } => {
                write!(f, "out of scope: no {} matches", failed.label())
            }
        }
    }
}

/// A rule as typed in a form: comma- or line-separated lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClausesInput {
    pub destinations: String,
    pub rating_kinds: String,
    pub ratings: String,
    pub end_user_types: String,
    pub end_use: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExclusionInput {
    pub name: String,
    #[serde(flatten)]
    pub when: ClausesInput,
}

fn items<'a>(list: &'a str, separators: &'a [char]) -> impl Iterator<Item = &'a str> {
    list.split(|c| separators.contains(&c))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

impl ClausesInput {
    /// Every problem, with field names under `prefix` (e.g. `exclusions[0].ratings`).
    pub fn parse(&self, prefix: &str, errors: &mut Vec<FieldError>) -> Clauses {
        let field = |name: &str| format!("{prefix}{name}");
        let mut push = |name: &str, message: String| {
            errors.push(FieldError {
                field: field(name),
                message,
            })
        };
        let mut clauses = Clauses::default();
        for item in items(&self.destinations, &[',', '\n', ';']) {
            match CountryCode::parse(item) {
                Ok(code) => {
                    clauses.destinations.insert(code);
                }
                Err(e) => push("destinations", e.to_string()),
            }
        }
        for item in items(&self.rating_kinds, &[',', '\n', ';']) {
            let kind = RatingKind::ALL.into_iter().find(|k| {
                k.as_str().eq_ignore_ascii_case(item) || k.label().eq_ignore_ascii_case(item)
            });
            match kind {
                Some(k) => {
                    clauses.rating_kinds.insert(k);
                }
                None => push(
                    "rating_kinds",
                    format!(
                        "{:?} is not a class of goods (military, dual-use or UK national)",
                        item.chars().take(40).collect::<String>()
                    ),
                ),
            }
        }
        for item in items(&self.ratings, &[',', '\n', ';']) {
            match RatingPattern::parse(item) {
                Ok(p) if !clauses.ratings.contains(&p) => clauses.ratings.push(p),
                Ok(_) => {}
                Err(e) => push("ratings", e),
            }
        }
        for item in items(&self.end_user_types, &[',', '\n', ';']) {
            match EndUserType::parse(item) {
                Some(t) => {
                    clauses.end_user_types.insert(t);
                }
                None => push(
                    "end_user_types",
                    format!(
                        "{:?} is not an end-user type (government, armed forces, commercial, \
                         individual or other)",
                        item.chars().take(40).collect::<String>()
                    ),
                ),
            }
        }
        // Phrases may contain commas, so they are one per line.
        for item in items(&self.end_use, &['\n']) {
            match Phrase::parse(item) {
                Ok(p) if !clauses.end_use.contains(&p) => clauses.end_use.push(p),
                Ok(_) => {}
                Err(e) => push("end_use", format!("{item:?}: {e}")),
            }
        }
        clauses
    }
}

/// Parses a whole rule as typed, reporting every problem at once.
pub fn parse_scope_rule(
    applies: &ClausesInput,
    exclusions: &[ExclusionInput],
) -> Result<ScopeRule, ValidationErrors> {
    let mut errors = Vec::new();
    let applies = applies.parse("", &mut errors);
    let exclusions: Vec<Exclusion> = exclusions
        .iter()
        .enumerate()
        .filter(|(_, e)| !(e.name.trim().is_empty() && e.when == ClausesInput::default()))
        .map(|(i, e)| Exclusion {
            name: e.name.trim().to_string(),
            when: e.when.parse(&format!("exclusions[{i}]."), &mut errors),
        })
        .collect();
    match ScopeRule::new(applies, exclusions) {
        Ok(rule) if errors.is_empty() => Ok(rule),
        Ok(_) => Err(ValidationErrors(errors)),
        Err(more) => {
            // "name a destination" adds nothing when every destination typed was refused.
            let fresh: Vec<FieldError> = more
                .0
                .into_iter()
                .filter(|m| !errors.iter().any(|e| e.field == m.field))
                .collect();
            errors.extend(fresh);
            Err(ValidationErrors(errors))
        }
    }
}

#[cfg(test)]
#[path = "scope_tests.rs"]
mod tests;
