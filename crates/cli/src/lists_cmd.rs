//! `probity lists load|show` and `probity screen`: sanctions lists and screening from the
//! command line. `screen`'s output is a contract other tools build on (docs/screening.md).
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use probity_domain::CriteriaSet;
use probity_screening::{BadLines, ListKind, DEFAULT_THRESHOLD};
use probity_service::screening::{self, NameQuery};
use probity_service::{Clock, Ctx};

use crate::commands::{open, DbArgs};
use crate::review_cmd::service;

#[derive(Clone, Copy, ValueEnum)]
pub enum Kind {
    /// HM Treasury (OFSI) consolidated list, CSV.
    UkHmt,
    /// UN Security Council consolidated list, XML.
    Un,
    /// US OFAC SDN list (sdn.csv).
    OfacSdn,
    /// Probity's documented CSV (docs/screening-list-csv.md); give --name.
    Csv,
}

#[derive(Subcommand)]
pub enum ListsCommand {
    /// Load a new version of a list, say what it added, changed and removed, and re-screen
    /// every open case and licence in force against the lists.
    Load {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, value_enum)]
        kind: Kind,
        /// The list's short name, for --kind csv (lower-case letters, digits, hyphens).
        #[arg(long, required_if_eq("kind", "csv"))]
        name: Option<String>,
        /// Load the good lines of a partly bad file, and report every skipped line.
        #[arg(long)]
        skip_bad: bool,
        /// Do not re-screen after loading.
        #[arg(long)]
        no_rescreen: bool,
        file: PathBuf,
    },
    /// The loaded versions of every list, newest first.
    Show {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Args)]
pub struct ScreenArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Report matches scoring at least this (0 to 1).
    #[arg(long, default_value_t = DEFAULT_THRESHOLD, value_parser = threshold)]
    threshold: f32,
    /// One name per line, or CSV with a header `name[,kind][,country][,address]`; `-` or
    /// nothing for standard input.
    file: Option<PathBuf>,
}

fn threshold(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(t) if (0.0..=1.0).contains(&t) => Ok(t),
        _ => Err(format!(
            "{s:?} is not a threshold: give a number from 0 to 1, such as 0.8"
        )),
    }
}

fn ctx(store: probity_store::Store) -> Ctx {
    Ctx::new(store, CriteriaSet::uk_selc(), Clock::system())
}

pub async fn run(c: ListsCommand) -> Result<ExitCode> {
    match c {
        ListsCommand::Load {
            db,
            kind,
            name,
            skip_bad,
            no_rescreen,
            file,
        } => {
            let list = match kind {
                Kind::UkHmt => ListKind::UkHmt,
                Kind::Un => ListKind::Un,
                Kind::OfacSdn => ListKind::OfacSdn,
                Kind::Csv => {
                    let name = name.unwrap_or_default();
                    match ListKind::parse(&name).map_err(|e| anyhow!(e))? {
                        ListKind::Other(n) => ListKind::Other(n),
                        _ => {
                            bail!("--name {name:?} is a built-in list: load it with its own --kind")
                        }
                    }
                }
            };
            let bytes = std::fs::read(&file)
                .with_context(|| format!("could not read {}", file.display()))?;
            let source = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let ctx = ctx(open(&db.database_url).await?);
            let bad = if skip_bad {
                BadLines::Skip
            } else {
                BadLines::Refuse
            };
            let report = screening::load_list(&ctx, None, list, &source, bytes, bad)
                .await
                .map_err(service)?;
            for s in &report.skipped {
                eprintln!("skipped {s}");
            }
            println!("loaded {}", report.summary());
            if !no_rescreen {
                let bar = indicatif::ProgressBar::new(0);
                let mut progress = |done: u64, total: u64| {
                    bar.set_length(total);
                    bar.set_position(done);
                };
                let r = screening::rescreen_all(
                    &ctx,
                    probity_service::domain::screening::RescreenReason::ListUpdate,
                    Some(&report.version_id),
                    &mut progress,
                )
                .await
                .map_err(service)?;
                bar.finish_and_clear();
                println!(
                    "re-screened {} parties of open cases and licences in force: {} new matches ({} on licences in force)",
                    r.parties, r.new_matches, r.on_licences
                );
            }
        }
        ListsCommand::Show { db } => {
            let ctx = ctx(open(&db.database_url).await?);
            let versions = probity_store::screening::versions(ctx.store.pool()).await?;
            if versions.is_empty() {
                println!("no lists loaded");
            }
            for v in versions {
                println!(
                    "{}  {} version {}  {} entries  published {}  sha256 {}  from {}  (+{} ~{} -{})",
                    v.id,
                    v.list,
                    v.version,
                    v.entry_count,
                    v.published.as_deref().unwrap_or("-"),
                    &v.file_sha256[..16.min(v.file_sha256.len())],
                    v.source,
                    v.added_count,
                    v.changed_count,
                    v.removed_count
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads the names to screen: all of them first, so a bad line stops the run before any
/// output and nothing is half done.
fn read_queries(input: impl BufRead) -> Result<Vec<NameQuery>> {
    let mut lines = Vec::new();
    for (i, line) in input.lines().enumerate() {
        lines.push(line.with_context(|| format!("line {}: the input is not UTF-8 text", i + 1))?);
    }
    let header = lines
        .first()
        .map(|l| l.trim().to_ascii_lowercase())
        .unwrap_or_default();
    // A header naming a `name` column makes it CSV; its other columns must be known.
    let is_csv = header.split(',').any(|c| c.trim() == "name");
    if !is_csv {
        return lines
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                NameQuery::parse(l, None, None, None).map_err(|e| anyhow!("line {}: {e}", i + 1))
            })
            .collect();
    }
    let text = lines.join("\n");
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let columns: Vec<String> = reader
        .headers()?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    for c in &columns {
        if !matches!(c.as_str(), "name" | "kind" | "country" | "address") {
            bail!("line 1: unknown column {c:?}: the header is name[,kind][,country][,address]");
        }
    }
    let at = |name: &str| columns.iter().position(|c| c == name);
    let (name_at, kind_at, country_at, address_at) = (
        at("name").unwrap_or(0),
        at("kind"),
        at("country"),
        at("address"),
    );
    let mut out = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let row =
            row.map_err(|_| anyhow!("line {line}: not a CSV row with {} columns", columns.len()))?;
        let name = row.get(name_at).unwrap_or("");
        let kind = kind_at.and_then(|k| row.get(k));
        let country = country_at.and_then(|c| row.get(c));
        let address = address_at.and_then(|a| row.get(a));
        out.push(
            NameQuery::parse(name, kind, country, address)
                .map_err(|e| anyhow!("line {line}: {e}"))?,
        );
    }
    Ok(out)
}

pub async fn screen(a: ScreenArgs) -> Result<ExitCode> {
    let queries = match a.file.as_deref() {
        None => read_queries(std::io::stdin().lock())?,
        Some(p) if p.as_os_str() == "-" => read_queries(std::io::stdin().lock())?,
        Some(p) => read_queries(std::io::BufReader::new(
            std::fs::File::open(p).with_context(|| format!("could not read {}", p.display()))?,
        ))?,
    };
    let ctx = ctx(open(&a.db.database_url).await?);
    let names: Vec<String> = queries.iter().map(|q| q.name.clone()).collect();
    let results = screening::screen_names(&ctx, queries, a.threshold)
        .await
        .map_err(service)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (name, matches) in names.iter().zip(results) {
        let line = serde_json::json!({ "query": name, "matches": matches });
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
