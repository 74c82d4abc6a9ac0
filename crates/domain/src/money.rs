//! Money as integer minor units with a currency. Amounts typed by people are parsed digit by
//! digit, never through floating point, so "0.29" is exactly 29 pence.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    Gbp,
    Eur,
    Usd,
}

impl Currency {
    pub const ALL: [Currency; 3] = [Self::Gbp, Self::Eur, Self::Usd];

    /// ISO 4217 code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Gbp => "GBP",
            Self::Eur => "EUR",
            Self::Usd => "USD",
        }
    }

    pub const fn symbol(self) -> &'static str {
        match self {
            Self::Gbp => "£",
            Self::Eur => "€",
            Self::Usd => "$",
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(s))
            .ok_or_else(|| MoneyError::UnknownCurrency(s.chars().take(16).collect()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("enter an amount")]
    Empty,
    #[error("the amount cannot be negative")]
    Negative,
    #[error("the amount can have at most two decimal places")]
    TooManyDecimals,
    #[error("{0:?} is not an amount: use digits, optional thousands commas and up to two decimals, like 1,234.56")]
    Malformed(String),
    #[error("the amount is above the maximum of 10,000,000,000.00")]
    TooLarge,
    #[error("unknown currency {0:?}: expected GBP, EUR or USD")]
    UnknownCurrency(String),
}

