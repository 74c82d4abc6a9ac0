//! Scoring a query against the index, with an explanation a caseworker can read.
//!
//! The score of a query against one listed name is a weighted share of matched tokens, in any
//! order. Each token weighs by its rarity in the lists (`index`); a pair of matched tokens
//! contributes its similarity (exact 1.0, transliteration variant 0.9, a typo 0.75–0.9, an
//! initial 0.75) times both tokens' weights; the denominator is every token's weight on both
//! sides, except that an unmatched *middle* name (or a word repeated in the name, once its twin
//! is matched) counts half, because names are often given without them. Initials match only
//! in people's names, and a single letter ending a listed name is not taken for an initial:
//!
//! ```text
//!            Σ over matched pairs (i, j) of  sim(i, j) · (w_i + w_j)
//! score = ─────────────────────────────────────────────────────────────
//!          Σ query weights + Σ listed weights   (unmatched middles at ½)
//! ```
//!
//! Supporting evidence then moves the score a little: a date of birth or country that agrees
//! raises it, one that disagrees lowers it; so does a person matched against an organisation.
//! A listed surname with another given name scores about one half: well under any sensible
//! threshold.

use crate::entry::{EntryKind, ListKind, NameKind, PartialDate};
use crate::index::{
    how_sim, initial_at, is_middle, repeated, How, Index, INITIAL_WEIGHT, MIDDLE_FACTOR,
};
use crate::normalise::{is_misspelt_legal_form, normalise, NormalName, SetAside};
use serde::Serialize;
use std::fmt::Write;

/// The threshold `probity screen` and the workflow use unless told otherwise; chosen from the
/// labelled set in BENCHMARKS.md, and confirmed after tuning on two generated sets (seeds 12
/// and 99): recall stays within 0.1 point of its best down to 0.72, while lower thresholds
/// flag more negatives.
pub const DEFAULT_THRESHOLD: f32 = 0.80;

/// At most this many matches are returned per query, best first.
pub const MAX_MATCHES: usize = 10;

/// What is screened: a name, and what else is known about the party.
#[derive(Debug, Clone, Default)]
pub struct Query<'a> {
    pub name: &'a str,
    pub kind: Option<EntryKind>,
    /// A country name or ISO code as the caller has it; compared with the entry's countries.
    pub country: Option<&'a str>,
    pub date_of_birth: Option<PartialDate>,
    /// The party's address as given; place names in common with the entry's raise the score.
    pub address: Option<&'a str>,
}

/// One listed entry the query may be.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    pub list: String,
    pub entry_id: String,
    pub matched_name: String,
    #[serde(skip)]
    pub name_kind: NameKind,
    #[serde(skip)]
    pub entry_kind: EntryKind,
    /// In [0, 1], two decimals.
    pub score: f32,
    pub explanation: String,
}

/// Buffers reused from one query to the next (one per thread).
#[derive(Debug, Default)]
pub struct Scratch {
    acc: Vec<f32>,
    touched: Vec<u32>,
    lookups: Vec<Vec<(u32, How)>>,
    one: Vec<(u32, How)>,
}

/// Largest evidence bonus, so pruning never drops a name the bonus would lift.
const MAX_BONUS: f32 = 0.08 + crate::evidence::ADDRESS_BONUS;

/// The most one initial can add to a score's numerator: its similarity times an initial's
/// weight and the heaviest full token's.
const MAX_INITIAL_GAIN: f32 = 0.75 * (INITIAL_WEIGHT + 1.0);

impl Index {
    /// Screens one query; matches at or above `threshold`, best first, one per entry.
    pub fn screen(&self, query: &Query<'_>, threshold: f32) -> Vec<Match> {
        self.screen_with(&mut Scratch::default(), query, threshold)
    }

