//! Small enumerations stored as one byte per row.

use std::fmt;

use serde::Serialize;

macro_rules! byte_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "kebab-case")]
        #[repr(u8)]
        pub enum $name { $($(#[$vm])* $var),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),+];

            /// The identifier used in URLs, JSON and CSV.
            pub fn name(self) -> &'static str {
                match self { $($name::$var => $s),+ }
            }

            /// Parse the identifier (case-insensitive; `_` and ` ` read as `-`).
            pub fn parse(text: &str) -> Option<$name> {
                let t = text.trim().to_ascii_lowercase().replace(['_', ' '], "-");
                Self::ALL.iter().copied().find(|v| v.name() == t)
            }

            pub(crate) fn from_u8(b: u8) -> $name {
                Self::ALL.get(b as usize).copied().unwrap_or(Self::ALL[0])
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

byte_enum! {
    /// Where a row comes from: imported history or decisions made in Probity.
    Source { Caat = "caat", Probity = "probity" }
}

byte_enum! {
    /// The decision or lifecycle event a row records.
    Decision {
        Granted = "granted",
        Refused = "refused",
        NoLicenceRequired = "no-licence-required",
        Suspended = "suspended",
        Reinstated = "reinstated",
        Revoked = "revoked",
        Surrendered = "surrendered",
        Expired = "expired",
        /// A licence whose quantity or value has been used up (Probity records).
        Exhausted = "exhausted",
        /// An appeal against a refusal allowed (Probity records).
        AppealAllowed = "appeal-allowed",
        /// An appeal against a refusal dismissed (Probity records).
        AppealDismissed = "appeal-dismissed",
        /// A licence a review kept in force under an exemption (Probity records).
        Retained = "retained",
        /// A suspended licence a reinstatement review kept suspended (Probity records).
        SuspensionMaintained = "suspension-maintained",
    }
}

byte_enum! {
    /// The type of licence. CAAT's values file does not say, so its rows are `Unspecified`.
    LicenceType {
        Unspecified = "unspecified",
        /// SIEL.
        StandardIndividual = "standard-individual",
        /// OIEL.
        OpenIndividual = "open-individual",
        /// OGEL.
        OpenGeneral = "open-general",
        /// SITCL / OITCL.
        TradeControl = "trade-control",
        Transhipment = "transhipment",
        Other = "other",
    }
}
