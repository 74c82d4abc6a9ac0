//! From a name as written to the tokens the matcher compares.
//!
//! Every name, listed or queried, goes through the same steps, so that the two sides meet:
//!
//! 1. Transliteration to Latin letters with `any_ascii` (Unicode's CLDR-based romanisations:
//!    Cyrillic, Arabic, Persian, Greek, Chinese, Korean, Japanese kana, and Latin diacritics).
//!    Han, Hangul and kana syllables become separate tokens, as their romanisations are written.
//! 2. Lower case; apostrophes, backticks (the Arabic ʿayn) and dots inside abbreviations join
//!    (`O'Brien` → `obrien`, `S.A.` → `sa`); every other punctuation mark separates tokens.
//! 3. Legal forms (Ltd, LLC, OOO, GmbH, JSC, Co …, and one letter off a long one: "Limitd",
//!    "Liabilty"), honorifics and titles (Mr, Dr, Sheikh, General …; those that are also
//!    ordinary words, like General, only before the name) and name particles (al, el, bin, de,
//!    van …) are set aside: they are recorded for the explanation, not compared. A name made
//!    only of them keeps them. "A" and "y" with a dot, or first, are initials, not particles.
//! 4. Arabic `Abd al-`/`Abdul`/`Abdel` compounds split into `abd` + the rest, so that
//!    `Abdulrahman`, `Abdul Rahman` and `Abd al-Rahman` give the same tokens.
//! 5. Each token gets a consonant skeleton ([`skeleton`]) under which common transliteration
//!    variants coincide: Mohammed / Muhammad / Mohamad → `mhmd`, Hussein / Husain → `hsn`.

use std::fmt;

/// A word set aside by normalisation, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetAside {
    LegalForm,
    Honorific,
    Particle,
}

impl fmt::Display for SetAside {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::LegalForm => "legal form",
            Self::Honorific => "title",
            Self::Particle => "particle",
        })
    }
}

/// A name ready for comparison.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NormalName {
    /// The compared tokens, in the name's order.
    pub tokens: Vec<String>,
    /// Words set aside, in the name's order.
    pub set_aside: Vec<(String, SetAside)>,
}

impl NormalName {
    /// True when nothing in the name can be compared (empty or punctuation only).
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

/// Single-token legal forms, after dots are joined (`S.A.` → `sa`, `L.L.C.` → `llc`).
#[rustfmt::skip]
const LEGAL_FORMS: &[&str] = &[
    "ab", "ag", "ao", "aps", "as", "bhd", "bv", "cjsc", "co", "company", "corp", "corporation",
    "cv", "eood", "fzc", "fzco", "fze", "fzllc", "gmbh", "inc", "incorporated", "jsc", "kft",
    "kg", "limited", "llc", "llp", "lp", "ltd", "nv", "oao", "ojsc", "ooo", "oy", "pao", "pjs",
    "pjsc", "plc", "pt", "pte", "pty", "sa", "sal", "sarl", "sas", "sdn", "sl", "spa", "srl",
    "sro", "tov", "zao",
];

/// Legal forms of several words, compared on whole tokens.
const LEGAL_PHRASES: &[&[&str]] = &[
    &["joint", "stock"],
    &["joint", "stock", "company"],
    &["closed", "joint", "stock", "company"],
    &["open", "joint", "stock", "company"],
    &["public", "joint", "stock", "company"],
    &["limited", "liability", "company"],
    &["limited", "liability", "partnership"],
    &["free", "zone", "establishment"],
    &["free", "zone", "company"],
    &["societe", "anonyme"],
    &["sociedad", "anonima"],
];

#[rustfmt::skip]
const HONORIFICS: &[&str] = &[
    "admiral", "brig", "brigadier", "capt", "captain", "col", "colonel", "dame", "dr", "gen",
    "general", "haj", "haji", "hajji", "hon", "lieutenant", "lord", "lt", "maj", "major",
    "maulana", "maulavi", "maulvi", "mawlawi", "miss", "mr", "mrs", "ms", "mullah", "prof",
    "professor", "qari", "shaikh", "shaykh", "sheik", "sheikh", "sir",
];

/// Titles that are also ordinary words ("General Trading", "Major Projects"): set aside only
/// before the name, where a title stands.
const WORD_TITLES: &[&str] = &[
    "admiral", "captain", "colonel", "dame", "general", "lord", "major", "sir",
];

/// Legal forms long enough that a word one letter away from one is taken for it, misspelt
/// ("Limitd", "Compny").
const LONG_LEGAL_FORMS: &[&str] = &["company", "corporation", "incorporated", "limited"];

const PARTICLES: &[&str] = &[
    "a", "ad", "al", "an", "ar", "as", "ash", "at", "az", "ben", "bin", "bint", "bn", "da", "de",
    "del", "della", "der", "di", "dos", "du", "el", "ibn", "la", "le", "of", "the", "ul", "van",
    "von", "y",
];

/// Prefixes of Arabic `ʿabd` compounds, longest first.
const ABD_PREFIXES: &[&str] = &["abdoul", "abdul", "abdel", "abdal", "abdol", "abdur", "abd"];

/// Normalises a name (see the module documentation for the steps).
pub fn normalise(name: &str) -> NormalName {
    let words = words(&transliterate(name));
    let plain: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
    let mut out = NormalName::default();
    let mut i = 0;
    while i < words.len() {
        if let Some(len) = legal_phrase_at(&plain[i..]) {
            for w in &plain[i..i + len] {
                out.set_aside.push(((*w).to_owned(), SetAside::LegalForm));
            }
            i += len;
            continue;
        }
        let w = plain[i];
        let aside = if is_legal_form(w) {
            Some(SetAside::LegalForm)
        } else if is_title(w) && (out.tokens.is_empty() || WORD_TITLES.binary_search(&w).is_err()) {
            Some(SetAside::Honorific)
        } else if PARTICLES.binary_search(&w).is_ok()
            // A single letter with a dot or at the start is an initial ("A. Khan", "Y Lee").
            && !(w.len() == 1 && (words[i].dotted || i == 0))
        {
            Some(SetAside::Particle)
        } else {
            None
        };
        match aside {
            Some(why) => out.set_aside.push((w.to_owned(), why)),
            None => split_abd(w, &mut out.tokens),
        }
        i += 1;
    }
    if out.tokens.is_empty() {
        // A name made only of set-aside words ("Trading Co" is not; "Co Ltd" is): keep them,
        // or the name could never be found.
        out.tokens = out.set_aside.drain(..).map(|(w, _)| w).collect();
    }
    out
}

/// Cyrillic transliterations respelt as Latin names write them: `kh` → `h`, `dzh` → `j`
/// ("Khadzhi" is Haji).
pub(crate) fn respell(token: &str) -> std::borrow::Cow<'_, str> {
    if token.contains("kh") || token.contains("dzh") {
        token.replace("dzh", "j").replace("kh", "h").into()
    } else {
        token.into()
    }
}