    /// As [`Index::screen`], reusing `scratch` between calls.
    pub fn screen_with(
        &self,
        scratch: &mut Scratch,
        query: &Query<'_>,
        threshold: f32,
    ) -> Vec<Match> {
        let normal = normalise(query.name);
        if normal.is_empty() || self.is_empty() {
            return Vec::new();
        }
        let q_tokens = &normal.tokens;
        let q_weights: Vec<f32> = q_tokens.iter().map(|t| self.weight_of(t)).collect();
        let q_min = crate::index::side_min_weight(q_weights.clone(), q_tokens);
        // Initials are not in the index's lookups: what they could add is added to the bound.
        let q_initials = q_tokens.iter().filter(|t| t.len() == 1).count() as f32 * MAX_INITIAL_GAIN;

        if scratch.acc.len() != self.names.len() {
            scratch.acc = vec![0.0; self.names.len()];
        }
        scratch.lookups.resize_with(q_tokens.len(), Vec::new);
        for (i, token) in q_tokens.iter().enumerate() {
            self.lookup(token, &mut scratch.one);
            std::mem::swap(&mut scratch.lookups[i], &mut scratch.one);
            for &(vocab, how) in &scratch.lookups[i] {
                let v = &self.vocab[vocab as usize];
                let gain = how_sim(how, v.text.len().max(token.len())) * (q_weights[i] + v.weight);
                for &name in &self.postings[vocab as usize] {
                    let slot = &mut scratch.acc[name as usize];
                    if *slot == 0.0 {
                        scratch.touched.push(name);
                    }
                    *slot += gain;
                }
            }
        }

        let mut best: Vec<(u32, f32, Scored)> = Vec::new();
        for &n in &scratch.touched {
            let name = &self.names[n as usize];
            let bound =
                (scratch.acc[n as usize] + q_initials + name.initials as f32 * MAX_INITIAL_GAIN)
                    / (q_min + name.min_weight);
            scratch.acc[n as usize] = 0.0;
            if bound + MAX_BONUS < threshold {
                continue;
            }
            let scored =
                self.score_name(n, q_tokens, &q_weights, &scratch.lookups[..q_tokens.len()]);
            let (score, _) = self.with_evidence(&scored, n, query);
            if score < threshold {
                continue;
            }
            let entry = self.names[n as usize].entry;
            match best.iter_mut().find(|(e, _, _)| *e == entry) {
                Some(slot) if slot.1 >= score => {}
                Some(slot) => *slot = (entry, score, scored),
                None => best.push((entry, score, scored)),
            }
        }
        scratch.touched.clear();

        best.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        best.truncate(MAX_MATCHES);
        best.into_iter()
            .map(|(entry, _, scored)| self.to_match(entry, &scored, &normal, query))
            .collect()
    }

    fn score_name(
        &self,
        n: u32,
        q_tokens: &[String],
        q_weights: &[f32],
        lookups: &[Vec<(u32, How)>],
    ) -> Scored {
        let name = &self.names[n as usize];
        let kind = self.entries[name.entry as usize].kind;
        let listed_texts: Vec<&str> = name
            .tokens
            .iter()
            .map(|&t| &*self.vocab[t as usize].text)
            .collect();
        let mut pairs: Vec<(usize, usize, How, f32)> = Vec::new();
        for (i, q) in q_tokens.iter().enumerate() {
            for (j, &t) in name.tokens.iter().enumerate() {
                let listed = listed_texts[j];
                let how = lookups[i]
                    .iter()
                    .find(|(id, _)| *id == t)
                    .map(|(_, how)| *how)
                    .or_else(|| {
                        // Initials stand for words of people's names only.
                        let initial = kind != EntryKind::Entity
                            && ((q.len() == 1
                                && listed.len() > 1
                                && listed.starts_with(q.as_str()))
                                || (initial_at(kind, &listed_texts, j)
                                    && q.len() > 1
                                    && q.starts_with(listed)));
                        initial.then_some(How::Initial)
                    });
                if let Some(how) = how {
                    pairs.push((i, j, how, how_sim(how, listed.len().max(q.len()))));
                }
            }
        }
        pairs.sort_by(|a, b| b.3.total_cmp(&a.3));
        let mut q_used = vec![false; q_tokens.len()];
        let mut n_used = vec![false; name.tokens.len()];
        let mut matched = Vec::new();
        let mut num = 0.0;
        for (i, j, how, sim) in pairs {
            if q_used[i] || n_used[j] {
                continue;
            }
            q_used[i] = true;
            n_used[j] = true;
            let w_listed = self.listed_weight(name.tokens[j]);
            num += sim * (q_weights[i] + w_listed);
            matched.push((i, j, how));
        }
        let mut den = 0.0;
        for (i, &w) in q_weights.iter().enumerate() {
            den += if !q_used[i] && halved(q_tokens, &q_used, i) {
                w * MIDDLE_FACTOR
            } else {
                w
            };
        }
        for (j, &t) in name.tokens.iter().enumerate() {
            let w = self.listed_weight(t);
            den += if !n_used[j] && halved(&name.tokens, &n_used, j) {
                w * MIDDLE_FACTOR
            } else {
                w
            };
        }
        matched.sort_by_key(|m| m.0);
        Scored {
            name: n,
            score: if den > 0.0 { num / den } else { 0.0 },
            matched,
            q_used,
            n_used,
        }
    }

