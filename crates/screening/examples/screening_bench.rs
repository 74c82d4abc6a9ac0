//! The screening benchmark: Probity's name matcher on a labelled set built from the real UK HMT,
//! UN and OFAC lists, beside RapidFuzz (`bench/rapidfuzz_compare.py`); both are run, and the
//! section of BENCHMARKS.md written, by `scripts/bench-screening.sh`.
//!
//! ```text
//! screening_bench generate --data DIR --out DIR [--seed N] [--positives N] [--negatives N]
//! screening_bench run --data DIR --queries FILE [--threshold T] [--rescreen N] [--debug]
//!                     [--dump FILE]
//! ```
//!
//! `generate` writes `names.tsv` (every name of every entry: the corpus RapidFuzz searches) and
//! `queries.tsv` (positives: one entry's name changed by one variant; negatives: names checked
//! against every listed name). `run` screens every query on one thread and prints one JSON
//! object on stdout; `--debug` prints the worst false positives and misses on stderr, `--dump`
//! writes every query's outcome and best match as TSV.

use probity_screening::lists::parse;
use probity_screening::normalise::transliterate;
use probity_screening::{
    BadLines, EntryKind, Index, ListEntry, ListKind, Match, NameKind, ParsedList, Query, Scratch,
    DEFAULT_THRESHOLD,
};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Instant;

const USAGE: &str = "usage:
  screening_bench generate --data DIR --out DIR [--seed N] [--positives N] [--negatives N]
  screening_bench run --data DIR --queries FILE [--threshold T] [--rescreen N] [--debug]
                      [--dump FILE]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("generate") => Opts::parse(&args[1..]).and_then(|o| generate(&o)),
        Some("run") => Opts::parse(&args[1..]).and_then(|o| run(&o)),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("screening_bench: {e}");
            ExitCode::from(2)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Arguments, randomness, loading

#[derive(Default)]
struct Opts {
    values: HashMap<String, String>,
    debug: bool,
}

impl Opts {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut opts = Opts::default();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--debug" => opts.debug = true,
                "--data" | "--out" | "--seed" | "--positives" | "--negatives" | "--queries"
                | "--threshold" | "--rescreen" | "--dump" => {
                    let value = it.next().ok_or_else(|| format!("{arg} needs a value"))?;
                    opts.values.insert(arg[2..].to_owned(), value.clone());
                }
                other => return Err(format!("unknown argument {other}\n{USAGE}")),
            }
        }
        Ok(opts)
    }

    fn path(&self, key: &str) -> Result<PathBuf, String> {
        self.values
            .get(key)
            .map(PathBuf::from)
            .ok_or_else(|| format!("--{key} is required\n{USAGE}"))
    }

    fn num<T: FromStr>(&self, key: &str, default: T) -> Result<T, String> {
        match self.values.get(key) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("--{key}: {v} is not a number")),
        }
    }
}

/// splitmix64: small, seedable, and the same on every platform, so a seed names one set.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (the modulo bias is negligible for the sizes used here).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn list_files() -> [(ListKind, &'static str); 3] {
    [
        (ListKind::UkHmt, "uk-hmt-conlist-2018-04-13.csv"),
        (ListKind::Un, "un-consolidated-2018-10-29.xml"),
        (ListKind::OfacSdn, "ofac-sdn-2024-05-03.csv"),
    ]
}

struct Lists {
    parsed: Vec<ParsedList>,
    /// Parsing only: the files are read into memory first.
    parse_s: f64,
}

fn load(data: &Path) -> Result<Lists, String> {
    let mut files = Vec::new();
    for (kind, file) in list_files() {
        let path = data.join(file);
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        files.push((kind, bytes));
    }
    let start = Instant::now();
    let mut parsed = Vec::new();
    for (kind, bytes) in &files {
        let list = parse(kind, bytes, BadLines::Skip).map_err(|e| format!("{kind}: {e}"))?;
        if !list.skipped.is_empty() {
            eprintln!("{kind}: {} bad lines skipped", list.skipped.len());
        }
        parsed.push(list);
    }
    Ok(Lists {
        parsed,
        parse_s: start.elapsed().as_secs_f64(),
    })
}

/// A field for a TSV line: no tabs or line breaks inside.
fn tsv(text: &str) -> String {
    text.replace(['\t', '\n', '\r'], " ")
}

// ---------------------------------------------------------------------------------------------
// Word helpers

/// A name written in Latin letters (diacritics allowed), with at least two ASCII letters.
fn is_latin(name: &str) -> bool {
    name.chars()
        .all(|c| !c.is_alphabetic() || (c as u32) < 0x250)
        && name.chars().filter(char::is_ascii_alphabetic).count() >= 2
}

fn letters(token: &str) -> usize {
    token.chars().filter(char::is_ascii_alphabetic).count()
}

/// A word that is part of a person's name proper: two letters or more, not a particle or title
/// ("bin", "al", "Haji").
fn is_name_word(word: &str) -> bool {
    letters(word) >= 2 && !NOT_GIVEN.contains(&word_key(word).as_str())
}

fn name_words(words: &[&str]) -> usize {
    words.iter().filter(|w| is_name_word(w)).count()
}

/// Lower-case ASCII letters of a token (after transliteration): the key words are compared by.
fn word_key(token: &str) -> String {
    transliterate(token)
        .chars()
        .filter(char::is_ascii_alphabetic)
        .collect()
}