/// An amount in minor units (pence, cents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    /// Ten billion in major units: more than any single goods line could sensibly be worth.
    pub const MAX_MINOR: i64 = 1_000_000_000_000;

    pub const fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    pub const fn gbp(minor: i64) -> Self {
        Self::new(minor, Currency::Gbp)
    }

    pub const fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    /// Parses a non-negative amount in major units: "1234", "1234.5", "1,234.56", optionally
    /// preceded by this currency's symbol. Thousands commas, when used, must group by three.
    pub fn parse_major(input: &str, currency: Currency) -> Result<Money, MoneyError> {
        let text = input.trim();
        let text = text.strip_prefix(currency.symbol()).unwrap_or(text).trim();
        if text.is_empty() {
            return Err(MoneyError::Empty);
        }
        if text.starts_with('-') {
            return Err(MoneyError::Negative);
        }
        let malformed = || MoneyError::Malformed(input.trim().chars().take(40).collect());
        let (whole, fraction) = match text.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (text, None),
        };
        let digits = whole_digits(whole).ok_or_else(malformed)?;
        let fraction_minor = match fraction {
            None => 0,
            Some(f) if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) => {
                return Err(malformed())
            }
            Some(f) if f.len() > 2 => return Err(MoneyError::TooManyDecimals),
            Some(f) => {
                let v: i64 = f.parse().map_err(|_| malformed())?;
                if f.len() == 1 {
                    v * 10
                } else {
                    v
                }
            }
        };
        let mut major: i64 = 0;
        for d in digits.bytes() {
            major = major
                .checked_mul(10)
                .and_then(|m| m.checked_add(i64::from(d - b'0')))
                .ok_or(MoneyError::TooLarge)?;
        }
        let minor = major
            .checked_mul(100)
            .and_then(|m| m.checked_add(fraction_minor))
            .ok_or(MoneyError::TooLarge)?;
        if minor > Self::MAX_MINOR {
            return Err(MoneyError::TooLarge);
        }
        Ok(Money::new(minor, currency))
    }

    /// Sum of two amounts in the same currency; `None` on a currency mismatch or overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        self.minor
            .checked_add(other.minor)
            .map(|minor| Money::new(minor, self.currency))
    }

    /// The amount in major units without symbol or grouping, e.g. "1234.56" (for CSV and forms).
    pub fn format_plain(&self) -> String {
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// The integer part with any thousands commas removed, if it is well formed.
fn whole_digits(whole: &str) -> Option<String> {
    if whole.is_empty() {
        return None;
    }
    if !whole.contains(',') {
        return whole
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| whole.to_string());
    }
    let groups: Vec<&str> = whole.split(',').collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    let all_digits = groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
    (first_ok && rest_ok && all_digits).then(|| groups.concat())
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        write!(
            f,
            "{sign}{}{}.{:02}",
            self.currency.symbol(),
            group_thousands(abs / 100),
            abs % 100
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_major_units_exactly() {
        let table: &[(&str, i64)] = &[
            ("0", 0),
            ("1234", 123_400),
            ("1234.5", 123_450),
            ("1234.56", 123_456),
            ("1,234.56", 123_456),
            ("1,234", 123_400),
            ("12,345,678.09", 1_234_567_809),
            ("0.29", 29),
            ("0.01", 1),
            ("0.1", 10),
            ("007", 700),
            ("  42.00 ", 4_200),
            ("£1,000", 100_000),
            ("£ 5", 500),
            ("10000000000", Money::MAX_MINOR),
            ("10,000,000,000.00", Money::MAX_MINOR),
        ];
        for (input, minor) in table {
            assert_eq!(
                Money::parse_major(input, Currency::Gbp),
                Ok(Money::gbp(*minor)),
                "{input:?}"
            );
        }
    }

    #[test]
    fn rejects_bad_amounts() {
        use MoneyError as E;
        let table: &[(&str, MoneyError)] = &[
            ("", E::Empty),
            ("   ", E::Empty),
            ("£", E::Empty),
            ("-1", E::Negative),
            ("-0.01", E::Negative),
            ("1.234", E::TooManyDecimals),
            ("0.001", E::TooManyDecimals),
            ("10000000000.01", E::TooLarge),
            ("99999999999999999999999", E::TooLarge),
            ("abc", E::Malformed("abc".into())),
            ("1.", E::Malformed("1.".into())),
            (".5", E::Malformed(".5".into())),
            ("1.2.3", E::Malformed("1.2.3".into())),
            ("1e3", E::Malformed("1e3".into())),
            ("+5", E::Malformed("+5".into())),
            ("12,34", E::Malformed("12,34".into())),
            ("1234,567", E::Malformed("1234,567".into())),
            (",123", E::Malformed(",123".into())),
            ("1,,234", E::Malformed("1,,234".into())),
            ("1 234", E::Malformed("1 234".into())),
            ("€5", E::Malformed("€5".into())),
            ("1.-5", E::Malformed("1.-5".into())),
            ("NaN", E::Malformed("NaN".into())),
        ];
        for (input, expected) in table {
            assert_eq!(
                Money::parse_major(input, Currency::Gbp),
                Err(expected.clone()),
                "{input:?}"
            );
        }
    }

    #[test]
    fn symbol_must_match_currency() {
        assert_eq!(
            Money::parse_major("€5", Currency::Eur),
            Ok(Money::new(500, Currency::Eur))
        );
        assert!(Money::parse_major("$5", Currency::Eur).is_err());
    }

    #[test]
    fn displays_with_symbol_and_grouping() {
        let table = [
            (Money::gbp(123_456), "£1,234.56"),
            (Money::gbp(0), "£0.00"),
            (Money::gbp(5), "£0.05"),
            (Money::gbp(100_000_000), "£1,000,000.00"),
            (Money::new(99_999, Currency::Eur), "€999.99"),
            (Money::new(12_345_678_901, Currency::Usd), "$123,456,789.01"),
            (Money::gbp(-150), "-£1.50"),
            (Money::gbp(i64::MIN), "-£92,233,720,368,547,758.08"),
        ];
        for (money, text) in table {
            assert_eq!(money.to_string(), text);
        }
        assert_eq!(Money::gbp(123_456).format_plain(), "1234.56");
    }

    #[test]
    fn currencies() {
        for c in Currency::ALL {
            assert_eq!(c.code().parse::<Currency>(), Ok(c));
            assert_eq!(c.code().to_lowercase().parse::<Currency>(), Ok(c));
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.code())
            );
        }
        assert!(matches!(
            "JPY".parse::<Currency>(),
            Err(MoneyError::UnknownCurrency(_))
        ));
    }

    #[test]
    fn checked_add() {
        assert_eq!(
            Money::gbp(1).checked_add(Money::gbp(2)),
            Some(Money::gbp(3))
        );
        assert_eq!(
            Money::gbp(1).checked_add(Money::new(2, Currency::Eur)),
            None
        );
        assert_eq!(Money::gbp(i64::MAX).checked_add(Money::gbp(1)), None);
    }

    proptest! {
        #[test]
        fn display_then_parse_round_trips(minor in 0i64..=Money::MAX_MINOR) {
            let m = Money::gbp(minor);
            prop_assert_eq!(Money::parse_major(&m.to_string(), Currency::Gbp), Ok(m));
            prop_assert_eq!(Money::parse_major(&m.format_plain(), Currency::Gbp), Ok(m));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = Money::parse_major(&s, Currency::Usd);
        }

        #[test]
        fn parsed_amounts_are_in_range(s in "[0-9,.]{1,16}") {
            if let Ok(m) = Money::parse_major(&s, Currency::Gbp) {
                prop_assert!((0..=Money::MAX_MINOR).contains(&m.minor));
            }
        }
    }
}
