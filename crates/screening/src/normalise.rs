//! From a name as written to the tokens the matcher compares.
//!
//! Every name, listed or queried, goes through the same steps, so that the two sides meet:
//!
//! 1. Transliteration to Latin letters with `any_ascii` (Unicode's CLDR-based romanisations:
//!    Cyrillic, Arabic, Persian, Greek, Chinese, Korean, Japanese kana, and Latin diacritics).
//!    Han, Hangul and kana syllables become separate tokens, as their romanisations are written.
//! 2. Lower case; apostrophes, backticks (the Arabic ʿayn) and dots inside abbreviations join
//!    (`O'Brien` → `obrien`, `S.A.` → `sa`); every other punctuation mark separates tokens.
//! 3. Legal forms (Ltd, LLC, OOO, GmbH, JSC, Co …), honorifics and titles (Mr, Dr, Sheikh,
//!    General …) and name particles (al, el, bin, de, van …) are set aside: they are recorded
//!    for the explanation, not compared. A name made only of them keeps them.
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
const LEGAL_FORMS: &[&str] = &[
    "ab",
    "ag",
    "ao",
    "aps",
    "as",
    "bhd",
    "bv",
    "cjsc",
    "co",
    "company",
    "corp",
    "corporation",
    "cv",
    "eood",
    "fzc",
    "fzco",
    "fze",
    "fzllc",
    "gmbh",
    "inc",
    "incorporated",
    "jsc",
    "kft",
    "kg",
    "limited",
    "llc",
    "llp",
    "lp",
    "ltd",
    "nv",
    "oao",
    "ojsc",
    "ooo",
    "oy",
    "pao",
    "pjs",
    "pjsc",
    "plc",
    "pt",
    "pte",
    "pty",
    "sa",
    "sal",
    "sarl",
    "sas",
    "sdn",
    "sl",
    "spa",
    "srl",
    "sro",
    "tov",
    "zao",
];

/// Legal forms of several words, compared on whole tokens.
const LEGAL_PHRASES: &[&[&str]] = &[
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

const HONORIFICS: &[&str] = &[
    "admiral",
    "brig",
    "brigadier",
    "capt",
    "captain",
    "col",
    "colonel",
    "dame",
    "dr",
    "gen",
    "general",
    "haj",
    "haji",
    "hajji",
    "hon",
    "lieutenant",
    "lord",
    "lt",
    "maj",
    "major",
    "maulana",
    "maulavi",
    "maulvi",
    "mawlawi",
    "miss",
    "mr",
    "mrs",
    "ms",
    "mullah",
    "prof",
    "professor",
    "qari",
    "shaikh",
    "shaykh",
    "sheik",
    "sheikh",
    "sir",
];

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
    let mut out = NormalName::default();
    let mut i = 0;
    while i < words.len() {
        if let Some(len) = legal_phrase_at(&words[i..]) {
            for w in &words[i..i + len] {
                out.set_aside.push((w.clone(), SetAside::LegalForm));
            }
            i += len;
            continue;
        }
        let w = &words[i];
        let aside = if LEGAL_FORMS.binary_search(&w.as_str()).is_ok() {
            Some(SetAside::LegalForm)
        } else if HONORIFICS.binary_search(&w.as_str()).is_ok() {
            Some(SetAside::Honorific)
        } else if PARTICLES.binary_search(&w.as_str()).is_ok() {
            Some(SetAside::Particle)
        } else {
            None
        };
        match aside {
            Some(why) => out.set_aside.push((w.clone(), why)),
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

fn legal_phrase_at(words: &[String]) -> Option<usize> {
    LEGAL_PHRASES
        .iter()
        .filter(|p| p.len() <= words.len() && p.iter().zip(words).all(|(a, b)| *a == b))
        .map(|p| p.len())
        .max()
}

fn split_abd(word: &str, tokens: &mut Vec<String>) {
    for prefix in ABD_PREFIXES {
        if let Some(rest) = word.strip_prefix(prefix) {
            // "abdullah" → abd + ullah would lose "allah"; only split when the rest is a name
            // of its own (three letters or more) and the word is not "abd" itself.
            if rest.len() >= 3 && word != "abd" {
                tokens.push("abd".to_owned());
                tokens.push(rest.to_owned());
                return;
            }
            if rest.is_empty() || *prefix != "abd" {
                tokens.push("abd".to_owned());
                if !rest.is_empty() {
                    tokens.push(rest.to_owned());
                }
                return;
            }
        }
    }
    tokens.push(word.to_owned());
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

/// Splits transliterated text into words of ASCII letters and digits.
fn words(text: &str) -> Vec<String> {
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
        for piece in pieces {
            let word: String = piece
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect();
            if !word.is_empty() {
                out.push(word);
            }
        }
    }
    out
}

/// The consonant skeleton of a token: transliteration variants of one name share it.
///
/// Vowels (and `y`) are dropped; `ph` → `f`; `c`, `q`, `ck` → `k`; `w` → `v`; `z` → `s`;
/// `x` → `ks`; the `h` of kh, gh, sh, th, dh, ch, zh is dropped (Arabic and Cyrillic letters
/// that transliteration systems write with or without it); doubled letters count once.
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
            b'c' | b'q' => b"k",
            b'w' => b"v",
            b'z' => b"s",
            b'x' => b"ks",
            // kh, gh, sh, th, dh, ch, zh: the h only marks another sound of the letter before.
            b'h' if matches!(prev_letter, b'k' | b'g' | b's' | b't' | b'd' | b'c' | b'z') => b"",
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
        for list in [LEGAL_FORMS, HONORIFICS, PARTICLES] {
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
