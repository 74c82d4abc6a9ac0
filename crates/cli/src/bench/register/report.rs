//! The register section of BENCHMARKS.md, written from the measurements.
use super::{Append, Config, Log};

pub fn report(appends: &[Append], log: &Log, cfg: &Config) -> String {
    let mut s = String::new();
    s.push_str("## Register: append rate, inclusion proofs, full verification\n\n");
    s.push_str(&format!(
        "`probity-bench --suite register` (release; {} outbox rows per backend, batch {}, \
         {}-entry log). Every ratio is against a baseline measured in the same run.\n\n",
        cfg.entries,
        match cfg.batch {
            Some(b) => format!("fixed at {b}"),
            None => format!(
                "adaptive as in `serve` (first {}, then sized to take about {} ms, {}–{})",
                probity_service::register::sequencer::DEFAULT_BATCH,
                probity_service::register::sequencer::BATCH_TIME.as_millis(),
                probity_service::register::sequencer::MIN_BATCH,
                probity_service::register::sequencer::MAX_BATCH
            ),
        },
        log.size
    ));
    s.push_str("### Entries appended per second (real sequencer, durably committed)\n\n");
    s.push_str(
        "Synthetic outbox rows copied from real decisions of a demo seed (same record JSON, \
         same cases), drained by `Sequencer::run_once` until empty: per batch one transaction \
         with the case lookups, entry encoding with fresh salts, entries, stored hashes, \
         openings, a signed checkpoint and the rows marked published. Baseline: the same entry \
         bytes appended by `TreeBuilder` in memory (best of 3). Target: ≥ 20,000/s.\n\n",
    );
    s.push_str("| backend | entries | entries/s (median round) | every round | checkpoints/s | largest batch | slowest batch (s) | in-memory entries/s | real / in-memory | mean entry (bytes) |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for a in appends {
        let rate = a.rate();
        s.push_str(&format!(
            "| {} | {} | {:.0} | {} | {:.2} | {} | {:.2} | {:.0} | {:.4} | {:.0} |\n",
            a.backend,
            a.entries,
            rate,
            a.round_rates
                .iter()
                .map(|r| format!("{r:.0}"))
                .collect::<Vec<_>>()
                .join(", "),
            a.checkpoints as f64 / a.secs,
            a.max_batch_rows,
            a.max_batch_secs,
            a.mem_rate,
            rate / a.mem_rate,
            a.entry_bytes
        ));
    }
    s.push_str("\nWhere the time goes (µs per entry; the phases re-run separately after the drain on the same database, over the first 2,000 rows, lookups in one transaction, best of 3; \"rest\" is the remainder):\n\n| backend | total | case lookup (3 queries per batch) | decode + encode + salts | tree (in memory) | rest: inserts, UPDATE, checkpoint, commit |\n|---|---|---|---|---|---|\n");
    for a in appends {
        let total = a.secs / a.entries as f64 * 1e6;
        let tree = 1e6 / a.mem_rate;
        s.push_str(&format!(
            "| {} | {:.1} | {:.1} | {:.1} | {:.2} | {:.1} |\n",
            a.backend,
            total,
            a.case_secrets_us,
            a.encode_us,
            tree,
            (total - a.case_secrets_us - a.encode_us - tree).max(0.0)
        ));
    }
    if !appends.is_empty() {
        let verdicts: Vec<String> = appends
            .iter()
            .map(|a| {
                let rate = a.rate();
                let verdict = if rate >= 20_000.0 { "met" } else { "not met" };
                format!("{verdict} on {} ({rate:.0}/s)", a.backend)
            })
            .collect();
        s.push_str(&format!(
            "\n**Target ≥ 20,000/s: {}.** The Merkle tree itself is not the bottleneck (the \
             in-memory append is hundreds of times faster); the time is the database writes of \
             each entry: the entry row, its openings row, about two stored-hash rows and the \
             outbox row marked published, in multi-row statements sized per backend (SQLite \
             binds `$N` parameters in time quadratic in their number, so its statements carry \
             about 200), plus one fsync'd commit per batch (SQLite runs with `synchronous = \
             FULL`: a signed checkpoint, once served, must never be lost). On PostgreSQL the \
             server shares the two cores with the sequencer, and marking the outbox rows \
             published (a non-HOT update of each row and its indexes) is the largest single \
             statement. Under a backlog the sequencer grows its batch to about 400 ms of work, \
             which amortises the per-batch part (tree check, lookups, checkpoint, commit) while \
             still signing at least once a second; `--register-batch N` fixes the size \
             instead.\n",
            verdicts.join("; ")
        ));
    }
    s.push_str(&format!(
        "\n### Inclusion proofs at {} entries\n\nTree built in memory (`TreeBuilder` + `MemoryStore`, \
         not the database: {:.1} s including tiles and bundles); proofs for random indexes with \
         `tlog::prove_inclusion`, each verified with `merkle::verify_inclusion`.\n\n\
         | proofs | generate median (µs) | generate p99 (µs) | verify median (µs) |\n|---|---|---|---|\n\
         | {} | {:.2} | {:.2} | {:.2} |\n",
        log.size,
        log.build_secs,
        cfg.proofs,
        log.proof_median_us,
        log.proof_p99_us,
        log.verify_median_us
    ));
    s.push_str(&format!(
        "\n### Full-log verification vs raw SHA-256\n\n`verify::verify_log` over every entry bundle \
         and hash tile of the {}-entry log ({:.1} MB of entry data): checkpoint signature, parse \
         bundles, recompute the tree, compare root and every tile. Baseline: one `sha2` SHA-256 per \
         entry over the same bytes (best of 3 each, interleaved). Target: ≥ 0.5.\n\n\
         | verify (MB/s) | raw SHA-256 (MB/s) | fraction |\n|---|---|---|\n| {:.1} | {:.1} | {:.2} |\n",
        log.size,
        log.bytes as f64 / 1e6,
        log.verify_mbs,
        log.sha_mbs,
        log.verify_mbs / log.sha_mbs
    ));
    let f = log.verify_mbs / log.sha_mbs;
    s.push_str(&format!(
        "\n**Target ≥ 0.5: {}** ({f:.2}). Verification necessarily hashes more than the entry \
         bytes: each leaf hash is SHA-256 over 0x00‖entry, and the n−1 interior nodes each hash \
         65 bytes (two SHA-256 blocks), so at this entry size the ceiling is roughly 0.75–0.8 of \
         the raw rate. The verifier makes one pass: bundles are parsed as borrowed slices, each \
         entry is hashed while in cache, and each full tile is compared as soon as it is \
         complete and then folded into the level above (memory: one tile per level).\n",
        if f >= 0.5 { "met" } else { "not met" }
    ));
    s
}