/// Whether two different words are one letter apart: one substituted, inserted, deleted, or
/// two neighbours swapped (a Damerau distance of 1, without building the distance table).
fn one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a == b || a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    match a.len().cmp(&b.len()) {
        std::cmp::Ordering::Equal => {
            a[p + 1..] == b[p + 1..]
                || (p + 1 < a.len()
                    && a[p] == b[p + 1]
                    && a[p + 1] == b[p]
                    && a[p + 2..] == b[p + 2..])
        }
        std::cmp::Ordering::Less => a[p..] == b[p + 1..],
        std::cmp::Ordering::Greater => a[p + 1..] == b[p..],
    }
}

fn is_title(word: &str) -> bool {
    HONORIFICS.binary_search(&word).is_ok() || HONORIFICS.binary_search(&&*respell(word)).is_ok()
}

/// Whether a word was set aside as a legal form only because it is one letter off one
/// ("Limitd"), for the explanation.
pub fn is_misspelt_legal_form(word: &str) -> bool {
    LEGAL_FORMS.binary_search(&word).is_err() && LEGAL_PHRASES.iter().all(|p| !p.contains(&word))
}

fn is_legal_form(word: &str) -> bool {
    LEGAL_FORMS.binary_search(&word).is_ok()
        || (word.len() >= 6 && LONG_LEGAL_FORMS.iter().any(|f| one_edit(word, f)))
}

/// The longest legal phrase starting here; one of its words may be one letter off
/// ("Limited Liabilty Company", "Joint Stok Company") when four letters or longer.
fn legal_phrase_at(words: &[&str]) -> Option<usize> {
    LEGAL_PHRASES
        .iter()
        .filter(|p| {
            if p.len() > words.len() {
                return false;
            }
            let mut misspelt = 0;
            p.iter().zip(words).all(|(a, b)| {
                if a == b {
                    return true;
                }
                misspelt += 1;
                misspelt == 1 && a.len() >= 4 && one_edit(a, b)
            })
        })
        .map(|p| p.len())
        .max()
}

