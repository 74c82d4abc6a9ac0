//! `probity-bench`: the licensing-core benchmark (not a test). For SQLite and PostgreSQL it
//! loads N cases, then measures, in the same run and on the same database:
//! - applications submitted per second through the real command (validation, reference,
//!   normalised rows, audit chain, one transaction each), against the raw insert rate of the
//!   same rows with plain INSERTs in one transaction per application (the ratio is the figure);
//! - the case-list page latency (the full HTTP handler, in-process) against the bare SQL of the
//!   page.
//!
//! Results go to stdout and, with --write, into BENCHMARKS.md between markers.
mod core;

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "probity-bench",
    about = "Benchmarks for Probity (writes BENCHMARKS.md)"
)]
struct Args {
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
    /// Update BENCHMARKS.md in the current folder.
    #[arg(long)]
    write: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut sections = Vec::new();
    let dir = tempfile_dir()?;
    let sqlite_url = format!("sqlite://{}/bench.db", dir.display());
    sections.push(core::run("SQLite", &sqlite_url, &args_cfg(&args)).await?);
    match &args.postgres_url {
        Some(admin) => {
            let url = core::fresh_postgres(admin).await?;
            sections.push(core::run("PostgreSQL", &url, &args_cfg(&args)).await?);
        }
        None => {
            eprintln!("PostgreSQL skipped: pass --postgres-url or set PROBITY_BENCH_POSTGRES_URL")
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let report = core::report(&sections, &args_cfg(&args));
    println!("{report}");
    if args.write {
        core::write_benchmarks_md(&report)?;
        eprintln!("BENCHMARKS.md updated");
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
