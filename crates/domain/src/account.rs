//! Pure rules of staff accounts: what a new password must be, what an administrator's reason
//! must be, and the shape of one-time codes typed at sign-in.
use crate::ValidationErrors;

/// Shortest password accepted, in characters (NIST SP 800-63B asks for at least 8; staff
/// accounts decide on export licences, so more).
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Longest password accepted, in characters: long passphrases are welcome, but hashing an
/// unbounded input is a denial-of-service door.
pub const PASSWORD_MAX_CHARS: usize = 1024;

/// Check a password change: the new password's length, that it differs from the old one and
/// that it was typed the same twice. Every problem is reported, by form field.
pub fn check_new_password(old: &str, new: &str, confirm: &str) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let chars = new.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        errors.push(
            "new_password",
            format!("use at least {PASSWORD_MIN_CHARS} characters"),
        );
    } else if chars > PASSWORD_MAX_CHARS {
        errors.push(
            "new_password",
            format!("use at most {PASSWORD_MAX_CHARS} characters"),
        );
    } else if new == old {
        errors.push(
            "new_password",
            "choose a password different from the current one",
        );
    }
    if new != confirm {
        errors.push("confirm_password", "the two new passwords do not match");
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Shortest reason an administrator must give for disabling, enabling or resetting an account.
pub const ADMIN_REASON_MIN_CHARS: usize = 10;
pub const ADMIN_REASON_MAX_CHARS: usize = 2000;

/// The trimmed reason, or why it is not acceptable.
pub fn check_admin_reason(reason: &str) -> Result<String, ValidationErrors> {
    let reason = reason.trim();
    let chars = reason.chars().count();
    let mut errors = ValidationErrors::default();
    if chars < ADMIN_REASON_MIN_CHARS {
        errors.push(
            "reason",
            format!("give a reason of at least {ADMIN_REASON_MIN_CHARS} characters; it is kept in the audit log"),
        );
    } else if chars > ADMIN_REASON_MAX_CHARS {
        errors.push(
            "reason",
            format!("keep the reason under {ADMIN_REASON_MAX_CHARS} characters"),
        );
    } else if reason.chars().any(char::is_control) {
        errors.push("reason", "the reason contains control characters");
    }
    if errors.is_empty() {
        Ok(reason.to_string())
    } else {
        Err(errors)
    }
}

/// What a user typed at the second step of sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactorInput {
    /// Six digits from an authenticator app.
    Totp(String),
    /// A one-time recovery code, normalised (lower case, no separators).
    Recovery(String),
}

/// Read a typed code: spaces and dashes are ignored, six digits are an authenticator code,
/// sixteen letters and digits a recovery code; anything else is not a code.
pub fn parse_second_factor(typed: &str) -> Option<SecondFactorInput> {
    let cleaned: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if cleaned.len() == 6 && cleaned.chars().all(|c| c.is_ascii_digit()) {
        Some(SecondFactorInput::Totp(cleaned))
    } else if cleaned.len() == RECOVERY_CODE_CHARS
        && cleaned.chars().all(|c| c.is_ascii_alphanumeric())
    {
        Some(SecondFactorInput::Recovery(cleaned.to_ascii_lowercase()))
    } else {
        None
    }
}

/// Characters in a recovery code (base32, so 80 bits of entropy).
pub const RECOVERY_CODE_CHARS: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(r: Result<(), ValidationErrors>) -> Vec<String> {
        r.err()
            .map(|e| e.0.into_iter().map(|f| f.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_new_password_is_long_enough_bounded_different_and_confirmed() {
        let old = "correct horse battery staple";
        assert!(check_new_password(old, "a new long passphrase", "a new long passphrase").is_ok());
        assert_eq!(
            fields(check_new_password(old, "short", "short")),
            ["new_password"]
        );
        let huge = "x".repeat(PASSWORD_MAX_CHARS + 1);
        assert_eq!(
            fields(check_new_password(old, &huge, &huge)),
            ["new_password"]
        );
        let max = "é".repeat(PASSWORD_MAX_CHARS);
        assert!(check_new_password(old, &max, &max).is_ok());
        assert_eq!(fields(check_new_password(old, old, old)), ["new_password"]);
        assert_eq!(
            fields(check_new_password(
                old,
                "a new long passphrase",
                "a new long passphrasf"
            )),
            ["confirm_password"]
        );
    }

    #[test]
    fn an_admin_reason_is_required_and_bounded() {
        assert_eq!(
            check_admin_reason("  Left the department.  ").unwrap(),
            "Left the department."
        );
        assert!(check_admin_reason("short").is_err());
        assert!(check_admin_reason(&"x".repeat(ADMIN_REASON_MAX_CHARS + 1)).is_err());
        assert!(check_admin_reason("left the department\0today").is_err());
    }

    #[test]
    fn typed_codes_are_told_apart() {
        assert_eq!(
            parse_second_factor(" 123 456 "),
            Some(SecondFactorInput::Totp("123456".into()))
        );
        assert_eq!(
            parse_second_factor("ABCD-EFGH-2345-6789"),
            Some(SecondFactorInput::Recovery("abcdefgh23456789".into()))
        );
        assert_eq!(parse_second_factor("12345"), None);
        assert_eq!(parse_second_factor("12345a"), None);
        assert_eq!(parse_second_factor(""), None);
    }
}
