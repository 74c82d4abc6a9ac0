//! `generate`: the labelled set.
use super::*;

// ---------------------------------------------------------------------------------------------
// generate

pub(crate) const POSITIVE_VARIANTS: [&str; 8] = [
    "exact",
    "typo",
    "token_swap",
    "translit",
    "dropped_middle",
    "legal_form",
    "original_script",
    "initial",
];

pub(crate) const NEGATIVE_VARIANTS: [&str; 4] =
    ["random_combo", "hard_surname", "entity_shape", "common"];

/// Tries per query before giving up: each try picks a new entry uniformly.
pub(crate) const TRIES: usize = 20_000;

pub(crate) fn generate(o: &Opts) -> Result<(), String> {
    let data = o.path("data")?;
    let out = o.path("out")?;
    let seed: u64 = o.num("seed", 12)?;
    let positives: usize = o.num("positives", 6000)?;
    let negatives: usize = o.num("negatives", 6000)?;
    let lists = load(&data)?;
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;

    let mut names = String::from("list\tentry_id\tname\n");
    for list in &lists.parsed {
        for e in &list.entries {
            for n in &e.names {
                let _ = writeln!(
                    names,
                    "{}\t{}\t{}",
                    list.kind.name(),
                    tsv(&e.entry_id),
                    tsv(&n.name)
                );
            }
        }
    }
    write(&out.join("names.tsv"), &names)?;

    let gen = Generator::new(&lists.parsed);
    let mut rng = Rng(seed);
    let mut seen: HashSet<String> = HashSet::new();
    let mut rows: Vec<Labelled> = Vec::new();
    for i in 0..positives {
        let variant = POSITIVE_VARIANTS[i % POSITIVE_VARIANTS.len()];
        let turn = i / POSITIVE_VARIANTS.len();
        let made = (0..TRIES).find_map(|_| {
            let (list, entry) = *rng.pick(&gen.entries);
            let query = gen.positive(&mut rng, variant, turn, list, entry)?;
            let query = query.split_whitespace().collect::<Vec<_>>().join(" ");
            (!query.is_empty() && seen.insert(query.clone())).then(|| Labelled {
                query,
                expected: Some((list.name().to_owned(), entry.entry_id.clone())),
                variant: variant.to_owned(),
            })
        });
        rows.push(made.ok_or_else(|| format!("could not make a {variant} positive"))?);
    }
    // Negatives differing only in legal form or particles are one negative to a matcher.
    let mut seen_content: HashSet<Vec<String>> = HashSet::new();
    for i in 0..negatives {
        let variant = NEGATIVE_VARIANTS[i % NEGATIVE_VARIANTS.len()];
        let made = (0..TRIES).find_map(|_| {
            let query = gen.negative(&mut rng, variant)?;
            let content = content_keys(&simple_tokens(&query));
            (gen.clean_negative(&query)
                && !seen_content.contains(&content)
                && seen.insert(query.clone()))
            .then(|| {
                seen_content.insert(content);
                Labelled {
                    query,
                    expected: None,
                    variant: variant.to_owned(),
                }
            })
        });
        rows.push(made.ok_or_else(|| format!("could not make a {variant} negative"))?);
    }

    let mut text = String::from("query\texpected_list\texpected_entry_id\tvariant\n");
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &rows {
        let (list, id) = r.expected.clone().unwrap_or_default();
        let _ = writeln!(
            text,
            "{}\t{list}\t{}\t{}",
            tsv(&r.query),
            tsv(&id),
            r.variant
        );
        *counts.entry(r.variant.as_str()).or_default() += 1;
    }
    write(&out.join("queries.tsv"), &text)?;
    eprintln!(
        "wrote {} ({} names) and {} ({} queries: {counts:?})",
        out.join("names.tsv").display(),
        names.lines().count() - 1,
        out.join("queries.tsv").display(),
        rows.len()
    );
    Ok(())
}

pub(crate) fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A listed individual's given name (first word) and surname (last word).
pub(crate) struct Person {
    given: String,
    surname: String,
    entry: usize,
}