/// Lower case, ASCII letters only: the tokens a negative is checked with.
fn simple_tokens(name: &str) -> Vec<String> {
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
fn loose(token: &str) -> String {
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
fn content_words(tokens: &[String]) -> Vec<String> {
    sorted_set(
        tokens
            .iter()
            .filter(|t| !STOP_WORDS.contains(&t.as_str()) && !FORM_WORDS.contains(&t.as_str()))
            .cloned()
            .collect(),
    )
}

/// The distinctive words of a name as sorted loose keys.
fn content_keys(tokens: &[String]) -> Vec<String> {
    sorted_set(
        content_words(tokens)
            .iter()
            .map(|t| loose(t))
            .filter(|t| !t.is_empty())
            .collect(),
    )
}

fn sorted_set(mut tokens: Vec<String>) -> Vec<String> {
    tokens.sort();
    tokens.dedup();
    tokens
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `lower` written in the case style of `pattern`: all capitals, all small, or capitalised
/// (each hyphenated part).
fn recase(pattern: &str, lower: &str) -> String {
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

// ---------------------------------------------------------------------------------------------
// Vocabulary for the variants and negatives

/// Words making up legal forms (after lower-casing and dropping punctuation).
const FORM_WORDS: &[&str] = &[
    "ag",
    "bhd",
    "bv",
    "cjsc",
    "closed",
    "co",
    "company",
    "corp",
    "corporation",
    "doo",
    "eood",
    "fzc",
    "fzco",
    "fze",
    "gmbh",
    "inc",
    "incorporated",
    "joint",
    "jointstock",
    "jsc",
    "kft",
    "liability",
    "limited",
    "llc",
    "llp",
    "ltd",
    "nv",
    "oao",
    "ojsc",
    "ood",
    "ooo",
    "open",
    "pao",
    "partnership",
    "pjsc",
    "plc",
    "private",
    "pte",
    "pty",
    "public",
    "pvt",
    "sa",
    "sal",
    "sarl",
    "sas",
    "sdn",
    "spa",
    "srl",
    "sro",
    "stock",
    "tov",
    "zao",
];

/// Forms that Russian and Ukrainian names (and OFAC's spelling of them) put first ("OOO Romashka",
/// "LLC Testkomplekt").
const LEADING_FORMS: &[&str] = &[
    "ao", "cjsc", "jsc", "llc", "oao", "ojsc", "ooo", "pao", "pjsc", "tov", "zao",
];

/// Forms added or swapped in.
const ADD_FORMS: &[&str] = &[
    "Ltd",
    "LLC",
    "OOO",
    "GmbH",
    "JSC",
    "Co.",
    "S.A.",
    "Company Limited",
];

/// Words not telling one party from another: a negative's other words must not all be found
/// in one listed name.
const STOP_WORDS: &[&str] = &[
    "al", "and", "bin", "co", "company", "de", "el", "for", "gmbh", "ibn", "jsc", "la", "limited",
    "llc", "ltd", "of", "ooo", "sa", "the",
];

/// Particles and titles that stand first in some listed names but are nobody's given name.
const NOT_GIVEN: &[&str] = &[
    "abd",
    "abu",
    "admiral",
    "al",
    "ben",
    "bin",
    "bint",
    "bn",
    "brig",
    "brigadier",
    "capt",
    "captain",
    "col",
    "colonel",
    "da",
    "dame",
    "de",
    "del",
    "della",
    "der",
    "di",
    "dos",
    "dr",
    "du",
    "el",
    "gen",
    "general",
    "haj",
    "haji",
    "hajji",
    "hon",
    "ibn",
    "la",
    "le",
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
    "shaik",
    "shaikh",
    "shaykh",
    "sheik",
    "sheikh",
    "sir",
    "the",
    "ul",
    "van",
    "von",
];

/// Whole-word transliteration variants of common names.
const NAME_GROUPS: &[&[&str]] = &[
    &[
        "mohammed", "muhammad", "mohamad", "mohamed", "muhammed", "mohammad", "muhamad",
    ],
    &["hussein", "husain", "hussain", "husayn", "hossein"],
    &["hassan", "hasan", "hassen"],
    &["yusuf", "youssef", "yousef", "yusef", "yousuf"],
    &["ahmed", "ahmad", "ahmet"],
    &["mahmoud", "mahmud", "mahmood"],
    &["mustafa", "mustapha", "moustafa"],
    &["osama", "usama", "oussama"],
    &["omar", "umar"],
    &["khalid", "khaled"],
    &["ibrahim", "ebrahim", "ibraheem"],
    &["suleiman", "sulaiman", "sulayman"],
    &["abdullah", "abdallah", "abdulla"],
    &["said", "saeed", "sayed"],
    &["qasim", "kasim", "qassim", "kassem"],
    &["yevgeny", "evgeny", "evgeniy", "yevgeniy"],
    &["sergey", "sergei"],
    &["aleksandr", "alexander", "aleksander"],
];

/// Plausible ordinary parties for the `common` negatives.
const COMMON_GIVEN: &[&str] = &[
    "John",
    "Mary",
    "David",
    "Sarah",
    "Michael",
    "Anna",
    "Peter",
    "Laura",
    "James",
    "Emma",
    "Thomas",
    "Julia",
    "Robert",
    "Elena",
    "Daniel",
    "Sophie",
    "Paul",
    "Claire",
    "Mark",
    "Helen",
    "Andrew",
    "Rachel",
    "Richard",
    "Olga",
    "Stefan",
    "Ingrid",
    "Lars",
    "Pierre",
    "Marie",
    "Luca",
    "Giulia",
    "Carlos",
    "Lucia",
    "Hans",
    "Petra",
    "Jan",
    "Katarzyna",
    "Tomasz",
    "Hiroshi",
    "Yuki",
    "Wei",
    "Priya",
    "Rahul",
    "Fatima",
    "Kenji",
    "Sven",
    "Nina",
    "Oscar",
    "Hugo",
    "Alice",
    "Grace",
    "George",
    "Henry",
    "Lucy",
    "Simon",
    "Victoria",
    "Martin",
    "Eva",
    "Ahmed",
    "Ana",
];

const COMMON_SURNAMES: &[&str] = &[
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Muller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Dubois",
    "Bernard",
    "Moreau",
    "Rossi",
    "Russo",
    "Ferrari",
    "Garcia",
    "Martinez",
    "Lopez",
    "Kowalski",
    "Nowak",
    "Jensen",
    "Hansen",
    "Nilsson",
    "Larsen",
    "Tanaka",
    "Suzuki",
    "Sato",
    "Patel",
    "Sharma",
    "Kumar",
    "Nguyen",
    "Murphy",
    "Kelly",
    "O'Brien",
    "Novak",
    "Horvat",
    "Silva",
    "Santos",
    "Costa",
    "Lindqvist",
    "Bakker",
    "Visser",
    "Peeters",
];

const COMMON_FIRST_WORDS: &[&str] = &[
    "Global",
    "United",
    "Northern",
    "Southern",
    "Pacific",
    "Atlantic",
    "Apex",
    "Summit",
    "Atlas",
    "Pioneer",
    "Vertex",
    "Horizon",
    "Eastern",
    "Western",
    "Central",
    "Premier",
    "Golden",
    "Silver",
    "Blue",
    "Green",
    "Prime",
    "Royal",
    "Star",
    "Delta",
    "Alpha",
    "Omega",
    "Crown",
    "Meridian",
    "Evergreen",
    "Harbour",
    "Coastal",
    "Continental",
    "International",
    "National",
    "Modern",
    "Advanced",
    "Integrated",
    "Strategic",
    "Dynamic",
    "Sunrise",
    "Oakwood",
    "Riverside",
    "Highland",
    "Phoenix",
    "Orion",
];

const COMMON_SECOND_WORDS: &[&str] = &[
    "Trading",
    "Logistics",
    "Engineering",
    "Industries",
    "Holdings",
    "Shipping",
    "Technologies",
    "Supplies",
    "Electronics",
    "Marine",
    "Systems",
    "Solutions",
    "Components",
    "Machinery",
    "Chemicals",
    "Instruments",
    "Energy",
    "Metals",
    "Textiles",
    "Foods",
    "Consulting",
    "Services",
    "Equipment",
    "Materials",
    "Aviation",
    "Construction",
    "Pharmaceuticals",
    "Plastics",
    "Packaging",
    "Automotive",
    "Optics",
    "Robotics",
    "Software",
    "Networks",
    "Minerals",
];

// ---------------------------------------------------------------------------------------------
// generate

const POSITIVE_VARIANTS: [&str; 8] = [
    "exact",
    "typo",
    "token_swap",
    "translit",
    "dropped_middle",
    "legal_form",
    "original_script",
    "initial",
];

const NEGATIVE_VARIANTS: [&str; 4] = ["random_combo", "hard_surname", "entity_shape", "common"];

/// Tries per query before giving up: each try picks a new entry uniformly.
const TRIES: usize = 20_000;

struct Labelled {
    query: String,
    /// (list, entry id) for a positive; `None` for a negative.
    expected: Option<(String, String)>,
    variant: String,
}

fn generate(o: &Opts) -> Result<(), String> {
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

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A listed individual's given name (first word) and surname (last word).
struct Person {
    given: String,
    surname: String,
    entry: usize,
}

struct Generator<'a> {
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

// ---------------------------------------------------------------------------------------------
// Positive variants

fn pick_name<'n>(rng: &mut Rng, names: Vec<&'n str>) -> Option<&'n str> {
    (!names.is_empty()).then(|| *rng.pick(&names))
}

/// One random edit (substitution, deletion, insertion or adjacent transposition) in one word
/// of five letters or more.
fn typo(rng: &mut Rng, name: &str) -> String {
    let mut words: Vec<String> = name.split_whitespace().map(str::to_owned).collect();
    let long: Vec<usize> = (0..words.len())
        .filter(|&i| letters(&words[i]) >= 5)
        .collect();
    let w = *rng.pick(&long);
    let mut chars: Vec<char> = words[w].chars().collect();
    let pos: Vec<usize> = (0..chars.len())
        .filter(|&i| chars[i].is_ascii_alphabetic())
        .collect();
    let upper = chars.iter().filter(|c| c.is_ascii_uppercase()).count() * 2 > pos.len();
    let random_letter = |rng: &mut Rng, not: char| loop {
        let c = (b'a' + rng.below(26) as u8) as char;
        if c != not.to_ascii_lowercase() {
            return if upper { c.to_ascii_uppercase() } else { c };
        }
    };
    let swaps: Vec<usize> = pos
        .windows(2)
        .filter(|p| p[1] == p[0] + 1 && !chars[p[0]].eq_ignore_ascii_case(&chars[p[1]]))
        .map(|p| p[0])
        .collect();
    let mut op = rng.below(4);
    if op == 3 && swaps.is_empty() {
        op = 0;
    }
    match op {
        0 => {
            let p = *rng.pick(&pos);
            chars[p] = random_letter(rng, chars[p]);
        }
        1 => {
            // Not the first letter: a word's first letter is rarely dropped by mistake.
            let p = pos[1 + rng.below(pos.len() - 1)];
            chars.remove(p);
        }
        2 => {
            let p = pos[1 + rng.below(pos.len() - 1)];
            let c = random_letter(rng, chars[p]);
            chars.insert(p, c);
        }
        _ => {
            let p = *rng.pick(&swaps);
            chars.swap(p, p + 1);
        }
    }
    words[w] = chars.into_iter().collect();
    words.join(" ")
}

/// "SURNAME, Given Middle" (people) or the words reversed; for organisations the words
/// reversed with the legal form kept whole, at either end ("Megacom LLC" → "LLC Megacom").
fn token_swap(rng: &mut Rng, name: &str, person: bool) -> Option<String> {
    let words: Vec<&str> = name.split_whitespace().collect();
    if !person {
        let (lead, mut core, trail) = split_form(name);
        let parts = if core.len() >= 2 {
            core.reverse();
            [lead, core, trail]
        } else if !lead.is_empty() || !trail.is_empty() {
            // One word: the legal form moves to the other end.
            [trail, core, lead]
        } else {
            return None;
        };
        return Some(parts.concat().join(" "));
    }
    Some(if !name.contains(',') && rng.chance(0.5) {
        let last = words[words.len() - 1];
        format!(
            "{}, {}",
            last.to_uppercase(),
            words[..words.len() - 1].join(" ")
        )
    } else {
        let mut reversed: Vec<String> = words
            .iter()
            .map(|w| w.trim_matches(',').to_owned())
            .collect();
        reversed.reverse();
        reversed.join(" ")
    })
}

/// Spelling changes another transliteration of the same name would make: name variants,
/// `Abdul` ↔ `Abd al-`, `al-` ↔ `el-` wherever they occur, and about every other word one
/// letter-level change (ou ↔ u, ee ↔ i, y ↔ i, ph → f, kh ↔ h, q ↔ k, doubled ↔ single); if
/// nothing applies, a vowel change.
fn translit(rng: &mut Rng, name: &str) -> String {
    let mut words: Vec<String> = name.split_whitespace().map(str::to_owned).collect();
    let mut changed = abd_variant(&mut words);
    for w in words.iter_mut() {
        // Legal forms and acronyms are not transliterated.
        if is_form(w) || (letters(w) < 3 && al_el(w).is_none()) {
            continue;
        }
        if let Some(v) = group_variant(rng, w).or_else(|| al_el(w)) {
            *w = v;
            changed = true;
        } else if rng.chance(0.5) {
            if let Some(v) = letter_variant(rng, w) {
                *w = v;
                changed = true;
            }
        }
    }
    if !changed {
        let open: Vec<usize> = (0..words.len())
            .filter(|&i| !is_form(&words[i]) && letters(&words[i]) >= 3)
            .filter(|&i| !letter_edits(&words[i].to_lowercase()).is_empty())
            .collect();
        if !open.is_empty() {
            let i = *rng.pick(&open);
            if let Some(v) = letter_variant(rng, &words[i]) {
                words[i] = v;
            }
        } else {
            vowel_change(rng, &mut words);
        }
    }
    words.join(" ")
}

/// `Abdul Rahman` → `Abd al-Rahman`, `Abdulrahman` → `Abd al-Rahman`, and back.
fn abd_variant(words: &mut Vec<String>) -> bool {
    for i in 0..words.len() {
        let lower = words[i].to_lowercase();
        let al = recase(&words[i], "al-");
        if matches!(lower.as_str(), "abdul" | "abdel" | "abdoul") && i + 1 < words.len() {
            words[i] = recase(&words[i], "abd");
            words[i + 1] = format!("{al}{}", words[i + 1]);
            return true;
        }
        if lower == "abd" && i + 1 < words.len() {
            let next = words[i + 1].to_lowercase();
            if next == "al" || next == "el" {
                words[i] = recase(&words[i], "abdul");
                words.remove(i + 1);
                return true;
            }
            if next.starts_with("al-") || next.starts_with("el-") {
                words[i] = recase(&words[i], "abdul");
                words[i + 1] = words[i + 1][3..].to_owned();
                return true;
            }
        }
        for prefix in ["abdul", "abdel"] {
            if let Some(rest) = lower.strip_prefix(prefix) {
                if rest.len() >= 4 && rest.chars().all(|c| c.is_ascii_alphabetic()) {
                    let head = recase(&words[i], "abd");
                    let tail = recase(&words[i], rest);
                    words[i] = head;
                    words.insert(i + 1, format!("{al}{tail}"));
                    return true;
                }
            }
        }
    }
    false
}

/// Another spelling from [`NAME_GROUPS`] for a word (or a hyphenated part of it).
fn group_variant(rng: &mut Rng, word: &str) -> Option<String> {
    let parts: Vec<&str> = word.split('-').collect();
    for (i, part) in parts.iter().enumerate() {
        let lower = part.to_lowercase();
        if let Some(group) = NAME_GROUPS.iter().find(|g| g.contains(&lower.as_str())) {
            let others: Vec<&str> = group
                .iter()
                .copied()
                .filter(|o| *o != lower.as_str())
                .collect();
            let mut out: Vec<String> = parts.iter().map(|p| (*p).to_owned()).collect();
            out[i] = recase(part, rng.pick::<&str>(&others));
            return Some(out.join("-"));
        }
    }
    None
}

/// `al-` ↔ `el-` (and a lone `al` ↔ `el`).
fn al_el(word: &str) -> Option<String> {
    let lower = word.to_lowercase();
    let swap = |c: char| match c {
        'a' => 'e',
        'A' => 'E',
        'e' => 'a',
        _ => 'A',
    };
    let is_article =
        ["al-", "el-"].iter().any(|p| lower.starts_with(p)) || lower == "al" || lower == "el";
    is_article.then(|| {
        let mut chars = word.chars();
        let first = chars.next().map(swap).unwrap_or('a');
        std::iter::once(first).chain(chars).collect()
    })
}

/// Letter-level transliteration changes possible in a lower-case word: (start, end, new).
fn letter_edits(s: &str) -> Vec<(usize, usize, String)> {
    let b = s.as_bytes();
    let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    let consonant = |c: u8| c.is_ascii_lowercase() && !vowel(c);
    let mut out = Vec::new();
    for i in 0..b.len() {
        let c = b[i];
        let prev = if i > 0 { b[i - 1] } else { 0 };
        let next = b.get(i + 1).copied().unwrap_or(0);
        let mut add = |len: usize, new: &str| out.push((i, i + len, new.to_owned()));
        if c == b'o' && next == b'u' {
            add(2, "u");
        }
        if c == b'u' && consonant(prev) && prev != b'q' && next != b'u' {
            add(1, "ou");
        }
        if c == b'e' && next == b'e' {
            add(2, "i");
        }
        if c == b'i' && consonant(prev) && consonant(next) {
            add(1, "ee");
        }
        if c == b'y' && prev.is_ascii_lowercase() {
            add(1, "i");
        }
        if c == b'i' && consonant(prev) && next == 0 {
            add(1, "y");
        }
        if c == b'p' && next == b'h' {
            add(2, "f");
        }
        if c == b'k' && next == b'h' {
            add(2, "h");
        }
        if c == b'h' && i == 0 && vowel(next) {
            add(1, "kh");
        }
        if c == b'q' {
            add(1, "k");
        }
        if c == b'k' && next != b'h' && matches!(next, b'a' | b'o' | b'u') {
            add(1, "q");
        }
        if c.is_ascii_lowercase() && c == next && c != prev {
            add(2, &(c as char).to_string());
        }
        if consonant(c) && c != b'h' && vowel(prev) && vowel(next) {
            add(1, &(c as char).to_string().repeat(2));
        }
    }
    out
}

fn letter_variant(rng: &mut Rng, word: &str) -> Option<String> {
    let lower = word.to_lowercase();
    if !lower.is_ascii() {
        return None;
    }
    let edits = letter_edits(&lower);
    if edits.is_empty() {
        return None;
    }
    let (start, end, new) = rng.pick(&edits);
    let changed = format!("{}{new}{}", &lower[..*start], &lower[*end..]);
    Some(recase(word, &changed))
}

/// One vowel of one word changed (a ↔ e, i → e, o ↔ u).
fn vowel_change(rng: &mut Rng, words: &mut [String]) {
    let open: Vec<usize> = (0..words.len())
        .filter(|&i| words[i].is_ascii() && letters(&words[i]) >= 3 && !is_form(&words[i]))
        .filter(|&i| words[i][1..].chars().any(|c| "aeiouAEIOU".contains(c)))
        .collect();
    let Some(&i) = (!open.is_empty()).then(|| rng.pick(&open)) else {
        return;
    };
    let lower = words[i].to_lowercase();
    let vowels: Vec<usize> = lower
        .char_indices()
        .skip(1)
        .filter(|(_, c)| "aeiou".contains(*c))
        .map(|(p, _)| p)
        .collect();
    let p = *rng.pick(&vowels);
    let new = match &lower[p..p + 1] {
        "a" => "e",
        "e" => "a",
        "i" => "e",
        "o" => "u",
        _ => "o",
    };
    let changed = format!("{}{new}{}", &lower[..p], &lower[p + 1..]);
    words[i] = recase(&words[i], &changed);
}

fn is_form(word: &str) -> bool {
    FORM_WORDS.contains(&word_key(word).as_str())
}

/// An entity name split into its leading legal form, its other words and its trailing legal
/// form ("Acme Co., Ltd."; "OOO Romashka"; "Joint Stock Company NTV Broadcasting Company"). A
/// form stands first only when it is a leading form or several form words.
fn split_form(name: &str) -> (Vec<&str>, Vec<&str>, Vec<&str>) {
    let words: Vec<&str> = name.split_whitespace().collect();
    let mut lead = words.iter().take_while(|w| is_form(w)).count();
    let leading_form =
        lead > 1 || (lead == 1 && LEADING_FORMS.contains(&word_key(words[0]).as_str()));
    if !leading_form || lead >= words.len() {
        lead = 0;
    }
    let rest = &words[lead..];
    let mut trail = rest.iter().rev().take_while(|w| is_form(w)).count();
    if trail >= rest.len() {
        trail = 0;
    }
    let mut core = rest[..rest.len() - trail].to_vec();
    if let Some(last) = core.last_mut() {
        *last = last.trim_end_matches(',');
    }
    (
        words[..lead].to_vec(),
        core,
        rest[rest.len() - trail..].to_vec(),
    )
}

/// Legal form removed or swapped when the name has one, added when it has none.
fn legal_form(rng: &mut Rng, name: &str) -> Option<String> {
    let (lead, core, trail) = split_form(name);
    let core = core.join(" ");
    if core.is_empty() {
        return None;
    }
    let (lead, trail) = (lead.join(" "), trail.join(" "));
    let old = if trail.is_empty() { &lead } else { &trail };
    let add = |rng: &mut Rng| loop {
        let form = rng.pick(ADD_FORMS);
        if word_key(form) != word_key(old) {
            return *form;
        }
    };
    let join = |parts: &[&str]| {
        parts
            .iter()
            .filter(|p| !p.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    };
    Some(if old.is_empty() {
        let form = add(rng);
        match rng.below(3) {
            0 => format!("{core}, {form}"),
            1 if form == "OOO" => format!("OOO {core}"),
            _ => format!("{core} {form}"),
        }
    } else if rng.chance(0.5) {
        core
    } else if trail.is_empty() {
        // The form is swapped where it stood.
        join(&[add(rng), &core])
    } else {
        join(&[&lead, &core, add(rng)])
    })
}

/// A Latin name written in Cyrillic with a simple reverse table (the way a Russian document
/// would spell it, roughly).
fn cyrillic(name: &str) -> String {
    const DIGRAPHS: &[(&str, &str)] = &[
        ("shch", "щ"),
        ("kh", "х"),
        ("zh", "ж"),
        ("ch", "ч"),
        ("sh", "ш"),
        ("ts", "ц"),
        ("th", "т"),
        ("dh", "д"),
        ("gh", "г"),
        ("ph", "ф"),
        ("ck", "к"),
        ("ya", "я"),
        ("yu", "ю"),
        ("yo", "ё"),
        ("ye", "е"),
        ("ee", "и"),
        ("oo", "у"),
        ("ou", "у"),
    ];
    let single = |c: char| match c {
        'a' => "а",
        'b' => "б",
        'c' | 'k' | 'q' => "к",
        'd' => "д",
        'e' => "е",
        'f' => "ф",
        'g' => "г",
        'h' => "х",
        'i' => "и",
        'j' => "дж",
        'l' => "л",
        'm' => "м",
        'n' => "н",
        'o' => "о",
        'p' => "п",
        'r' => "р",
        's' => "с",
        't' => "т",
        'u' => "у",
        'v' | 'w' => "в",
        'x' => "кс",
        'z' => "з",
        '-' => "-",
        _ => "",
    };
    let mut words = Vec::new();
    for word in name.split_whitespace() {
        let lower = word.to_lowercase();
        let mut out = String::new();
        let mut i = 0;
        while i < lower.len() {
            let rest = &lower[i..];
            if let Some((latin, cyr)) = DIGRAPHS.iter().find(|(l, _)| rest.starts_with(l)) {
                out.push_str(cyr);
                i += latin.len();
                continue;
            }
            let c = rest.chars().next().unwrap_or(' ');
            if c == 'y' {
                // й after a vowel or at the end, ы after a consonant, и at the start.
                let prev = lower[..i].chars().last();
                let after_vowel = prev.is_some_and(|p| "aeiou".contains(p));
                out.push_str(if after_vowel || i + 1 == lower.len() {
                    "й"
                } else if prev.is_some() {
                    "ы"
                } else {
                    "и"
                });
            } else {
                out.push_str(single(c));
            }
            i += c.len_utf8();
        }
        words.push(capitalise(&out));
    }
    words.join(" ")
}

// ---------------------------------------------------------------------------------------------
// run

fn read_queries(path: &Path) -> Result<Vec<Labelled>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (no, line) in text.lines().enumerate().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 4 {
            return Err(format!("{}:{}: expected 4 columns", path.display(), no + 1));
        }
        out.push(Labelled {
            query: cols[0].to_owned(),
            expected: (!cols[1].is_empty()).then(|| (cols[1].to_owned(), cols[2].to_owned())),
            variant: cols[3].to_owned(),
        });
    }
    Ok(out)
}

fn query(text: &str) -> Query<'_> {
    Query {
        name: text,
        ..Query::default()
    }
}

fn finds(matches: &[Match], expected: &(String, String)) -> bool {
    matches
        .iter()
        .any(|m| m.list == expected.0 && m.entry_id == expected.1)
}

/// Recall, precision and negatives flagged, as the Python side defines them too.
struct Tally {
    recall: f64,
    precision: f64,
    negatives_flagged: f64,
    by_variant: BTreeMap<String, (usize, usize)>,
}

fn tally(set: &[Labelled], results: &[Vec<Match>]) -> Tally {
    let (mut positives, mut recalled, mut wrong, mut negatives, mut flagged) = (0, 0, 0, 0, 0);
    let mut by_variant: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (q, matches) in set.iter().zip(results) {
        let hit = match &q.expected {
            Some(expected) => {
                positives += 1;
                let found = finds(matches, expected);
                recalled += usize::from(found);
                wrong += usize::from(!found && !matches.is_empty());
                found
            }
            None => {
                negatives += 1;
                flagged += usize::from(!matches.is_empty());
                !matches.is_empty()
            }
        };
        let slot = by_variant.entry(q.variant.clone()).or_default();
        slot.0 += 1;
        slot.1 += usize::from(hit);
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let claimed = recalled + flagged + wrong;
    Tally {
        recall: ratio(recalled, positives),
        precision: if claimed == 0 {
            1.0
        } else {
            ratio(recalled, claimed)
        },
        negatives_flagged: ratio(flagged, negatives),
        by_variant,
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn run(o: &Opts) -> Result<(), String> {
    let data = o.path("data")?;
    let queries = o.path("queries")?;
    let threshold: f32 = o.num("threshold", DEFAULT_THRESHOLD)?;
    let rescreen: usize = o.num("rescreen", 0)?;
    let set = read_queries(&queries)?;
    if set.is_empty() {
        return Err(format!("{} holds no queries", queries.display()));
    }

    let lists = load(&data)?;
    let start = Instant::now();
    let index = Index::build(
        lists
            .parsed
            .iter()
            .map(|l| (l.kind.clone(), l.entries.as_slice())),
    );
    let build_s = start.elapsed().as_secs_f64();
    let (entries, corpus_names) = index.len();

    // One thread, one scratch: the single-core rate. A warm-up pass first (caches, allocator).
    let mut scratch = Scratch::default();
    for q in &set {
        index.screen_with(&mut scratch, &query(&q.query), threshold);
    }
    let mut times = Vec::new();
    let mut results: Vec<Vec<Match>> = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        results = set
            .iter()
            .map(|q| index.screen_with(&mut scratch, &query(&q.query), threshold))
            .collect();
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let seconds = times[1];
    let main = tally(&set, &results);

    // The sweep screens again at each threshold (untimed), so that its figures are exactly
    // what that threshold returns.
    let mut sweep = Vec::new();
    for t in (60..=95).step_by(5) {
        let at: Vec<Vec<Match>> = set
            .iter()
            .map(|q| index.screen_with(&mut scratch, &query(&q.query), t as f32 / 100.0))
            .collect();
        let s = tally(&set, &at);
        sweep.push(json!({
            "threshold": f64::from(t) / 100.0,
            "recall": round4(s.recall),
            "precision": round4(s.precision),
            "negatives_flagged": round4(s.negatives_flagged),
        }));
    }

    let mut by_variant = Map::new();
    for (v, (n, hit)) in &main.by_variant {
        by_variant.insert(v.clone(), json!({"n": n, "hit": hit}));
    }
    let list_sizes: Vec<Value> = lists
        .parsed
        .iter()
        .map(|l| {
            json!({
                "list": l.kind.name(),
                "entries": l.entries.len(),
                "names": l.entries.iter().map(|e| e.names.len()).sum::<usize>(),
            })
        })
        .collect();
    let mut out = json!({
        "engine": "probity",
        "names": set.len(),
        "corpus_names": corpus_names,
        "entries": entries,
        "lists": list_sizes,
        "parse_s": lists.parse_s,
        "build_s": build_s,
        "seconds": seconds,
        "pass_seconds": times,
        "names_per_s": set.len() as f64 / seconds,
        "threshold": (f64::from(threshold) * 1000.0).round() / 1000.0,
        "recall": round4(main.recall),
        "precision": round4(main.precision),
        "negatives_flagged": round4(main.negatives_flagged),
        "by_variant": by_variant,
        "sweep": sweep,
    });

    if rescreen > 0 {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let start = Instant::now();
        let found: usize = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let (index, set) = (&index, &set);
                    s.spawn(move || {
                        let mut scratch = Scratch::default();
                        let mut found = 0;
                        for i in (t..rescreen).step_by(threads) {
                            let q = &set[i % set.len()];
                            found += index
                                .screen_with(&mut scratch, &query(&q.query), threshold)
                                .len();
                        }
                        found
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a screening thread panicked"))
                .sum()
        });
        out["rescreen_n"] = json!(rescreen);
        out["rescreen_s"] = json!(start.elapsed().as_secs_f64());
        out["rescreen_threads"] = json!(threads);
        out["rescreen_matches"] = json!(found);
    }
    println!("{out}");

    if o.debug {
        debug_report(&index, &set, &results, threshold);
    }
    if let Some(path) = o.values.get("dump") {
        dump(Path::new(path), &set, &results)?;
    }
    Ok(())
}

/// Every query's outcome at the threshold: `hit` is recalled (positives) or flagged
/// (negatives); then the number of matches and the best one.
fn dump(path: &Path, set: &[Labelled], results: &[Vec<Match>]) -> Result<(), String> {
    let mut text = String::from(
        "query\tvariant\texpected\thit\tmatches\tbest_score\tbest_entry\tbest_name\texplanation\n",
    );
    for (q, matches) in set.iter().zip(results) {
        let hit = match &q.expected {
            Some(e) => finds(matches, e),
            None => !matches.is_empty(),
        };
        let expected = q.expected.as_ref().map(|e| format!("{}:{}", e.0, e.1));
        let best = matches.first();
        let _ = writeln!(
            text,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            tsv(&q.query),
            q.variant,
            expected.unwrap_or_default(),
            u8::from(hit),
            matches.len(),
            best.map(|m| format!("{:.2}", m.score)).unwrap_or_default(),
            best.map(|m| format!("{}:{}", m.list, m.entry_id))
                .unwrap_or_default(),
            best.map(|m| tsv(&m.matched_name)).unwrap_or_default(),
            best.map(|m| tsv(&m.explanation)).unwrap_or_default(),
        );
    }
    write(path, &text)
}

/// A missed positive: the expected entry's score (−1 when not among the 10 best at any
/// score), the query's position, the expected entry's match and the 10 best.
type Miss = (f32, usize, Option<Match>, Vec<Match>);

/// The worst false positives and a spread of misses, with the matcher's explanations: what the
/// matcher's author tunes from.
fn debug_report(index: &Index, set: &[Labelled], results: &[Vec<Match>], threshold: f32) {
    let mut scratch = Scratch::default();
    let show = |m: &Match| {
        format!(
            "{:.2} {}:{} \"{}\" — {}",
            m.score, m.list, m.entry_id, m.matched_name, m.explanation
        )
    };

    let mut flagged: Vec<(usize, f32)> = set
        .iter()
        .zip(results)
        .enumerate()
        .filter(|(_, (q, m))| q.expected.is_none() && !m.is_empty())
        .map(|(i, (_, m))| (i, m[0].score))
        .collect();
    flagged.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    eprintln!(
        "\n== {} negatives flagged at {threshold}; the 20 highest ==",
        flagged.len()
    );
    for &(i, _) in flagged.iter().take(20) {
        let q = &set[i];
        eprintln!("[{}] \"{}\"", q.variant, q.query);
        for m in results[i].iter().take(2) {
            eprintln!("    {}", show(m));
        }
    }

    let wrong: Vec<usize> = (0..set.len())
        .filter(|&i| {
            set[i]
                .expected
                .as_ref()
                .is_some_and(|e| !finds(&results[i], e) && !results[i].is_empty())
        })
        .collect();
    eprintln!(
        "\n== {} positives matched other entries only; the first 10 ==",
        wrong.len()
    );
    for &i in wrong.iter().take(10) {
        let q = &set[i];
        let expected = q.expected.as_ref().map(|e| format!("{}:{}", e.0, e.1));
        eprintln!(
            "[{}] \"{}\" (expected {})",
            q.variant,
            q.query,
            expected.unwrap_or_default()
        );
        for m in results[i].iter().take(2) {
            eprintln!("    {}", show(m));
        }
    }

    // Misses, taken in turn from each variant so that every variant is seen; within a
    // variant, those whose expected entry scores lowest (or not at all) first.
    let mut misses: BTreeMap<&str, Vec<Miss>> = BTreeMap::new();
    for (i, q) in set.iter().enumerate() {
        let Some(expected) = &q.expected else {
            continue;
        };
        if finds(&results[i], expected) {
            continue;
        }
        let all = index.screen_with(&mut scratch, &query(&q.query), 0.0);
        let mine = all
            .iter()
            .find(|m| m.list == expected.0 && m.entry_id == expected.1)
            .cloned();
        let score = mine.as_ref().map_or(-1.0, |m| m.score);
        misses
            .entry(q.variant.as_str())
            .or_default()
            .push((score, i, mine, all));
    }
    let total: usize = misses.values().map(Vec::len).sum();
    for list in misses.values_mut() {
        list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    }
    let per_variant: Vec<String> = misses
        .iter()
        .map(|(v, l)| format!("{v} {}", l.len()))
        .collect();
    eprintln!(
        "\n== {total} positives missed at {threshold} ({}); 20 of them, each variant in turn ==",
        per_variant.join(", ")
    );
    if let Some(list) = misses.get("original_script") {
        let cyrillic = list
            .iter()
            .filter(|m| {
                set[m.1]
                    .query
                    .chars()
                    .any(|c| ('\u{400}'..='\u{4ff}').contains(&c))
            })
            .count();
        eprintln!(
            "original_script misses: {cyrillic} written in Cyrillic by the generator, {} in the \
             UN's own script",
            list.len() - cyrillic
        );
    }
    let mut shown = 0;
    let mut round = 0;
    while shown < 20 && shown < total {
        for list in misses.values() {
            if shown >= 20 {
                break;
            }
            let Some((_, i, mine, all)) = list.get(round) else {
                continue;
            };
            let q = &set[*i];
            let expected = q.expected.as_ref().map(|e| format!("{}:{}", e.0, e.1));
            eprintln!(
                "[{}] \"{}\" (expected {})",
                q.variant,
                q.query,
                expected.unwrap_or_default()
            );
            match mine {
                Some(m) => eprintln!("    expected entry: {}", show(m)),
                None => eprintln!("    expected entry: not among the 10 best at any score"),
            }
            if let Some(best) = all.first().filter(|b| Some(*b) != mine.as_ref()) {
                eprintln!("    best instead:   {}", show(best));
            }
            shown += 1;
        }
        round += 1;
    }
}
