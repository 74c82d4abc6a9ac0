//! Word helpers.
use super::*;

// ---------------------------------------------------------------------------------------------
// Word helpers

/// A name written in Latin letters (diacritics allowed), with at least two ASCII letters.
pub(crate) fn is_latin(name: &str) -> bool {
    name.chars()
        .all(|c| !c.is_alphabetic() || (c as u32) < 0x250)
        && name.chars().filter(char::is_ascii_alphabetic).count() >= 2
}

pub(crate) fn letters(token: &str) -> usize {
    token.chars().filter(char::is_ascii_alphabetic).count()
}

/// A word that is part of a person's name proper: two letters or more, not a particle or title
/// ("bin", "al", "Haji").
pub(crate) fn is_name_word(word: &str) -> bool {
    letters(word) >= 2 && !NOT_GIVEN.contains(&word_key(word).as_str())
}

pub(crate) fn name_words(words: &[&str]) -> usize {
    words.iter().filter(|w| is_name_word(w)).count()
}

/// Lower-case ASCII letters of a token (after transliteration): the key words are compared by.
pub(crate) fn word_key(token: &str) -> String {
    transliterate(token)
        .chars()
        .filter(char::is_ascii_alphabetic)
        .collect()
}

/// Lower case, ASCII letters only: the tokens a negative is checked with.
pub(crate) fn simple_tokens(name: &str) -> Vec<String> {
    // Dots and apostrophes join ("S.A." is one word, "sa"; "O'Brien" is "obrien").
    transliterate(name)
        .replace(['.', '\'', '`', '\u{2019}'], "")
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A deliberately loose spelling key, independent of the matcher's own: no vowels, y, h or w,
/// doubled letters once, c/q → k, z → s, x → ks, ph → f, ch → h, no final s. Negatives are checked against it too, so that
/// a spelling variant of a listed name ("Ahmad Hasan" for "Ahmed Hassan") is never labelled
/// a negative: it is one.
pub(crate) fn loose(token: &str) -> String {
    // "ch" as in Mochammad / Mohammad: the h goes, and with it the c. A plural s goes too
    // ("Services" / "Service").
    let token = token
        .strip_suffix('s')
        .filter(|t| t.len() >= 4)
        .unwrap_or(token);
    let token = token
        .replace("ph", "f")
        .replace("ch", "h")
        .replace('x', "ks");
    let mut out = String::new();
    for c in token.chars() {
        let c = match c {
            'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'h' | 'w' => continue,
            'c' | 'q' => 'k',
            'z' => 's',
            c => c,
        };
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// The distinctive words of a name (no legal forms, particles or articles), sorted.
pub(crate) fn content_words(tokens: &[String]) -> Vec<String> {
    sorted_set(
        tokens
            .iter()
            .filter(|t| !STOP_WORDS.contains(&t.as_str()) && !FORM_WORDS.contains(&t.as_str()))
            .cloned()
            .collect(),
    )
}

/// The distinctive words of a name as sorted loose keys.
pub(crate) fn content_keys(tokens: &[String]) -> Vec<String> {
    sorted_set(
        content_words(tokens)
            .iter()
            .map(|t| loose(t))
            .filter(|t| !t.is_empty())
            .collect(),
    )
}

pub(crate) fn sorted_set(mut tokens: Vec<String>) -> Vec<String> {
    tokens.sort();
    tokens.dedup();
    tokens
}

pub(crate) fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `lower` written in the case style of `pattern`: all capitals, all small, or capitalised
/// (each hyphenated part).
pub(crate) fn recase(pattern: &str, lower: &str) -> String {
    let cased: Vec<char> = pattern.chars().filter(|c| c.is_alphabetic()).collect();
    if cased.len() > 1 && cased.iter().all(|c| c.is_uppercase()) {
        lower.to_uppercase()
    } else if cased.first().is_some_and(|c| c.is_uppercase()) {
        lower
            .split('-')
            .map(capitalise)
            .collect::<Vec<_>>()
            .join("-")
    } else {
        lower.to_owned()
    }
}
