//! `run`: screening the labelled set and scoring the outcome.
use super::*;

// ---------------------------------------------------------------------------------------------
// run

pub(crate) fn read_queries(path: &Path) -> Result<Vec<Labelled>, String> {
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

pub(crate) fn query(text: &str) -> Query<'_> {
    Query {
        name: text,
        ..Query::default()
    }
}

pub(crate) fn finds(matches: &[Match], expected: &(String, String)) -> bool {
    matches
        .iter()
        .any(|m| m.list == expected.0 && m.entry_id == expected.1)
}

/// Recall, precision and negatives flagged, as the Python side defines them too.
pub(crate) struct Tally {
    recall: f64,
    precision: f64,
    negatives_flagged: f64,
    by_variant: BTreeMap<String, (usize, usize)>,
}

pub(crate) fn tally(set: &[Labelled], results: &[Vec<Match>]) -> Tally {
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

pub(crate) fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

pub(crate) fn run(o: &Opts) -> Result<(), String> {
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
pub(crate) fn dump(path: &Path, set: &[Labelled], results: &[Vec<Match>]) -> Result<(), String> {
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
pub(crate) type Miss = (f32, usize, Option<Match>, Vec<Match>);

/// The worst false positives and a spread of misses, with the matcher's explanations: what the
/// matcher's author tunes from.
pub(crate) fn debug_report(
    index: &Index,
    set: &[Labelled],
    results: &[Vec<Match>],
    threshold: f32,
) {
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