fn split_abd(word: &str, tokens: &mut Vec<String>) {
    for prefix in ABD_PREFIXES {
        if let Some(rest) = word.strip_prefix(prefix) {
            // "abdullah" → abd + ullah would lose "allah"; only split when the rest is a name
            // of its own (three letters or more) and the word is not "abd" itself.
            if rest.len() >= 3 && word != "abd" {
                push_abd(rest, tokens);
                return;
            }
            if rest.is_empty() || *prefix != "abd" {
                push_abd(rest, tokens);
                return;
            }
        }
    }
    // A typo inside the prefix ("Abkdeljalil", "Abqdallah"): one letter off a prefix that
    // still holds its "d", before a rest of three letters or more.
    if word.len() >= 7 && word.starts_with("ab") {
        for prefix in &ABD_PREFIXES[..ABD_PREFIXES.len() - 1] {
            for cut in prefix.len() - 1..=prefix.len() + 1 {
                let (Some(head), Some(rest)) = (word.get(..cut), word.get(cut..)) else {
                    continue;
                };
                if rest.len() >= 3 && head.contains('d') && one_edit(head, prefix) {
                    push_abd(rest, tokens);
                    return;
                }
            }
        }
    }
    tokens.push(word.to_owned());
}

/// `abd` and what follows it; the spellings of "Allah" (Abdullah, Abdulla, Abdulah,
/// Abdullahi) become one.
fn push_abd(rest: &str, tokens: &mut Vec<String>) {
    tokens.push("abd".to_owned());
    if rest.is_empty() {
        return;
    }
    let allah = matches!(rest.trim_start_matches('l'), "a" | "ah" | "ahi" | "aah");
    tokens.push(if allah { "lah" } else { rest }.to_owned());
}

/// Latin letters for any script, lower case. Syllabic scripts get a space after each
/// syllable so that their romanisations become tokens.
pub fn transliterate(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    for c in name.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        let latin = any_ascii::any_ascii_char(c);
        let syllabic = is_syllabic(c);
        if syllabic {
            out.push(' ');
        }
        for l in latin.chars() {
            out.push(l.to_ascii_lowercase());
        }
        if syllabic {
            out.push(' ');
        }
    }
    out
}

fn is_syllabic(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xAC00..=0xD7AF // Hangul syllables
        | 0xF900..=0xFAFF) // CJK compatibility ideographs
}

/// A word of a name, and whether a dot followed it ("A." is an initial, not the article).
struct Word {
    text: String,
    dotted: bool,
}

/// Splits transliterated text into words of ASCII letters and digits.
fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    for chunk in text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '\'' | '`' | '.')))
    {
        if chunk.is_empty() {
            continue;
        }
        // Dots join abbreviations whose parts are single letters (S.A., L.L.C.); otherwise
        // they separate words ("Co.Ltd").
        let parts: Vec<&str> = chunk.split('.').filter(|p| !p.is_empty()).collect();
        let abbreviation = parts.len() > 1
            && parts
                .iter()
                .all(|p| p.chars().filter(|c| c.is_ascii_alphanumeric()).count() <= 1);
        let pieces: Vec<String> = if abbreviation {
            vec![parts.concat()]
        } else {
            parts.iter().map(|p| (*p).to_owned()).collect()
        };
        let count = pieces.len();
        for (k, piece) in pieces.into_iter().enumerate() {
            let text: String = piece
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect();
            if !text.is_empty() {
                let dotted = k + 1 < count || chunk.ends_with('.');
                out.push(Word { text, dotted });
            }
        }
    }
    out
}