    fn listed_weight(&self, token: u32) -> f32 {
        let v = &self.vocab[token as usize];
        if v.text.len() == 1 {
            INITIAL_WEIGHT
        } else {
            v.weight
        }
    }

    fn to_match(
        &self,
        entry: u32,
        scored: &Scored,
        normal: &NormalName,
        query: &Query<'_>,
    ) -> Match {
        let q_tokens = &normal.tokens;
        let name = &self.names[scored.name as usize];
        let e = &self.entries[entry as usize];
        let (score, notes) = self.with_evidence(scored, scored.name, query);
        let mut text = String::new();
        let parts: Vec<String> = scored
            .matched
            .iter()
            .map(|&(i, j, how)| {
                let q = &q_tokens[i];
                let listed = &self.vocab[name.tokens[j] as usize].text;
                match how {
                    How::Exact => format!("\"{q}\" matches"),
                    How::Variant => format!("\"{q}\" ~ \"{listed}\" (spelling variant)"),
                    How::Typo(1) => format!("\"{q}\" ~ \"{listed}\" (one letter differs)"),
                    How::Typo(n) => format!("\"{q}\" ~ \"{listed}\" ({n} letters differ)"),
                    How::Initial if q.len() == 1 => {
                        format!("\"{q}\" is the initial of \"{listed}\"")
                    }
                    How::Initial => format!("\"{listed}\" is the initial of \"{q}\""),
                }
            })
            .collect();
        let _ = write!(text, "{}", parts.join(", "));
        let unmatched_q: Vec<&str> = q_tokens
            .iter()
            .zip(&scored.q_used)
            .filter(|(_, u)| !**u)
            .map(|(t, _)| t.as_str())
            .collect();
        if !unmatched_q.is_empty() {
            let _ = write!(
                text,
                "; not on the list: \"{}\"",
                unmatched_q.join("\", \"")
            );
        }
        let unmatched_n: Vec<String> = name
            .tokens
            .iter()
            .enumerate()
            .filter(|(j, _)| !scored.n_used[*j])
            .map(|(j, &t)| {
                let text = &self.vocab[t as usize].text;
                if is_middle(j, name.tokens.len()) {
                    format!("\"{text}\" (a middle name, counted half)")
                } else if halved(&name.tokens, &scored.n_used, j) {
                    format!("\"{text}\" (repeated, counted half)")
                } else {
                    format!("\"{text}\"")
                }
            })
            .collect();
        if !unmatched_n.is_empty() {
            let _ = write!(text, "; not in the query: {}", unmatched_n.join(", "));
        }
        if !name.set_aside.is_empty() {
            let set: Vec<String> = name
                .set_aside
                .iter()
                .map(|(w, why)| format!("\"{w}\" ({why})"))
                .collect();
            let _ = write!(text, "; set aside: {}", set.join(", "));
        }
        let misspelt: Vec<String> = normal
            .set_aside
            .iter()
            .filter(|(w, why)| *why == SetAside::LegalForm && is_misspelt_legal_form(w))
            .map(|(w, _)| format!("\"{w}\""))
            .collect();
        if !misspelt.is_empty() {
            let _ = write!(
                text,
                "; taken for a misspelt legal form in the query: {}",
                misspelt.join(", ")
            );
        }
        if name.kind != NameKind::Primary {
            let _ = write!(text, "; matched the entry's {}", name.kind.as_str());
        }
        for note in notes {
            let _ = write!(text, "; {note}");
        }
        Match {
            list: self.lists[e.list as usize].name().to_owned(),
            entry_id: e.entry_id.to_string(),
            matched_name: name.name.to_string(),
            name_kind: name.kind,
            entry_kind: e.kind,
            score: (score * 100.0).round() / 100.0,
            explanation: text,
        }
    }

    /// The kinds of list the index was built from, in order.
    pub fn lists(&self) -> &[ListKind] {
        &self.lists
    }
}

/// Whether an unmatched token counts half: a middle name, or a word whose twin in the same
/// name is matched.
fn halved<T: PartialEq>(tokens: &[T], used: &[bool], position: usize) -> bool {
    is_middle(position, tokens.len())
        || (repeated(tokens, position)
            && tokens
                .iter()
                .zip(used)
                .any(|(t, &u)| u && *t == tokens[position]))
}

#[derive(Debug)]
pub(crate) struct Scored {
    name: u32,
    pub(crate) score: f32,
    /// (query token, listed token, how), in query order.
    matched: Vec<(usize, usize, How)>,
    q_used: Vec<bool>,
    n_used: Vec<bool>,
}
