//! RFC 6238 time-based one-time passwords through the `totp-rs` crate: SHA-1, six digits,
//! 30-second steps, one step either side accepted for clock drift. The step that matched is
//! returned so the caller can refuse a second use of it.
use time::OffsetDateTime;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::{ServiceError, ServiceResult};

pub const DIGITS: usize = 6;
pub const STEP_SECONDS: u64 = 30;
/// Steps accepted either side of the current one (RFC 6238 §5.2 recommends at most one).
pub const SKEW_STEPS: i64 = 1;
const ISSUER: &str = "Probity";
/// Bytes of secret: 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;

/// One user's authenticator.
pub struct Authenticator(TOTP);

impl Authenticator {
    /// A fresh secret, base32 as authenticator apps take it.
    pub fn generate_secret() -> String {
        use rand::RngCore;
        let mut bytes = [0u8; SECRET_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Secret::Raw(bytes.to_vec()).to_encoded().to_string()
    }

    /// The authenticator for a stored secret, labelled with the account's email.
    pub fn new(secret_base32: &str, email: &str) -> ServiceResult<Authenticator> {
        let corrupt = |what: String| {
            ServiceError::Store(probity_store::StoreError::Corrupt(format!(
                "two-factor secret: {what}"
            )))
        };
        let bytes = Secret::Encoded(secret_base32.to_string())
            .to_bytes()
            .map_err(|e| corrupt(format!("{e:?}")))?;
        // The otpauth label may not hold a colon; an email rarely does, but may.
        let account = email.replace(':', "_");
        TOTP::new(
            Algorithm::SHA1,
            DIGITS,
            SKEW_STEPS as u8,
            STEP_SECONDS,
            bytes,
            Some(ISSUER.to_string()),
            account,
        )
        .map(Authenticator)
        .map_err(|e| corrupt(format!("{e:?}")))
    }

    /// The `otpauth://totp/Probity:<email>?secret=…&issuer=Probity` URI.
    pub fn uri(&self) -> String {
        self.0.get_url()
    }

    /// The code for the step containing `at` (tests use it as an authenticator app would).
    pub fn code_at(&self, at: OffsetDateTime) -> String {
        self.0.generate(unix_seconds(at))
    }

    /// The time step (Unix seconds / 30) whose code is `code`, looking one step either side
    /// of `now`; `None` if none matches. Every candidate is compared in constant time.
    pub fn matching_step(&self, code: &str, now: OffsetDateTime) -> Option<i64> {
        let current = (unix_seconds(now) / STEP_SECONDS) as i64;
        let mut found = None;
        for step in current - SKEW_STEPS..=current + SKEW_STEPS {
            if step < 0 {
                continue;
            }
            let expected = self.0.generate(step as u64 * STEP_SECONDS);
            if constant_time_eq(expected.as_bytes(), code.as_bytes()) && found.is_none() {
                found = Some(step);
            }
        }
        found
    }
}

fn unix_seconds(at: OffsetDateTime) -> u64 {
    at.unix_timestamp().max(0) as u64
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, the SHA-1 rows: the 20-byte ASCII seed "12345678901234567890",
    /// eight digits. Six-digit codes are the last six of these (the same value mod 10^6).
    const RFC6238_SHA1: [(u64, &str); 6] = [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ];

    #[test]
    fn the_crate_reproduces_the_rfc_6238_sha1_vectors() {
        let seed = b"12345678901234567890".to_vec();
        let eight = TOTP::new(Algorithm::SHA1, 8, 1, 30, seed.clone(), None, String::new())
            .expect("valid parameters");
        for (t, want) in RFC6238_SHA1 {
            assert_eq!(eight.generate(t), want, "T = {t}");
        }
        // And our six-digit authenticator on the same seed.
        let secret = Secret::Raw(seed).to_encoded().to_string();
        let ours = Authenticator::new(&secret, "dm@ecju.test").expect("authenticator");
        for (t, want) in RFC6238_SHA1 {
            let at = OffsetDateTime::from_unix_timestamp(t as i64).expect("time");
            assert_eq!(ours.code_at(at), want[2..], "T = {t}");
        }
    }

    #[test]
    fn one_step_either_side_is_accepted_and_no_further() {
        let secret = Authenticator::generate_secret();
        let a = Authenticator::new(&secret, "a@b.test").expect("authenticator");
        let now = time::macros::datetime!(2026-03-02 09:00:10 UTC);
        let step = now.unix_timestamp() / 30;
        let code_at_step = |s: i64| a.code_at(OffsetDateTime::from_unix_timestamp(s * 30).unwrap());
        for (offset, accepted) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = code_at_step(step + offset);
            let got = a.matching_step(&code, now);
            if accepted {
                assert_eq!(got, Some(step + offset), "offset {offset}");
            } else {
                // A far code may collide with a near one by chance (1 in 10^6); it then
                // matches that near step, never its own.
                assert_ne!(got, Some(step + offset), "offset {offset}");
            }
        }
        assert_eq!(a.matching_step("12345", now), None);
    }

    #[test]
    fn the_uri_names_the_issuer_and_account() {
        let a = Authenticator::new("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "dm@ecju.test").unwrap();
        let uri = a.uri();
        assert!(
            uri.starts_with("otpauth://totp/Probity:dm%40ecju.test?"),
            "{uri}"
        );
        assert!(
            uri.contains("secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
            "{uri}"
        );
        assert!(uri.contains("issuer=Probity"), "{uri}");
    }
}