pub(crate) struct Generator<'a> {
    /// Individuals and entities of all three lists, in file order: positives pick from these.
    entries: Vec<(&'a ListKind, &'a ListEntry)>,
    exact_sets: HashSet<Vec<String>>,
    loose_sets: HashSet<Vec<String>>,
    /// Loose key of a token → the listed names holding it (ascending ids).
    loose_postings: HashMap<String, Vec<u32>>,
    /// Each listed name's distinctive words, exactly as written (sorted, by name id), and the
    /// names holding each word.
    name_words: Vec<Vec<String>>,
    word_postings: HashMap<String, Vec<u32>>,
    persons: Vec<Person>,
    /// Distinct given names of listed individuals, in first-seen order.
    givens: Vec<String>,
    /// Surname (loose key) → given-name keys of every entry with that surname.
    surname_givens: HashMap<String, HashSet<String>>,
    /// Surname key → how many entries carry it.
    surname_entries: HashMap<String, usize>,
    /// Distinctive words of entity names, with the entity they come from.
    entity_words: Vec<(String, usize)>,
}

impl<'a> Generator<'a> {
    fn new(lists: &'a [ParsedList]) -> Self {
        let mut g = Generator {
            entries: Vec::new(),
            exact_sets: HashSet::new(),
            loose_sets: HashSet::new(),
            loose_postings: HashMap::new(),
            name_words: Vec::new(),
            word_postings: HashMap::new(),
            persons: Vec::new(),
            givens: Vec::new(),
            surname_givens: HashMap::new(),
            surname_entries: HashMap::new(),
            entity_words: Vec::new(),
        };
        let mut name_id = 0u32;
        let mut given_seen = HashSet::new();
        let mut entry_no = 0usize;
        for list in lists {
            for e in &list.entries {
                entry_no += 1;
                if matches!(e.kind, EntryKind::Individual | EntryKind::Entity) {
                    g.entries.push((&list.kind, e));
                }
                for n in &e.names {
                    let tokens = simple_tokens(&n.name);
                    if tokens.is_empty() {
                        continue;
                    }
                    let loose_tokens: Vec<String> = tokens.iter().map(|t| loose(t)).collect();
                    g.exact_sets.insert(sorted_set(tokens.clone()));
                    for t in sorted_set(loose_tokens.clone()) {
                        if !t.is_empty() {
                            g.loose_postings.entry(t).or_default().push(name_id);
                        }
                    }
                    g.loose_sets.insert(sorted_set(loose_tokens));
                    let words = content_words(&tokens);
                    for w in &words {
                        g.word_postings.entry(w.clone()).or_default().push(name_id);
                    }
                    g.name_words.push(words);
                    name_id += 1;
                }
                match e.kind {
                    EntryKind::Individual => g.add_person(e, entry_no, &mut given_seen),
                    EntryKind::Entity => g.add_entity(e, entry_no),
                    _ => {}
                }
            }
        }
        g
    }

    fn add_person(&mut self, e: &ListEntry, entry_no: usize, given_seen: &mut HashSet<String>) {
        let mut surnames = Vec::new();
        let mut givens = HashSet::new();
        for n in &e.names {
            let words: Vec<&str> = n.name.split_whitespace().collect();
            if words.len() < 2 || !is_latin(&n.name) {
                continue;
            }
            let (given, surname) = (words[0], words[words.len() - 1]);
            givens.insert(word_key(given));
            if !surnames.contains(&word_key(surname)) {
                surnames.push(word_key(surname));
            }
            let plain =
                |w: &str| letters(w) >= 3 && w.chars().all(|c| c.is_ascii_alphabetic() || c == '-');
            let particle = |w: &str| !is_name_word(w) || is_form(w);
            if matches!(n.kind, NameKind::Primary | NameKind::Alias)
                && plain(given)
                && plain(surname)
                && !particle(given)
            {
                self.persons.push(Person {
                    given: given.to_owned(),
                    surname: surname.to_owned(),
                    entry: entry_no,
                });
                if given_seen.insert(word_key(given)) {
                    self.givens.push(given.to_owned());
                }
            }
        }
        for s in surnames {
            self.surname_givens
                .entry(loose(&s))
                .or_default()
                .extend(givens.iter().cloned());
            *self.surname_entries.entry(s).or_default() += 1;
        }
    }

