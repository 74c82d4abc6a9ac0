//! The candidate index: every listed name, tokenised once, behind three lookups that find the
//! listed tokens a query token may be — the same word, a transliteration variant (same
//! consonant skeleton), or a typo (one edit, found through a deletion neighbourhood, as in
//! SymSpell) — and postings from each listed token to the names that hold it.
//!
//! A query then touches only the names sharing a token with it, instead of every name.

use crate::entry::{EntryKind, ListEntry, ListKind, NameKind, PartialDate};
use crate::normalise::{normalise, respell, skeleton, SetAside};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// One distinct listed token.
#[derive(Debug)]
pub(crate) struct VocabToken {
    pub text: Box<str>,
    pub skeleton: Box<str>,
    /// How much a match on this token counts: rare tokens count more (0.4 to 1.0).
    pub weight: f32,
}

#[derive(Debug)]
pub(crate) struct IndexedEntry {
    pub list: u16,
    pub entry_id: Box<str>,
    pub kind: EntryKind,
    pub dates_of_birth: Vec<PartialDate>,
    /// Countries, normalised to lower-case words for comparison.
    pub countries: Vec<String>,
    /// Countries as the source gives them, for explanations.
    pub country_names: Vec<String>,
    /// The words of its addresses that place it (`evidence::place_words`).
    pub address_words: Vec<Box<str>>,
}

#[derive(Debug)]
pub(crate) struct IndexedName {
    pub entry: u32,
    pub name: Box<str>,
    pub kind: NameKind,
    pub tokens: Vec<u32>,
    pub set_aside: Vec<(String, SetAside)>,
    /// The least the name's side of a score's denominator can be (middle tokens at half).
    pub min_weight: f32,
    /// Single-letter tokens that may stand for a word of the query (see [`initial_at`]).
    pub initials: u8,
}

/// Why a query token may be a listed token.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum How {
    Exact,
    /// Same consonant skeleton, close in spelling: a transliteration variant.
    Variant,
    /// Edits apart (1 or 2).
    Typo(u8),
    /// One side is a single letter, the initial of the other.
    Initial,
}

/// Similarity given to each kind of token match.
pub(crate) fn how_sim(how: How, longer: usize) -> f32 {
    match how {
        How::Exact => 1.0,
        How::Variant => 0.9,
        How::Typo(edits) => (1.0 - f32::from(edits) / longer as f32).max(0.75),
        How::Initial => 0.75,
    }
}

