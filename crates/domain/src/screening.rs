//! What the licensing process does with screening matches: who may load lists and resolve
//! matches, and what a resolution says. Matching itself is `probity-screening`'s.

use std::fmt;

use crate::role::Role;

/// Roles that may load a new version of a sanctions or denial list.
pub const MAY_LOAD_LISTS: &[Role] = &[Role::Policy, Role::Admin];
/// Roles that may resolve a screening match on a case.
pub const MAY_RESOLVE_MATCHES: &[Role] = &[Role::Caseworker];
/// Roles that see list versions and screening runs.
pub const MAY_SEE_LISTS: &[Role] = &[
    Role::Caseworker,
    Role::Adviser,
    Role::DecisionMaker,
    Role::Policy,
    Role::Oversight,
    Role::Admin,
];

/// A caseworker's resolution of a possible match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchVerdict {
    /// The party is the listed person or organisation.
    TrueMatch,
    /// The party is someone else who shares a similar name.
    FalsePositive,
}

impl MatchVerdict {
    pub const ALL: [MatchVerdict; 2] = [Self::TrueMatch, Self::FalsePositive];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TrueMatch => "true_match",
            Self::FalsePositive => "false_positive",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::TrueMatch => "True match: the party is the listed entry",
            Self::FalsePositive => "False positive: a different party",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == text)
    }
}

impl fmt::Display for MatchVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The criterion a refusal for a listed party cites: the UK's international obligations and
/// commitments, sanctions among them (Strategic Export Licensing Criterion 1).
pub const SANCTIONS_CRITERION: &str = "1";

/// Probity's own list of parties to refused applications: a true match there informs the
/// decision but is not a legal bar, unlike a sanctions list.
pub const DENIALS_LIST: &str = "denials";

/// Whether a true match on `list` bars a grant.
pub fn bars_grant(list: &str) -> bool {
    list != DENIALS_LIST
}

/// The refusal reason offered to the decision-maker for a party resolved as a true match.
pub fn refusal_reason(party_role: &str, party_name: &str, list: &str, entry_id: &str) -> String {
    format!(
        "The {} {party_name} is listed on the {list} list (entry {entry_id}): a licence would \
         breach the sanctions it is subject to (criterion {SANCTIONS_CRITERION}).",
        party_role.replace('_', " ")
    )
}

/// The title of the review a confirmed listing opens on licences to `destination`. It is
/// public: it names the listed entry (the list is public), never the exporter's party.
pub fn review_title(
    list: &str,
    entry_id: &str,
    entry_name: &str,
    destination: crate::CountryCode,
) -> String {
    format!(
        "{entry_name}, listed on the {list} list (entry {entry_id}): licences to {} ({})",
        destination.name(),
        destination.as_str()
    )
}

/// Why a licence is in a screening review (seen by staff working the review).
pub fn review_reason(party_role: &str, party_name: &str, list: &str, entry_id: &str) -> String {
    format!(
        "the {} {party_name} was resolved as a true match for entry {entry_id} of the {list} list",
        party_role.replace('_', " ")
    )
}

/// Why everything in scope is screened again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RescreenReason {
    /// A new version of a list was loaded.
    ListUpdate,
    /// An operator asked for it.
    Manual,
}

impl RescreenReason {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ListUpdate => "list_update",
            Self::Manual => "manual",
        }
    }
}

/// The status of a stored match, as pages show it.
pub fn match_status_label(status: &str) -> &'static str {
    match status {
        "true_match" => "True match",
        "false_positive" => "False positive",
        _ => "Not yet resolved",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_round_trip_and_unknown_is_refused() {
        for v in MatchVerdict::ALL {
            assert_eq!(MatchVerdict::parse(v.as_str()), Some(v));
        }
        assert_eq!(MatchVerdict::parse("maybe"), None);
        assert!(!MAY_RESOLVE_MATCHES.contains(&Role::Exporter));
        assert!(!MAY_LOAD_LISTS.contains(&Role::Caseworker));
    }

    #[test]
    fn only_sanctions_lists_bar_a_grant() {
        for list in ["uk-hmt", "un", "ofac-sdn", "eu-consolidated"] {
            assert!(bars_grant(list), "{list}");
        }
        assert!(!bars_grant(DENIALS_LIST));
        let reason = refusal_reason("end_user", "Korea Mining Co", "un", "KPe.001");
        assert!(reason
            .starts_with("The end user Korea Mining Co is listed on the un list (entry KPe.001)"));
        assert!(reason.ends_with("(criterion 1)."));
    }
}
