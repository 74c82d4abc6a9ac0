//! Control-list ratings: kinds, canonical spelling, prefix matching and natural ordering.

use std::cmp::Ordering;
use std::fmt;

use serde::Serialize;

/// What a rating controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RatingKind {
    /// `military=1` in ratings.csv: ML1–ML22 and PL5001/5006/5017/5030/5035.
    Military,
    /// EU dual-use list codes, pattern `\d[A-E]\d{3}` (e.g. 5A002).
    DualUse,
    /// UK national controls PL8xxx and PL9xxx.
    National,
    /// Pseudo-ratings: end-use controls, sanctions regimes (IRN, RUS, …), torture regulation, ….
    Other,
}

impl RatingKind {
    pub const ALL: [RatingKind; 4] = [
        RatingKind::Military,
        RatingKind::DualUse,
        RatingKind::National,
        RatingKind::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RatingKind::Military => "military",
            RatingKind::DualUse => "dual-use",
            RatingKind::National => "national",
            RatingKind::Other => "other",
        }
    }

    /// Parse "military", "dual-use" (or "dual_use", "dualuse"), "national", "other".
    pub fn parse(text: &str) -> Option<RatingKind> {
        let t = text.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        match t.as_str() {
            "military" => Some(RatingKind::Military),
            "dual-use" | "dualuse" => Some(RatingKind::DualUse),
            "national" => Some(RatingKind::National),
            "other" => Some(RatingKind::Other),
            _ => None,
        }
    }
}

impl fmt::Display for RatingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn is_ml_pl(b: &[u8]) -> bool {
    b.len() > 2
        && matches!(
            &b[..2],
            b"ML" | b"PL" | b"ml" | b"pl" | b"Ml" | b"mL" | b"Pl" | b"pL"
        )
        && b[2].is_ascii_digit()
}

fn is_dual_use(b: &[u8]) -> bool {
    b.len() >= 5
        && b[0].is_ascii_digit()
        && matches!(b[1].to_ascii_uppercase(), b'A'..=b'E')
        && b[2..5].iter().all(u8::is_ascii_digit)
}

/// The canonical spelling of a rating: control-list codes get upper-case letters
/// (`ml16` → `ML16`, `5a002` → `5A002`); pseudo-ratings such as `End Use` are kept as written.
pub fn normalise(code: &str) -> String {
    let t = code.trim();
    let b = t.as_bytes();
    if is_ml_pl(b) {
        let mut s = t[..2].to_ascii_uppercase();
        s.push_str(&t[2..]);
        s
    } else if is_dual_use(b) {
        let mut s = String::with_capacity(t.len());
        s.push_str(&t[..1]);
        s.push_str(&t[1..2].to_ascii_uppercase());
        s.push_str(&t[2..]);
        s
    } else {
        t.to_string()
    }
}

/// Classify a canonical code. `military` is the ratings.csv flag, `None` if the code is not there
/// (then ML codes count as military by pattern).
pub fn classify(code: &str, military: Option<bool>) -> RatingKind {
    let b = code.as_bytes();
    let ml = b.len() > 2 && &b[..2] == b"ML" && b[2].is_ascii_digit();
    match military {
        Some(true) => return RatingKind::Military,
        None if ml => return RatingKind::Military,
        _ => {}
    }
    if is_dual_use(b) {
        RatingKind::DualUse
    } else if b.len() > 2 && &b[..2] == b"PL" && matches!(b[2], b'8' | b'9') {
        RatingKind::National
    } else {
        RatingKind::Other
    }
}

/// Does `code` fall under `prefix` (case-insensitive)? For `ML`/`PL` prefixes ending in a digit the
/// next character must not be a digit, so `ML1` matches `ML1` and `ML1a` but not `ML10`.
pub fn matches_prefix(code: &str, prefix: &str) -> bool {
    let (c, p) = (code.as_bytes(), prefix.trim().as_bytes());
    if p.is_empty() || c.len() < p.len() || !c[..p.len()].eq_ignore_ascii_case(p) {
        return false;
    }
    let numbered = is_ml_pl(p) && p[p.len() - 1].is_ascii_digit();
    !(numbered && c.get(p.len()).is_some_and(u8::is_ascii_digit))
}

/// Natural order: digit runs compare as numbers, so ML2 < ML10 and 1A004 < 5A002.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, _) => return Ordering::Less,
            (_, None) => return Ordering::Greater,
            (Some(p), Some(q)) if p.is_ascii_digit() && q.is_ascii_digit() => {
                let i = x.iter().take_while(|c| c.is_ascii_digit()).count();
                let j = y.iter().take_while(|c| c.is_ascii_digit()).count();
                let (dx, dy) = (trim_zeros(&x[..i]), trim_zeros(&y[..j]));
                let ord = dx.len().cmp(&dy.len()).then_with(|| dx.cmp(dy));
                if ord != Ordering::Equal {
                    return ord;
                }
                x = &x[i..];
                y = &y[j..];
            }
            (Some(p), Some(q)) => {
                if p != q {
                    return p.cmp(q);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

fn trim_zeros(d: &[u8]) -> &[u8] {
    let z = d.iter().take_while(|&&c| c == b'0').count();
    &d[z..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_of_control_codes_only() {
        assert_eq!(normalise("ml16"), "ML16");
        assert_eq!(normalise(" 5a002 "), "5A002");
        assert_eq!(normalise("End Use"), "End Use");
        assert_eq!(normalise("Art 4B"), "Art 4B");
        assert_eq!(normalise("PL5017"), "PL5017");
    }

    #[test]
    fn classifies() {
        assert_eq!(classify("ML10", Some(true)), RatingKind::Military);
        assert_eq!(classify("ML99", None), RatingKind::Military);
        assert_eq!(classify("5A002", Some(false)), RatingKind::DualUse);
        assert_eq!(classify("PL9009", Some(false)), RatingKind::National);
        assert_eq!(classify("PL5017", Some(true)), RatingKind::Military);
        assert_eq!(classify("IRN", Some(false)), RatingKind::Other);
    }

    #[test]
    fn prefixes_respect_numbers() {
        assert!(matches_prefix("ML10", "ML10"));
        assert!(!matches_prefix("ML10", "ml1"));
        assert!(matches_prefix("ML1", "ML1"));
        assert!(matches_prefix("ML10", "ML"));
        assert!(matches_prefix("5A002", "5A"));
        assert!(matches_prefix("5A002", "5a00"));
        assert!(!matches_prefix("5B002", "5A"));
    }

    #[test]
    fn natural_order() {
        let mut v = vec!["ML10", "ML2", "5A002", "1A004", "ML1", "End Use", "PL5001"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            ["1A004", "5A002", "End Use", "ML1", "ML2", "ML10", "PL5001"]
        );
    }
}