/// Keys that are already hashes need no second hashing.
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// FNV-1a over the token's bytes with one position skipped (`usize::MAX`: none).
fn key(token: &[u8], skip: usize) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, &b) in token.iter().enumerate() {
        if i != skip {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    // Mix the length in, so "ab" with nothing skipped and "abc" minus "c" share a key
    // while distinct lengths of unrelated words rarely collide.
    h ^ ((token.len() - usize::from(skip != usize::MAX)) as u64).wrapping_mul(0x9e37_79b9)
}

/// Tokens shorter than this are only matched exactly (or as initials).
pub(crate) const MIN_FUZZY_LEN: usize = 4;

/// Edits allowed between two tokens, by the longer one's length.
pub(crate) fn allowed_edits(longer: usize) -> usize {
    match longer {
        0..MIN_FUZZY_LEN => 0,
        MIN_FUZZY_LEN..=7 => 1,
        _ => 2,
    }
}

/// The index over every loaded list.
#[derive(Debug, Default)]
pub struct Index {
    pub(crate) lists: Vec<ListKind>,
    pub(crate) entries: Vec<IndexedEntry>,
    pub(crate) names: Vec<IndexedName>,
    pub(crate) vocab: Vec<VocabToken>,
    by_text: HashMap<Box<str>, u32>,
    by_skeleton: HashMap<Box<str>, Vec<u32>>,
    by_deletion: KeyMap<Vec<u32>>,
    pub(crate) postings: Vec<Vec<u32>>,
}

impl Index {
    /// Builds the index over lists of entries.
    pub fn build<'a>(lists: impl IntoIterator<Item = (ListKind, &'a [ListEntry])>) -> Self {
        let mut index = Index::default();
        for (kind, entries) in lists {
            let list = index.lists.len() as u16;
            index.lists.push(kind);
            for entry in entries {
                index.add_entry(list, entry);
            }
        }
        index.finish();
        index
    }

    fn add_entry(&mut self, list: u16, entry: &ListEntry) {
        let entry_no = self.entries.len() as u32;
        self.entries.push(IndexedEntry {
            list,
            entry_id: entry.entry_id.as_str().into(),
            kind: entry.kind,
            dates_of_birth: entry.dates_of_birth.clone(),
            countries: entry.countries.iter().map(|c| country_key(c)).collect(),
            country_names: entry.countries.clone(),
            address_words: {
                let mut words: Vec<Box<str>> = entry
                    .addresses
                    .iter()
                    .flat_map(|a| crate::evidence::place_words(a))
                    .collect();
                words.sort();
                words.dedup();
                words
            },
        });
        let mut seen: Vec<Vec<String>> = Vec::new();
        for name in &entry.names {
            let normal = normalise(&name.name);
            // Aliases that normalise alike ("BNC" and "B.N.C.") are one name to the matcher.
            if normal.is_empty() || seen.contains(&normal.tokens) {
                continue;
            }
            seen.push(normal.tokens.clone());
            let tokens = normal.tokens.iter().map(|t| self.intern(t)).collect();
            let initials = (0..normal.tokens.len())
                .filter(|&j| initial_at(entry.kind, &normal.tokens, j))
                .count()
                .min(255) as u8;
            self.names.push(IndexedName {
                entry: entry_no,
                name: name.name.as_str().into(),
                kind: name.kind,
                tokens,
                set_aside: normal.set_aside,
                min_weight: 0.0,
                initials,
            });
        }
    }

    fn intern(&mut self, token: &str) -> u32 {
        if let Some(&id) = self.by_text.get(token) {
            return id;
        }
        let id = self.vocab.len() as u32;
        let skel = skeleton(token);
        self.vocab.push(VocabToken {
            text: token.into(),
            skeleton: skel.into(),
            weight: 1.0,
        });
        self.by_text.insert(token.into(), id);
        id
    }

    fn finish(&mut self) {
        let mut postings = vec![Vec::new(); self.vocab.len()];
        for (n, name) in self.names.iter().enumerate() {
            for &t in &name.tokens {
                let list: &mut Vec<u32> = &mut postings[t as usize];
                if list.last() != Some(&(n as u32)) {
                    list.push(n as u32);
                }
            }
        }
        let total = self.names.len().max(2) as f32;
        for (t, token) in self.vocab.iter_mut().enumerate() {
            token.weight = weight_for(postings[t].len(), total);
        }
        for (id, token) in self.vocab.iter().enumerate() {
            let id = id as u32;
            // Three-letter names meet on one consonant ("Aly", "Ali"; "Bio", "Beo").
            if token.text.len() >= 3 && !token.skeleton.is_empty() {
                self.by_skeleton
                    .entry(token.skeleton.clone())
                    .or_default()
                    .push(id);
            }
            let bytes = token.text.as_bytes();
            // Three-letter tokens are found from four-letter queries one letter longer
            // ("Alli" → "ali"), never from other three-letter words.
            if bytes.len() >= MIN_FUZZY_LEN - 1 {
                self.by_deletion
                    .entry(key(bytes, usize::MAX))
                    .or_default()
                    .push(id);
            }
            if bytes.len() >= MIN_FUZZY_LEN {
                for skip in 0..bytes.len() {
                    let bucket = self.by_deletion.entry(key(bytes, skip)).or_default();
                    if bucket.last() != Some(&id) {
                        bucket.push(id);
                    }
                }
            }
        }
        for name in &mut self.names {
            let weights = name.tokens.iter().map(|&t| {
                let v = &self.vocab[t as usize];
                if v.text.len() == 1 {
                    INITIAL_WEIGHT
                } else {
                    v.weight
                }
            });
            name.min_weight = side_min_weight(weights.collect(), &name.tokens);
        }
        self.postings = postings;
    }

    /// How many entries and names the index holds.
    pub fn len(&self) -> (usize, usize) {
        (self.entries.len(), self.names.len())
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The weight of a query token: a listed token's own, or the highest for an unknown one.
    pub(crate) fn weight_of(&self, token: &str) -> f32 {
        if token.len() == 1 {
            return INITIAL_WEIGHT;
        }
        self.by_text
            .get(token)
            .map(|&id| self.vocab[id as usize].weight)
            .unwrap_or(1.0)
    }

    /// Every listed token the query token may be, each once with its best reading.
    pub(crate) fn lookup(&self, token: &str, out: &mut Vec<(u32, How)>) {
        out.clear();
        if let Some(&id) = self.by_text.get(token) {
            out.push((id, How::Exact));
        }
        if token.len() >= 3 {
            let skel = skeleton(token);
            if let Some(ids) = self.by_skeleton.get(skel.as_str()) {
                // One consonant is too little to take a vowelless spelling on trust.
                let long = skel.len() >= 2;
                let vowelless = long && written_without_vowels(token);
                for &id in ids {
                    let other = &self.vocab[id as usize];
                    if out.iter().any(|(o, _)| *o == id) {
                        continue;
                    }
                    if vowelless
                        || (long && written_without_vowels(&other.text))
                        || variant_close(token, &other.text)
                    {
                        out.push((id, How::Variant));
                    }
                }
            }
        }
        let bytes = token.as_bytes();
        if bytes.len() >= MIN_FUZZY_LEN - 1 {
            let mut candidates: Vec<u32> = Vec::new();
            if let Some(ids) = self.by_deletion.get(&key(bytes, usize::MAX)) {
                candidates.extend(ids);
            }
            if bytes.len() >= MIN_FUZZY_LEN {
                for skip in 0..bytes.len() {
                    if let Some(ids) = self.by_deletion.get(&key(bytes, skip)) {
                        candidates.extend(ids);
                    }
                }
            }
            candidates.sort_unstable();
            candidates.dedup();
            for id in candidates {
                if out.iter().any(|(o, _)| *o == id) {
                    continue;
                }
                let other = &self.vocab[id as usize];
                let longer = other.text.len().max(token.len());
                let allowed = allowed_edits(longer);
                if allowed == 0 {
                    continue;
                }
                let edits = strsim::damerau_levenshtein(token, &other.text);
                if edits > 0 && edits <= allowed {
                    out.push((id, How::Typo(edits as u8)));
                }
            }
        }
    }
}

