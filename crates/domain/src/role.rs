//! The roles people act in. What each role may do to a case is `permissions`' table.
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Exporter,
    Caseworker,
    Adviser,
    DecisionMaker,
    Policy,
    Oversight,
    Admin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Exporter,
        Role::Caseworker,
        Role::Adviser,
        Role::DecisionMaker,
        Role::Policy,
        Role::Oversight,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Exporter => "exporter",
            Role::Caseworker => "caseworker",
            Role::Adviser => "adviser",
            Role::DecisionMaker => "decision_maker",
            Role::Policy => "policy",
            Role::Oversight => "oversight",
            Role::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Exporter => "Exporter",
            Role::Caseworker => "Caseworker",
            Role::Adviser => "Adviser",
            Role::DecisionMaker => "Decision-maker",
            Role::Policy => "Policy",
            Role::Oversight => "Oversight",
            Role::Admin => "Administrator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim().replace('-', "_"))
            .ok_or_else(|| {
                format!(
                    "unknown role {s:?}; expected one of: {}",
                    Role::ALL.map(Role::as_str).join(", ")
                )
            })
    }
}