    fn add_entity(&mut self, e: &ListEntry, entry_no: usize) {
        let mut seen = HashSet::new();
        for n in &e.names {
            if !matches!(n.kind, NameKind::Primary | NameKind::Alias) || !is_latin(&n.name) {
                continue;
            }
            for w in n.name.split_whitespace() {
                let key = word_key(w);
                if w.len() >= 3
                    && w.chars().all(|c| c.is_ascii_alphabetic())
                    && !FORM_WORDS.contains(&key.as_str())
                    && !STOP_WORDS.contains(&key.as_str())
                    && seen.insert(key)
                {
                    self.entity_words.push((w.to_owned(), entry_no));
                }
            }
        }
    }

    /// A negative must not be a listed name: not the same token set as any listed name (the
    /// plain check), nor the same set of loose keys (a spelling variant of one), nor have all
    /// its distinctive words inside one listed name (a shortened form of one), nor hold all the
    /// distinctive words of one ("Tourism Myanma Bank" holds the listed "Tourism Bank"): a
    /// screener is right to flag those.
    fn clean_negative(&self, query: &str) -> bool {
        let tokens = simple_tokens(query);
        if tokens.is_empty() || self.exact_sets.contains(&sorted_set(tokens.clone())) {
            return false;
        }
        if self
            .loose_sets
            .contains(&sorted_set(tokens.iter().map(|t| loose(t)).collect()))
        {
            return false;
        }
        // Containing a listed name is judged on exact words: loose keys of short names are
        // too short ("Anna" → "n") to say that one name holds another.
        let words = content_words(&tokens);
        for w in &words {
            let ids = self.word_postings.get(w).map_or(&[][..], Vec::as_slice);
            let holds_listed = ids.iter().any(|&id| {
                let listed = &self.name_words[id as usize];
                !listed.is_empty() && listed.iter().all(|l| words.binary_search(l).is_ok())
            });
            if holds_listed {
                return false;
            }
        }
        let content = content_keys(&tokens);
        if content.is_empty() {
            return false;
        }
        let mut inside: Option<Vec<u32>> = None;
        for t in &content {
            let ids = self.loose_postings.get(t).map_or(&[][..], Vec::as_slice);
            inside = Some(match inside {
                None => ids.to_vec(),
                Some(mut common) => {
                    common.retain(|id| ids.binary_search(id).is_ok());
                    common
                }
            });
        }
        inside.is_none_or(|common| common.is_empty())
    }

    fn positive(
        &self,
        rng: &mut Rng,
        variant: &str,
        turn: usize,
        list: &ListKind,
        e: &ListEntry,
    ) -> Option<String> {
        let person = e.kind == EntryKind::Individual;
        // The entry's Latin primary name and aliases that suit the variant.
        let bases = |ok: &dyn Fn(&[&str]) -> bool| -> Vec<&str> {
            e.names
                .iter()
                .filter(|n| matches!(n.kind, NameKind::Primary | NameKind::Alias))
                .map(|n| n.name.as_str())
                .filter(|n| is_latin(n) && ok(&n.split_whitespace().collect::<Vec<_>>()))
                .collect()
        };
        let query = match variant {
            "exact" => {
                let names: Vec<&str> = e
                    .names
                    .iter()
                    .filter(|n| matches!(n.kind, NameKind::Primary | NameKind::Alias))
                    .map(|n| n.name.as_str())
                    .collect();
                return pick_name(rng, names).map(str::to_owned);
            }
            "typo" => {
                let base = pick_name(rng, bases(&|w| w.iter().any(|t| letters(t) >= 5)))?;
                typo(rng, base)
            }
            "token_swap" => {
                let base = pick_name(rng, bases(&|w| w.len() >= 2))?;
                token_swap(rng, base, person)?
            }
            "translit" => {
                let base = pick_name(rng, bases(&|_| true))?;
                translit(rng, base)
            }
            "dropped_middle" if person => {
                // Three name words at least (particles and titles do not count), and a name
                // word in the middle to drop.
                let droppable =
                    |w: &[&str]| (1..w.len().saturating_sub(1)).any(|i| is_name_word(w[i]));
                let base = pick_name(rng, bases(&|w| name_words(w) >= 3 && droppable(w)))?;
                let words: Vec<&str> = base.split_whitespace().collect();
                let middles: Vec<usize> = (1..words.len() - 1)
                    .filter(|&i| is_name_word(words[i]))
                    .collect();
                let drop = *rng.pick(&middles);
                let kept: Vec<&str> = (0..words.len())
                    .filter(|&i| i != drop)
                    .map(|i| words[i])
                    .collect();
                kept.join(" ")
            }
            "legal_form" if e.kind == EntryKind::Entity => {
                let base = pick_name(rng, bases(&|_| true))?;
                legal_form(rng, base)?
            }
            "original_script" if turn.is_multiple_of(2) => {
                // The UN gives some names in their own script (mostly Arabic).
                if *list != ListKind::Un {
                    return None;
                }
                let names: Vec<&str> = e
                    .names
                    .iter()
                    .filter(|n| n.kind == NameKind::OriginalScript)
                    .map(|n| n.name.as_str())
                    .collect();
                return pick_name(rng, names).map(str::to_owned);
            }
            "original_script" if person => {
                let base = pick_name(
                    rng,
                    bases(&|w| {
                        w.iter()
                            .all(|t| t.chars().all(|c| c.is_ascii_alphabetic() || c == '-'))
                    }),
                )?;
                cyrillic(base)
            }
            "initial" if person => {
                let base = pick_name(
                    rng,
                    // Two name words must remain beside the initial.
                    bases(&|w| {
                        name_words(w) >= 3
                            && is_name_word(w[0])
                            && w[0].starts_with(|c: char| c.is_ascii_alphabetic())
                    }),
                )?;
                let words: Vec<&str> = base.split_whitespace().collect();
                let initial = words[0][..1].to_ascii_uppercase();
                format!("{initial}. {}", words[1..].join(" "))
            }
            _ => return None,
        };
        // A variant that changed nothing is not that variant.
        let original_forms: Vec<String> = e.names.iter().map(|n| n.name.to_lowercase()).collect();
        (!original_forms.contains(&query.to_lowercase())).then_some(query)
    }

