//! `probity-bench`: the licensing-core benchmark (not a test). For SQLite and PostgreSQL it
//! loads N cases, then measures, in the same run and on the same database:
//! - applications submitted per second through the real command (validation, reference,
//!   normalised rows, audit chain, one transaction each), against the raw insert rate of the
//!   same rows with plain INSERTs in one transaction per application (the ratio is the figure);
//! - the case-list page latency (the full HTTP handler, in-process) against the bare SQL of the
//!   page.
//!
//!
//! `--suite register` runs the register benchmark instead (see register.rs); `--suite all`
//! runs both. Results go to stdout and, with --write, into BENCHMARKS.md between each suite's
//! markers.
mod core;
mod register;
mod reviews;

use clap::{Parser, ValueEnum};

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Suite {
    Core,
    Register,
    Reviews,
    All,
}

#[derive(Parser)]
#[command(
    name = "probity-bench",
    about = "Benchmarks for Probity (writes BENCHMARKS.md)"
)]
struct Args {
    /// Which benchmark to run.
    #[arg(long, value_enum, default_value_t = Suite::Core)]
    suite: Suite,
    /// Cases in the database before measuring.
    #[arg(long, default_value_t = 100_000)]
    cases: u32,
    /// Applications submitted in the timed runs.
    #[arg(long, default_value_t = 2_000)]
    submissions: u32,
    /// Case-list requests per measured page.
    #[arg(long, default_value_t = 200)]
    requests: u32,
    /// PostgreSQL server URL whose user may CREATE DATABASE (skips PostgreSQL when absent).
    #[arg(long, env = "PROBITY_BENCH_POSTGRES_URL")]
    postgres_url: Option<String>,
    /// Register: outbox rows drained by the sequencer per backend.
    #[arg(long, default_value_t = 20_000)]
    register_entries: u32,
    /// Register: sequencer batch size (rows per transaction and per signed checkpoint).
    /// (default: adaptive, as in `probity serve`).
    #[arg(long)]
    register_batch: Option<i64>,
    /// Register: drains per backend, each on a fresh database (the median is reported).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    register_rounds: u32,
    /// Register: leaves in the log for the proof and verification measurements.
    #[arg(long, default_value_t = 1_000_000)]
    register_tree: u32,
    /// Register: inclusion proofs generated.
    #[arg(long, default_value_t = 10_000)]
    register_proofs: u32,
    /// Reviews: licences in force before the review opens.
    #[arg(long, default_value_t = 1_000_000)]
    review_licences: u32,
    /// Reviews: how many of them the rule matches (at most a tenth of them).
    #[arg(long, default_value_t = 50_000)]
    review_matching: u32,
    /// Reviews: openings measured (the median is reported).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    review_rounds: u32,
    /// Update BENCHMARKS.md in the current folder.
    #[arg(long)]
    write: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if matches!(args.suite, Suite::Core | Suite::All) {
        run_core(&args).await?;
    }
    if matches!(args.suite, Suite::Register | Suite::All) {
        run_register(&args).await?;
    }
    if matches!(args.suite, Suite::Reviews | Suite::All) {
        run_reviews(&args).await?;
    }
    Ok(())
}

async fn run_reviews(args: &Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.review_matching <= args.review_licences / 10,
        "--review-matching must be at most a tenth of --review-licences (one licence in ten goes to the reviewed destination)"
    );
    let cfg = reviews::Config {
        licences: args.review_licences,
        matching: args.review_matching,
        rounds: args.review_rounds,
    };
    let mut sections = Vec::new();
    let dir = tempfile_dir()?;
    let sqlite_url = format!("sqlite://{}/reviews.db", dir.display());
    sections.push(reviews::run("SQLite", &sqlite_url, &cfg).await?);
    match &args.postgres_url {
        Some(admin) => {
            let url = core::fresh_postgres(admin).await?;
            sections.push(reviews::run("PostgreSQL", &url, &cfg).await?);
        }
        None => {
            eprintln!("PostgreSQL skipped: pass --postgres-url or set PROBITY_BENCH_POSTGRES_URL")
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let report = reviews::report(&sections, &cfg);
    println!("{report}");
    if args.write {
        core::write_benchmarks_md("reviews", &report)?;
        eprintln!("BENCHMARKS.md updated (reviews)");
    }
    Ok(())
}

async fn run_core(args: &Args) -> anyhow::Result<()> {
    let mut sections = Vec::new();
    let dir = tempfile_dir()?;
    let sqlite_url = format!("sqlite://{}/bench.db", dir.display());
    sections.push(core::run("SQLite", &sqlite_url, &args_cfg(args)).await?);
    match &args.postgres_url {
        Some(admin) => {
            let url = core::fresh_postgres(admin).await?;
            sections.push(core::run("PostgreSQL", &url, &args_cfg(args)).await?);
        }
        None => {
            eprintln!("PostgreSQL skipped: pass --postgres-url or set PROBITY_BENCH_POSTGRES_URL")
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let report = core::report(&sections, &args_cfg(args));
    println!("{report}");
    if args.write {
        core::write_benchmarks_md("core", &report)?;
        eprintln!("BENCHMARKS.md updated (core)");
    }
    Ok(())
}

async fn run_register(args: &Args) -> anyhow::Result<()> {
    let cfg = register::Config {
        entries: args.register_entries,
        batch: args.register_batch,
        tree: args.register_tree,
        proofs: args.register_proofs,
    };
    let mut appends = Vec::new();
    let dir = tempfile_dir()?;
    let sqlite_url = |round: u32| format!("sqlite://{}/register-{round}.db", dir.display());
    let mut rounds = Vec::new();
    for round in 0..args.register_rounds {
        rounds.push(register::run_append("SQLite", &sqlite_url(round), &cfg).await?);
    }
    appends.extend(register::median_round(rounds));
    match &args.postgres_url {
        Some(admin) => {
            let mut rounds = Vec::new();
            for _ in 0..args.register_rounds {
                let url = core::fresh_postgres(admin).await?;
                rounds.push(register::run_append("PostgreSQL", &url, &cfg).await?);
            }
            appends.extend(register::median_round(rounds));
        }
        None => {
            eprintln!("PostgreSQL skipped: pass --postgres-url or set PROBITY_BENCH_POSTGRES_URL")
        }
    }
    let sample = register::sample_entries(&sqlite_url(0)).await?;
    let _ = std::fs::remove_dir_all(&dir);
    let log = register::run_log(&sample, &cfg)?;
    let report = register::report(&appends, &log, &cfg);
    println!("{report}");
    if args.write {
        core::write_benchmarks_md("register", &report)?;
        eprintln!("BENCHMARKS.md updated (register)");
    }
    Ok(())
}

fn args_cfg(a: &Args) -> core::Config {
    core::Config {
        cases: a.cases,
        submissions: a.submissions,
        requests: a.requests,
    }
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("probity-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
