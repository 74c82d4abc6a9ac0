//! API token rules: what a token may do, how long it lives, and what a request for one must
//! say. The token secret itself is made and hashed in the service.
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::Duration;

use crate::ValidationErrors;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// Reading only: any request that changes something is refused.
    Read,
    ReadWrite,
}

impl TokenScope {
    pub const ALL: [TokenScope; 2] = [TokenScope::Read, TokenScope::ReadWrite];

    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::ReadWrite => "read_write",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TokenScope::Read => "Read only",
            TokenScope::ReadWrite => "Read and write",
        }
    }

    pub fn allows_writes(self) -> bool {
        self == TokenScope::ReadWrite
    }
}

impl fmt::Display for TokenScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown scope name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown token scope {0:?}: use read or read_write")]
pub struct UnknownScope(pub String);

impl FromStr for TokenScope {
    type Err = UnknownScope;
    fn from_str(s: &str) -> Result<TokenScope, UnknownScope> {
        TokenScope::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim())
            .ok_or_else(|| UnknownScope(s.chars().take(40).collect()))
    }
}

/// A token lives this long unless its creator chooses otherwise.
pub const DEFAULT_TOKEN_DAYS: i64 = 90;
/// No token lives longer: a leaked token stops working within a year at most.
pub const MAX_TOKEN_DAYS: i64 = 365;
pub const MAX_TOKEN_NAME_CHARS: usize = 100;

/// A valid request for a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    pub name: String,
    pub scope: TokenScope,
    pub lifetime: Duration,
}

impl TokenRequest {
    /// Check a request as typed: a name, a scope (`read` when empty) and a lifetime in days
    /// (90 when absent). Every problem is reported at once.
    pub fn parse(
        name: &str,
        scope: &str,
        days: Option<i64>,
    ) -> Result<TokenRequest, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = name.trim();
        let chars = name.chars().count();
        if chars == 0 || chars > MAX_TOKEN_NAME_CHARS {
            errors.push(
                "name",
                format!("give the token a name of 1 to {MAX_TOKEN_NAME_CHARS} characters"),
            );
        } else if name.chars().any(char::is_control) {
            errors.push("name", "the name may not contain control characters");
        }
        let scope = match scope.trim() {
            "" => Some(TokenScope::Read),
            s => match s.parse::<TokenScope>() {
                Ok(x) => Some(x),
                Err(e) => {
                    errors.push("scope", e.to_string());
                    None
                }
            },
        };
        let days = days.unwrap_or(DEFAULT_TOKEN_DAYS);
        if !(1..=MAX_TOKEN_DAYS).contains(&days) {
            errors.push(
                "expires_in_days",
                format!("choose an expiry of 1 to {MAX_TOKEN_DAYS} days"),
            );
        }
        match scope {
            Some(scope) if errors.0.is_empty() => Ok(TokenRequest {
                name: name.to_string(),
                scope,
                lifetime: Duration::days(days),
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_checked_field_by_field() {
        let ok = TokenRequest::parse(" ERP ", "", None).unwrap();
        assert_eq!(ok.name, "ERP");
        assert_eq!(ok.scope, TokenScope::Read);
        assert_eq!(ok.lifetime, Duration::days(90));
        let rw = TokenRequest::parse("ERP", "read_write", Some(365)).unwrap();
        assert_eq!(
            (rw.scope, rw.lifetime),
            (TokenScope::ReadWrite, Duration::days(365))
        );
        let table: &[(&str, &str, Option<i64>, &[&str])] = &[
            ("", "read", None, &["name"]),
            (&"x".repeat(101), "read", None, &["name"]),
            ("a\u{7}b", "read", None, &["name"]),
            ("ERP", "admin", None, &["scope"]),
            ("ERP", "read", Some(0), &["expires_in_days"]),
            ("ERP", "read", Some(366), &["expires_in_days"]),
            ("", "write", Some(-1), &["name", "scope", "expires_in_days"]),
        ];
        for (name, scope, days, fields) in table {
            let err = TokenRequest::parse(name, scope, *days).unwrap_err();
            let got: Vec<&str> = err.0.iter().map(|f| f.field.as_str()).collect();
            assert_eq!(&got, fields, "{name:?} {scope:?} {days:?}");
        }
    }

    #[test]
    fn only_read_write_allows_writes() {
        assert!(!TokenScope::Read.allows_writes());
        assert!(TokenScope::ReadWrite.allows_writes());
        for s in TokenScope::ALL {
            assert_eq!(s.as_str().parse::<TokenScope>(), Ok(s));
        }
    }
}