    /// Whether some entry with this surname (or a spelling of it) has this given name, a
    /// spelling of it, one a letter away, or just its initial ("J. I. Dockrat" may be Jacques):
    /// "another given name" must be another name, not a possible typo of the listed one.
    fn given_taken(&self, given: &str, surname: &str) -> bool {
        let given = word_key(given);
        self.surname_givens
            .get(&loose(&word_key(surname)))
            .is_some_and(|listed| {
                listed.iter().any(|l| {
                    *l == given
                        || loose(l) == loose(&given)
                        || strsim::damerau_levenshtein(l, &given) <= 1
                        || (l.len() == 1 && given.starts_with(l.as_str()))
                })
            })
    }

    fn negative(&self, rng: &mut Rng, variant: &str) -> Option<String> {
        match variant {
            "random_combo" => {
                let a = rng.pick(&self.persons);
                let b = rng.pick(&self.persons);
                let (given, surname) = (word_key(&a.given), word_key(&b.surname));
                (a.entry != b.entry
                    && given != word_key(&b.given)
                    && surname != word_key(&a.surname)
                    && !self.given_taken(&a.given, &b.surname))
                .then(|| format!("{} {}", a.given, b.surname))
            }
            "hard_surname" => {
                // A distinctive listed surname (at most two entries carry it), so it weighs
                // heavily, with a given name that no entry of that surname has.
                let b = rng.pick(&self.persons);
                let surname = word_key(&b.surname);
                if self.surname_entries.get(&surname).copied().unwrap_or(0) > 2 {
                    return None;
                }
                let given = rng.pick(&self.givens);
                (!self.given_taken(given, &b.surname)).then(|| format!("{given} {}", b.surname))
            }
            "entity_shape" => {
                let k = 2 + rng.below(2);
                let mut words: Vec<&(String, usize)> = Vec::new();
                for _ in 0..k {
                    let w = rng.pick(&self.entity_words);
                    if words
                        .iter()
                        .any(|o| o.1 == w.1 || word_key(&o.0) == word_key(&w.0))
                    {
                        return None;
                    }
                    words.push(w);
                }
                let text: Vec<&str> = words.iter().map(|w| w.0.as_str()).collect();
                Some(format!("{} {}", text.join(" "), rng.pick(ADD_FORMS)))
            }
            "common" => Some(if rng.chance(0.5) {
                format!("{} {}", rng.pick(COMMON_GIVEN), rng.pick(COMMON_SURNAMES))
            } else {
                format!(
                    "{} {} {}",
                    rng.pick(COMMON_FIRST_WORDS),
                    rng.pick(COMMON_SECOND_WORDS),
                    rng.pick(ADD_FORMS)
                )
            }),
            _ => None,
        }
    }
}