/// A single letter counts little: it is an initial.
pub(crate) const INITIAL_WEIGHT: f32 = 0.3;

fn weight_for(names_with_token: usize, total_names: f32) -> f32 {
    let df = names_with_token.max(1) as f32;
    0.4 + 0.6 * ((total_names / df).ln() / total_names.ln()).clamp(0.0, 1.0)
}

/// The least one side's weights can add up to in a score's denominator: unmatched middle
/// tokens (not the first or the last) and repeated tokens count half; see `matcher`.
pub(crate) fn side_min_weight<T: PartialEq>(weights: Vec<f32>, tokens: &[T]) -> f32 {
    let len = weights.len();
    weights
        .into_iter()
        .enumerate()
        .map(|(i, w)| {
            if is_middle(i, len) || repeated(tokens, i) {
                w * MIDDLE_FACTOR
            } else {
                w
            }
        })
        .sum()
}

/// What an unmatched middle name counts for: names are often given without them. A word
/// repeated in a name ("Barrera Barrera") counts so too once its twin is matched.
pub(crate) const MIDDLE_FACTOR: f32 = 0.5;

pub(crate) fn is_middle(position: usize, len: usize) -> bool {
    len >= 3 && position > 0 && position + 1 < len
}

/// Whether the token at `position` occurs elsewhere in the name too.
pub(crate) fn repeated<T: PartialEq>(tokens: &[T], position: usize) -> bool {
    tokens
        .iter()
        .enumerate()
        .any(|(k, t)| k != position && *t == tokens[position])
}

