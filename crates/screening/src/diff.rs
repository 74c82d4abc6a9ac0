//! What a new version of a list added, changed and removed, compared by entry id and
//! [`ListEntry::fingerprint`].

use crate::entry::ListEntry;
use std::collections::HashMap;

/// Entry ids, each list sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListDiff {
    /// In the new version only.
    pub added: Vec<String>,
    /// In both, with a different fingerprint.
    pub changed: Vec<String>,
    /// In the old version only.
    pub removed: Vec<String>,
}

impl ListDiff {
    /// True when the new version holds exactly the same entries.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }

    /// "12 added, 3 changed, 1 removed", or "no change".
    pub fn summary(&self) -> String {
        if self.is_empty() {
            return "no change".to_owned();
        }
        format!(
            "{} added, {} changed, {} removed",
            self.added.len(),
            self.changed.len(),
            self.removed.len()
        )
    }
}

/// Compares the old version, as `(entry_id, fingerprint)` pairs, with the new entries.
pub fn diff<'a>(old: impl IntoIterator<Item = (&'a str, &'a str)>, new: &[ListEntry]) -> ListDiff {
    let mut old: HashMap<&str, &str> = old.into_iter().collect();
    let mut out = ListDiff::default();
    for entry in new {
        match old.remove(entry.entry_id.as_str()) {
            None => out.added.push(entry.entry_id.clone()),
            Some(fingerprint) if fingerprint != entry.fingerprint() => {
                out.changed.push(entry.entry_id.clone());
            }
            Some(_) => {}
        }
    }
    out.removed = old.into_keys().map(str::to_owned).collect();
    // Ids sort as text, except that ids of digits (HMT Group ID, OFAC ent_num) sort as numbers.
    for ids in [&mut out.added, &mut out.changed, &mut out.removed] {
        ids.sort_by(|a, b| id_key(a).cmp(&id_key(b)));
        ids.dedup();
    }
    out
}

fn id_key(id: &str) -> (usize, &str) {
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        (id.trim_start_matches('0').len(), id)
    } else {
        (usize::MAX, id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{EntryKind, EntryName, NameKind};

    fn entry(id: &str, name: &str) -> ListEntry {
        ListEntry {
            entry_id: id.to_owned(),
            kind: EntryKind::Entity,
            names: vec![EntryName {
                name: name.to_owned(),
                kind: NameKind::Primary,
            }],
            dates_of_birth: Vec::new(),
            countries: Vec::new(),
            addresses: Vec::new(),
            programmes: vec!["CUBA".to_owned()],
            listed_on: None,
            remarks: String::new(),
        }
    }

    #[test]
    fn added_changed_and_removed_are_told_apart() {
        let old_entries = [
            entry("306", "BANCO NACIONAL DE CUBA"),
            entry("36", "AEROCARIBBEAN"),
            entry("9", "GONE"),
        ];
        let old: Vec<(String, String)> = old_entries
            .iter()
            .map(|e| (e.entry_id.clone(), e.fingerprint()))
            .collect();
        let new = [
            entry("306", "BANCO NACIONAL DE CUBA"),
            entry("36", "AEROCARIBBEAN AIRLINES"),
            entry("1000", "NEW ONE"),
            entry("12", "NEW TWO"),
        ];
        let d = diff(old.iter().map(|(i, f)| (i.as_str(), f.as_str())), &new);
        assert_eq!(d.added, ["12", "1000"], "numeric ids sort as numbers");
        assert_eq!(d.changed, ["36"]);
        assert_eq!(d.removed, ["9"]);
        assert!(!d.is_empty());
        assert_eq!(d.summary(), "2 added, 1 changed, 1 removed");
    }

    #[test]
    fn the_same_list_is_no_change() {
        let entries = [entry("QDi.001", "A"), entry("QDe.004", "B")];
        let fingerprints: Vec<String> = entries.iter().map(ListEntry::fingerprint).collect();
        let old = entries
            .iter()
            .zip(&fingerprints)
            .map(|(e, f)| (e.entry_id.as_str(), f.as_str()));
        let d = diff(old, &entries);
        assert!(d.is_empty());
        assert_eq!(d.summary(), "no change");
    }

    #[test]
    fn text_ids_sort_as_text() {
        let new = [
            entry("QDi.010", "A"),
            entry("KPi.033", "B"),
            entry("QDi.002", "C"),
        ];
        let d = diff(std::iter::empty(), &new);
        assert_eq!(d.added, ["KPi.033", "QDi.002", "QDi.010"]);
        assert_eq!(d.summary(), "3 added, 0 changed, 0 removed");
    }
}