/// The consonant skeleton of a token: transliteration variants of one name share it.
///
/// Vowels (and `y`) are dropped; `ph` → `f`; `c`, `q`, `ck` → `k`; `w` → `v`; `z` → `s`;
/// `x` → `ks`; `kh` → `h` and `dzh` → `j` (Cyrillic Х and Дж as transliterated: Khasan is
/// Hasan, Dzhamal is Jamal); the `h` of gh, sh, th, dh, ch, zh is dropped (Arabic and Cyrillic
/// letters that transliteration systems write with or without it); a final `d` → `t` (Ahmed,
/// Ahmet) in words of four letters or more; doubled letters count once.
pub fn skeleton(token: &str) -> String {
    let bytes = token.as_bytes();
    let mut out = String::with_capacity(bytes.len());
    let mut prev_letter: u8 = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        let mapped: &[u8] = match b {
            b'a' | b'e' | b'i' | b'o' | b'u' | b'y' => b"",
            b'p' if next == b'h' => {
                i += 1;
                b"f"
            }
            b'c' if next == b'k' => {
                i += 1;
                b"k"
            }
            b'k' if next == b'h' => {
                i += 1;
                b"h"
            }
            b'd' if next == b'z' && bytes.get(i + 2) == Some(&b'h') => {
                i += 2;
                b"j"
            }
            b'd' if i + 1 == bytes.len() && bytes.len() >= 4 => b"t",
            b'c' | b'q' => b"k",
            b'w' => b"v",
            b'z' => b"s",
            b'x' => b"ks",
            // gh, sh, th, dh, ch, zh: the h only marks another sound of the letter before.
            b'h' if matches!(prev_letter, b'g' | b's' | b't' | b'd' | b'c' | b'z') => b"",
            _ => std::slice::from_ref(&bytes[i]),
        };
        for &m in mapped {
            if out.as_bytes().last() != Some(&m) {
                out.push(m as char);
            }
        }
        prev_letter = b;
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(name: &str) -> Vec<String> {
        normalise(name).tokens
    }

    #[test]
    fn word_lists_are_sorted_for_binary_search() {
        for list in [LEGAL_FORMS, HONORIFICS, WORD_TITLES, PARTICLES] {
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            assert_eq!(sorted, list);
        }
    }

    #[test]
    fn case_punctuation_and_diacritics() {
        assert_eq!(
            tokens("  MÜLLER-Lüdenscheidt, José  "),
            ["muller", "ludenscheidt", "jose"]
        );
        assert_eq!(tokens("O'Brien"), ["obrien"]);
        assert_eq!(tokens("Straße"), ["strasse"]);
    }

    #[test]
    fn legal_forms_and_titles_are_set_aside() {
        let n = normalise("CIMEX, S.A.");
        assert_eq!(n.tokens, ["cimex"]);
        assert_eq!(n.set_aside, [("sa".to_owned(), SetAside::LegalForm)]);
        assert_eq!(tokens("Rosoboronexport OJSC"), ["rosoboronexport"]);
        assert_eq!(tokens("Acme Trading Co., Ltd."), ["acme", "trading"]);
        assert_eq!(tokens("ACME Joint Stock Company"), ["acme"]);
        assert_eq!(tokens("Sheikh Farooq al-Qahtani"), ["farooq", "qahtani"]);
        assert_eq!(tokens("Dr. Abdul Qadeer Khan"), ["abd", "qadeer", "khan"]);
        // A name made only of set-aside words keeps them.
        assert_eq!(tokens("Co. Ltd"), ["co", "ltd"]);
    }

    #[test]
    fn abd_compounds_meet() {
        assert_eq!(tokens("Abdulrahman"), ["abd", "rahman"]);
        assert_eq!(tokens("Abdul Rahman"), ["abd", "rahman"]);
        assert_eq!(tokens("Abd al-Rahman"), ["abd", "rahman"]);
        assert_eq!(tokens("Abdel Rahman"), ["abd", "rahman"]);
        assert_eq!(tokens("Abdi"), ["abdi"]);
    }

    #[test]
    fn other_scripts_become_latin_tokens() {
        assert_eq!(tokens("Евгений Пригожин"), ["evgeniy", "prigozhin"]);
        assert_eq!(tokens("محمد بن سلمان"), ["mhmd", "slmn"]);
        assert_eq!(tokens("金正恩"), ["jin", "zheng", "en"]);
        assert_eq!(tokens("ООО Ромашка"), ["romashka"]);
    }

    #[test]
    fn one_edit_is_a_damerau_distance_of_one() {
        for (a, b) in [
            ("limitd", "limited"),
            ("compnay", "company"),
            ("xompany", "company"),
        ] {
            assert!(one_edit(a, b) && one_edit(b, a), "{a} {b}");
        }
        for (a, b) in [
            ("company", "company"),
            ("compnya", "company"),
            ("limit", "limited"),
        ] {
            assert!(!one_edit(a, b) && !one_edit(b, a), "{a} {b}");
        }
    }

    #[test]
    fn empty_and_punctuation_only_names_have_no_tokens() {
        assert!(normalise("").is_empty());
        assert!(normalise(" -- .,;' ").is_empty());
    }

    #[test]
    fn skeletons_join_transliteration_variants() {
        for group in [
            &["mohammed", "muhammad", "mohamad", "mohamed", "mhmd"][..],
            &["hussein", "husain", "hossein", "husayn"],
            &["yevgeny", "evgeniy", "evgenii"],
            &["khalid", "khaled"],
            &["osama", "usama"],
            &["qaddafi", "kaddafi"],
        ] {
            let first = skeleton(group[0]);
            for other in group {
                assert_eq!(skeleton(other), first, "{other} vs {}", group[0]);
            }
        }
        assert_eq!(skeleton("philip"), "flp");
        assert_ne!(skeleton("ahmed"), skeleton("ali"));
        assert_ne!(skeleton("smith"), skeleton("smart"));
    }
}