/// Whether a single-letter token of a listed name may be the initial of a query word: only in
/// a person's name (or one of unknown kind), and not as its last word ("LYNN S", "SMT-K" are
/// names of their own, not initials).
pub(crate) fn initial_at<T: AsRef<str>>(kind: EntryKind, tokens: &[T], position: usize) -> bool {
    kind != EntryKind::Entity && tokens[position].as_ref().len() == 1 && position + 1 < tokens.len()
}

/// Same skeleton is not enough on its own: "john" and "jane" share one. The spellings must
/// also be close — at most a third of the longer apart, and never more than the vowels
/// could explain.
fn variant_close(a: &str, b: &str) -> bool {
    let (a, b) = (respell(a), respell(b));
    let longer = a.len().max(b.len());
    let allowed = (longer / 3).max(2).min(longer / 2);
    a.len().abs_diff(b.len()) <= allowed && strsim::damerau_levenshtein(&a, &b) <= allowed
}

/// Abjad scripts (Arabic, Persian, Hebrew) transliterate without short vowels: "mhmd".
fn written_without_vowels(token: &str) -> bool {
    !token
        .bytes()
        .any(|b| matches!(b, b'a' | b'e' | b'i' | b'o' | b'u'))
}

/// Lower-case words of a country name, for comparing "IRAN" with "Iran".
pub(crate) fn country_key(country: &str) -> String {
    normalise(country).tokens.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::EntryName;

    fn entry(id: &str, names: &[&str]) -> ListEntry {
        ListEntry {
            entry_id: id.into(),
            kind: EntryKind::Individual,
            names: names
                .iter()
                .map(|n| EntryName {
                    name: (*n).into(),
                    kind: NameKind::Primary,
                })
                .collect(),
            dates_of_birth: vec![],
            countries: vec![],
            addresses: vec![],
            programmes: vec![],
            listed_on: None,
            remarks: String::new(),
        }
    }

    fn found(index: &Index, token: &str) -> Vec<(String, How)> {
        let mut out = Vec::new();
        index.lookup(token, &mut out);
        let mut found: Vec<_> = out
            .into_iter()
            .map(|(id, how)| (index.vocab[id as usize].text.to_string(), how))
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found
    }

    #[test]
    fn lookup_finds_exact_variants_and_typos_only() {
        let entries = [
            entry("1", &["Muhammad Hussein"]),
            entry("2", &["John Smith"]),
            entry("3", &["Jane Smythe"]),
        ];
        let index = Index::build([(ListKind::Un, &entries[..])]);
        assert_eq!(
            found(&index, "mohammed"),
            [("muhammad".to_owned(), How::Variant)]
        );
        assert_eq!(
            found(&index, "husain"),
            [("hussein".to_owned(), How::Variant)]
        );
        assert_eq!(found(&index, "smiht"), [("smith".to_owned(), How::Typo(1))]);
        // Smith and Smythe are spellings of one name.
        assert_eq!(
            found(&index, "smith"),
            [
                ("smith".to_owned(), How::Exact),
                ("smythe".to_owned(), How::Variant)
            ]
        );
        // Shares a skeleton with "john" but is not a spelling of it.
        assert_eq!(found(&index, "jane"), [("jane".to_owned(), How::Exact)]);
        assert!(found(&index, "jones").is_empty());
        // Arabic script transliterates without vowels and still meets the vowelled spelling.
        assert_eq!(
            found(&index, "mhmd"),
            [("muhammad".to_owned(), How::Variant)]
        );
    }

    #[test]
    fn rare_tokens_weigh_more() {
        let entries = [
            entry("1", &["Ali Rare"]),
            entry("2", &["Ali Common"]),
            entry("3", &["Ali Other"]),
        ];
        let index = Index::build([(ListKind::Un, &entries[..])]);
        assert!(index.weight_of("rare") > index.weight_of("ali"));
        assert_eq!(index.weight_of("unknown"), 1.0);
    }
}
