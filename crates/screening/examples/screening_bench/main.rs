//! The screening benchmark: Probity's name matcher on a labelled set built from the real UK HMT,
//! UN and OFAC lists, beside RapidFuzz (`bench/rapidfuzz_compare.py`); both are run, and the
//! section of BENCHMARKS.md written, by `scripts/bench-screening.sh`. `generate` and `run` have
//! a module each; `variants`, `vocab` and `words` make the labelled set.
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

mod generate;
mod run;
mod variants;
mod vocab;
mod words;

use generate::*;
use run::*;
use variants::*;
use vocab::*;
use words::*;

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

/// One query of the labelled set, as `generate` writes it and `run` reads it.
struct Labelled {
    query: String,
    /// (list, entry id) for a positive; `None` for a negative.
    expected: Option<(String, String)>,
    variant: String,
}
