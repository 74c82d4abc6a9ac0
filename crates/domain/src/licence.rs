//! The licence lifecycle after issue. Every change is a public decision record, so the graph
//! is deliberately small: a licence can only be reinstated from suspension, and nothing comes
//! back from revocation, surrender, expiry or exhaustion.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::case::str_enum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenceStatus {
    Issued,
    Suspended,
    Reinstated,
    Revoked,
    Surrendered,
    Expired,
    Exhausted,
}

impl LicenceStatus {
    pub const ALL: [LicenceStatus; 7] = [
        Self::Issued,
        Self::Suspended,
        Self::Reinstated,
        Self::Revoked,
        Self::Surrendered,
        Self::Expired,
        Self::Exhausted,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Issued => "issued",
            Self::Suspended => "suspended",
            Self::Reinstated => "reinstated",
            Self::Revoked => "revoked",
            Self::Surrendered => "surrendered",
            Self::Expired => "expired",
            Self::Exhausted => "exhausted",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::Issued => "Issued",
            Self::Suspended => "Suspended",
            Self::Reinstated => "Reinstated",
            Self::Revoked => "Revoked",
            Self::Surrendered => "Surrendered",
            Self::Expired => "Expired",
            Self::Exhausted => "Exhausted",
        }
    }

    /// The licence may be used to export.
    pub const fn is_active(self) -> bool {
        matches!(self, Self::Issued | Self::Reinstated)
    }

    /// Why goods may not be shipped under a licence in this status (None: it may be used).
    pub const fn export_bar(self) -> Option<&'static str> {
        match self {
            Self::Issued | Self::Reinstated => None,
            Self::Suspended => Some(
                "This licence is suspended: nothing may be exported under it, or under its reference, until it is reinstated.",
            ),
            Self::Revoked => Some(
                "This licence is revoked: nothing may be exported under it or its reference again; a new application is needed.",
            ),
            Self::Surrendered => Some("This licence was surrendered: it can no longer be used."),
            Self::Expired => Some("This licence has expired: it can no longer be used."),
            Self::Exhausted => Some(
                "This licence is used up: everything it allowed has been shipped.",
            ),
        }
    }

    /// No action leaves these statuses.
    pub const fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Revoked | Self::Surrendered | Self::Expired | Self::Exhausted
        )
    }
}
str_enum!(LicenceStatus, "licence status");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenceAction {
    Suspend,
    Reinstate,
    Revoke,
    Surrender,
    Expire,
    Exhaust,
}

impl LicenceAction {
    pub const ALL: [LicenceAction; 6] = [
        Self::Suspend,
        Self::Reinstate,
        Self::Revoke,
        Self::Surrender,
        Self::Expire,
        Self::Exhaust,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Suspend => "suspend",
            Self::Reinstate => "reinstate",
            Self::Revoke => "revoke",
            Self::Surrender => "surrender",
            Self::Expire => "expire",
            Self::Exhaust => "exhaust",
        }
    }
}
str_enum!(LicenceAction, "licence action");

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub struct LicenceTransitionError {
    pub from: LicenceStatus,
    pub action: LicenceAction,
}

impl fmt::Display for LicenceTransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot {} a licence that is {}",
            self.action.as_str(),
            self.from.as_str()
        )
    }
}

/// The licence lifecycle graph.
pub fn next_licence_status(
    from: LicenceStatus,
    action: LicenceAction,
) -> Result<LicenceStatus, LicenceTransitionError> {
    use LicenceAction as A;
    use LicenceStatus as S;
    let active = from.is_active();
    let to = match action {
        A::Suspend if active => S::Suspended,
        A::Reinstate if from == S::Suspended => S::Reinstated,
        A::Revoke if active || from == S::Suspended => S::Revoked,
        A::Surrender if active => S::Surrendered,
        A::Expire if active || from == S::Suspended => S::Expired,
        A::Exhaust if active => S::Exhausted,
        _ => return Err(LicenceTransitionError { from, action }),
    };
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use LicenceStatus::*;

    /// Hand-written: rows are statuses, columns actions in `LicenceAction::ALL` order
    /// (suspend, reinstate, revoke, surrender, expire, exhaust).
    const EXPECTED: [(LicenceStatus, [Option<LicenceStatus>; 6]); 7] = [
        (
            Issued,
            [
                Some(Suspended),
                None,
                Some(Revoked),
                Some(Surrendered),
                Some(Expired),
                Some(Exhausted),
            ],
        ),
        (
            Suspended,
            [
                None,
                Some(Reinstated),
                Some(Revoked),
                None,
                Some(Expired),
                None,
            ],
        ),
        (
            Reinstated,
            [
                Some(Suspended),
                None,
                Some(Revoked),
                Some(Surrendered),
                Some(Expired),
                Some(Exhausted),
            ],
        ),
        (Revoked, [None, None, None, None, None, None]),
        (Surrendered, [None, None, None, None, None, None]),
        (Expired, [None, None, None, None, None, None]),
        (Exhausted, [None, None, None, None, None, None]),
    ];

    #[test]
    fn lifecycle_matches_the_hand_written_table() {
        let rows: Vec<LicenceStatus> = EXPECTED.iter().map(|(s, _)| *s).collect();
        assert_eq!(rows, LicenceStatus::ALL);
        for (from, row) in EXPECTED {
            for (action, expected) in LicenceAction::ALL.into_iter().zip(row) {
                let got = next_licence_status(from, action);
                match expected {
                    Some(to) => assert_eq!(got, Ok(to), "{from:?} --{action:?}-->"),
                    None => assert_eq!(
                        got,
                        Err(LicenceTransitionError { from, action }),
                        "{from:?} --{action:?}-->"
                    ),
                }
            }
        }
    }

    #[test]
    fn only_a_licence_in_force_may_be_used() {
        for s in LicenceStatus::ALL {
            assert_eq!(s.export_bar().is_none(), s.is_active(), "{s:?}");
        }
        assert!(LicenceStatus::Suspended
            .export_bar()
            .unwrap()
            .contains("suspended"));
        assert!(LicenceStatus::Revoked
            .export_bar()
            .unwrap()
            .contains("revoked"));
    }

    #[test]
    fn status_predicates() {
        let table = [
            (Issued, true, false),
            (Suspended, false, false),
            (Reinstated, true, false),
            (Revoked, false, true),
            (Surrendered, false, true),
            (Expired, false, true),
            (Exhausted, false, true),
        ];
        for (status, active, terminal) in table {
            assert_eq!(status.is_active(), active, "{status:?}");
            assert_eq!(status.is_terminal(), terminal, "{status:?}");
        }
    }

    #[test]
    fn refusal_messages() {
        let err = next_licence_status(Revoked, LicenceAction::Reinstate).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot reinstate a licence that is revoked"
        );
        let err = next_licence_status(Suspended, LicenceAction::Surrender).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot surrender a licence that is suspended"
        );
    }

    #[test]
    fn strings_round_trip() {
        for s in LicenceStatus::ALL {
            assert_eq!(s.as_str().parse::<LicenceStatus>(), Ok(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
            assert!(!s.label().is_empty());
        }
        for a in LicenceAction::ALL {
            assert_eq!(a.as_str().parse::<LicenceAction>(), Ok(a));
        }
        assert!("cancelled".parse::<LicenceStatus>().is_err());
    }
}
