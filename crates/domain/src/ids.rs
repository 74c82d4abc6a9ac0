//! Typed identifiers: one newtype per entity so a `CaseId` can never be passed where a `UserId`
//! is expected. All are UUIDs; new ones are v7 so they sort by creation time.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Why a string is not an identifier of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind}: {input:?} is not a UUID")]
pub struct IdError {
    /// The identifier type that was being parsed, e.g. `CaseId`.
    pub kind: &'static str,
    /// The rejected input (truncated to 64 characters).
    pub input: String,
}

macro_rules! uuid_id {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered (UUID v7) identifier.
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // Hyphenated lowercase, the form every layer (URLs, SQL, JSON) uses.
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl FromStr for $name {
            type Err = IdError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self).map_err(|_| IdError {
                    kind: stringify!($name),
                    input: s.chars().take(64).collect(),
                })
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }
    )+};
}

uuid_id!(
    /// A licence application or appeal case.
    CaseId,
    /// An exporting organisation.
    OrganisationId,
    /// A person with an account.
    UserId,
    /// A caseworking or advisory team.
    TeamId,
    /// An issued licence.
    LicenceId,
    /// One line of goods on an application.
    GoodsLineId,
    /// A party (consignee, end user, …) on an application.
    PartyId,
    /// One piece of advice.
    AdviceId,
    /// A question put to the exporter.
    QuestionId,
    /// An uploaded document.
    DocumentId,
    /// An appeal against a refusal.
    AppealId,
    /// An API token (names it in lists and URLs; the secret is never stored).
    ApiTokenId,
    /// One version of a destination assessment.
    AssessmentId,
    /// An embargo recorded by policy.
    EmbargoId,
    /// A review of the licences a finding or embargo touches.
    ReviewId,
    /// A named official's recorded disagreement.
    DissentId,
    /// An anonymous protected disclosure.
    DisclosureId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_v7_and_distinct() {
        let a = CaseId::new();
        let b = CaseId::new();
        assert_ne!(a, b);
        assert_eq!(a.as_uuid().get_version_num(), 7);
    }

    #[test]
    fn new_ids_sort_by_creation() {
        let ids: Vec<UserId> = (0..50).map(|_| UserId::new()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
    }

    #[test]
    fn display_and_parse_round_trip() {
        let id = LicenceId::new();
        let text = id.to_string();
        assert_eq!(text.len(), 36);
        assert_eq!(text.parse::<LicenceId>().unwrap(), id);
        // Uppercase and surrounding spaces are tolerated; the canonical form is lowercase.
        let upper = format!(" {} ", text.to_uppercase());
        assert_eq!(upper.parse::<LicenceId>().unwrap(), id);
    }

    #[test]
    fn parse_errors_name_the_kind() {
        for bad in [
            "",
            "not-a-uuid",
            "1234",
            "0190f0f0-0000-7000-8000-00000000000g",
        ] {
            let err = bad.parse::<PartyId>().unwrap_err();
            assert_eq!(err.kind, "PartyId");
            assert!(err.to_string().contains("invalid PartyId"), "{err}");
        }
    }

    #[test]
    fn serde_is_a_bare_string() {
        let uuid = Uuid::parse_str("0190f0f0-1234-7abc-8def-0123456789ab").unwrap();
        let id = AppealId::from_uuid(uuid);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"0190f0f0-1234-7abc-8def-0123456789ab\"");
        assert_eq!(serde_json::from_str::<AppealId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<AppealId>("\"nope\"").is_err());
    }

    #[test]
    fn every_id_type_round_trips() {
        fn check<T>(id: T)
        where
            T: fmt::Display + FromStr + PartialEq + fmt::Debug,
            <T as FromStr>::Err: fmt::Debug,
        {
            assert_eq!(id.to_string().parse::<T>().unwrap(), id);
        }
        check(CaseId::new());
        check(OrganisationId::new());
        check(UserId::new());
        check(TeamId::new());
        check(LicenceId::new());
        check(GoodsLineId::new());
        check(PartyId::new());
        check(AdviceId::new());
        check(QuestionId::new());
        check(DocumentId::new());
        check(AppealId::new());
        check(AssessmentId::new());
        check(EmbargoId::new());
        check(ReviewId::new());
    }
}
