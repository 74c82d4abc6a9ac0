//! `probity import caat`, `probity stats` and `probity export`: historic data, statistics and
//! open data from the command line. Thin: parse flags, call `probity_service::analytics`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{anyhow, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use probity_domain::CriteriaSet;
use probity_service::analytics::engine::{
    export, export_dataset, export_parquet, AnomalyKind, ImportOptions, Severity,
};
use probity_service::analytics::{
    self, ImportFailure, ImportOutcome, ImportStage, StatsAnswer, StatsParams,
};

mod fmt;
use probity_service::{Clock, Ctx, ServiceError};
use probity_store::Store;

#[derive(Args, Clone)]
pub struct AnalyticsDb {
    /// Database URL: sqlite://<path> or postgres://user@host/db.
    #[arg(long, env = "PROBITY_DATABASE_URL")]
    database_url: String,
    /// File that keeps the statistics table between runs [default: beside a SQLite database
    /// file, `<file>.analytics`; none for PostgreSQL unless named].
    #[arg(long, env = "PROBITY_ANALYTICS_SNAPSHOT")]
    analytics_snapshot: Option<std::path::PathBuf>,
}

impl AnalyticsDb {
    async fn ctx(&self) -> Result<Ctx> {
        let store = Store::open(&self.database_url)
            .await
            .context("opening the database")?;
        let ctx = Ctx::new(store, CriteriaSet::uk_selc(), Clock::system());
        crate::snapshot_path::use_for(&ctx, &self.database_url, self.snapshot());
        Ok(ctx)
    }

    fn snapshot(&self) -> Option<&Path> {
        self.analytics_snapshot.as_deref()
    }
}

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import Campaign Against Arms Trade's UK licence data (values.csv, ratings.csv,
    /// refusal-criteria.csv, …; either release's schema). Importing the same files again adds
    /// nothing.
    Caat(ImportCaatArgs),
}

#[derive(Args)]
pub struct ImportCaatArgs {
    /// The directory holding the CAAT files.
    dir: PathBuf,
    #[command(flatten)]
    db: AnalyticsDb,
    /// Change nothing if any row or file cannot be imported as it stands.
    #[arg(long)]
    strict: bool,
    /// Print the summary as JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum StatsFormat {
    Table,
    Json,
    Csv,
}

#[derive(Args)]
pub struct StatsArgs {
    #[command(flatten)]
    db: AnalyticsDb,
    /// ISO code, destination name or region (e.g. IL, "Saudi Arabia", MENA).
    #[arg(long)]
    destination: Option<String>,
    /// First day, YYYY-MM-DD (inclusive).
    #[arg(long)]
    from: Option<String>,
    /// Last day, YYYY-MM-DD (inclusive).
    #[arg(long)]
    to: Option<String>,
    /// A rating and its sub-items (ML10 matches ML10, ML10a, ML10.b), or a family (ML, 5A).
    #[arg(long)]
    rating: Option<String>,
    /// Match --rating exactly instead of as a prefix.
    #[arg(long, requires = "rating")]
    exact_rating: bool,
    /// Military ratings only.
    #[arg(long, conflicts_with_all = ["dual_use", "kind"])]
    military: bool,
    /// Dual-use ratings only.
    #[arg(long, conflicts_with = "kind")]
    dual_use: bool,
    /// Rating kind: military, dual-use, national or other.
    #[arg(long)]
    kind: Option<String>,
    /// granted, refused, revoked, suspended, no-licence-required, … (or grant, refusal, …).
    #[arg(long)]
    decision: Option<String>,
    /// Refusal criterion cited (e.g. 1, 2, 2c, 7).
    #[arg(long)]
    criterion: Option<String>,
    /// siel, oiel, unspecified, …
    #[arg(long)]
    licence_type: Option<String>,
    /// caat (imported history) or probity (decisions made here).
    #[arg(long)]
    source: Option<String>,
    /// Group by these, comma-separated: destination, destination-name, region, year, quarter,
    /// month, rating, kind, decision, criterion, source, licence-type.
    #[arg(long)]
    group_by: Option<String>,
    /// Order rows by keys (default), value, licences or refused.
    #[arg(long)]
    order: Option<String>,
    /// Keep only the first N rows (the total still covers everything).
    #[arg(long)]
    limit: Option<String>,
    /// Leave out these licence groups, comma-separated SOURCE:ID (e.g. caat:51396).
    #[arg(long)]
    exclude_licence: Option<String>,
    /// Leave out rows flagged as outliers at import.
    #[arg(long)]
    exclude_outliers: bool,
    #[arg(long, value_enum, default_value = "table")]
    format: StatsFormat,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
    Parquet,
    /// One Parquet file per year under hive-style paths (`year=2014/part-0.parquet`) with a
    /// `manifest.json`: for DuckDB, Spark or BigQuery reading from an object store.
    ParquetByYear,
}

#[derive(Args)]
pub struct ExportArgs {
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// Directory to write into (created if missing).
    dir: PathBuf,
    #[command(flatten)]
    db: AnalyticsDb,
}

/// Field errors as lines naming the flag.
fn explain(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Validation(v) => anyhow!(
            "{}",
            v.0.iter()
                .map(|f| format!("--{}: {}", f.field.replace('_', "-"), f.message))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        other => anyhow!(other),
    }
}

fn group(n: impl ToString) -> String {
    let s = n.to_string();
    let (sign, digits) = s.split_at(usize::from(s.starts_with('-')));
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{sign}{out}")
}

pub async fn import(cmd: ImportCommand) -> Result<ExitCode> {
    let ImportCommand::Caat(a) = cmd;
    // The database is opened (and migrated) on another worker while this one parses the files.
    let opening = {
        let db = a.db.clone();
        tokio::spawn(async move { db.ctx().await })
    };
    let opts = ImportOptions {
        strict: a.strict,
        ..Default::default()
    };
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg:<28} [{bar:30}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let started = Instant::now();
    let mut progress = |stage| match stage {
        ImportStage::Parsing {
            file,
            bytes_done,
            bytes_total,
        } => {
            bar.set_length(bytes_total);
            bar.set_position(bytes_done);
            bar.set_message(if file.is_empty() {
                "parsed".to_string()
            } else {
                format!("reading {file}")
            });
        }
        ImportStage::Writing { done, total } => {
            bar.set_length(total);
            bar.set_position(done);
            bar.set_message("writing to the database");
        }
    };
    let parsed = analytics::parse_caat(&Clock::system(), &a.dir, &opts, &mut progress).await;
    let ctx = opening
        .await
        .map_err(|e| anyhow!("opening the database: {e}"))??;
    let result = match parsed {
        Ok(parsed) => analytics::store_caat(&ctx, parsed, &mut progress).await,
        Err(e) => Err(e),
    };
    bar.finish_and_clear();
    match result {
        Ok(outcome) => {
            if a.json {
                println!("{}", serde_json::to_string_pretty(&outcome)?);
            } else {
                print_summary(&a.dir, &outcome, started.elapsed().as_secs_f64());
            }
            // Build the statistics table now and keep it, so a server started on this
            // database answers at once instead of building it.
            let snapshot = crate::snapshot_path::snapshot_path(&a.db.database_url, a.db.snapshot());
            if let Some(path) = snapshot {
                let built = Instant::now();
                analytics::table(&ctx).await.map_err(explain)?;
                eprintln!(
                    "statistics table kept in {} ({:.1} s)",
                    path.display(),
                    built.elapsed().as_secs_f64()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ImportFailure::Import(probity_service::analytics::engine::ImportError::Strict {
            report,
        })) => {
            eprintln!(
                "strict import refused: nothing was written. Problems found:\n{report}\n\nExamples:"
            );
            for x in report
                .examples
                .iter()
                .filter(|x| x.kind.severity() == Severity::Error)
            {
                eprintln!("  {x}");
            }
            Ok(ExitCode::from(2))
        }
        Err(ImportFailure::Import(e)) => Err(anyhow!(e)),
        Err(ImportFailure::Service(e)) => Err(explain(e)),
    }
}

fn print_summary(dir: &Path, o: &ImportOutcome, secs: f64) {
    let s = &o.summary;
    println!("Imported CAAT data from {} ({})", dir.display(), o.source);
    for f in &o.report.files {
        println!(
            "  {:<28} {:>9} records, {:>9} imported",
            f.file,
            group(f.records),
            group(f.imported)
        );
    }
    println!(
        "  rows:          {} value rows, {} new in the database",
        group(s.value_rows),
        group(o.rows_inserted)
    );
    println!(
        "  licences:      {} licence groups ({} refused)",
        group(s.licence_groups),
        group(s.refused_groups)
    );
    println!(
        "  destinations:  {} names, {} countries and areas",
        group(s.countries),
        group(o.destination_codes)
    );
    let day = |d: Option<time::Date>| d.map_or_else(|| "-".to_string(), |d| d.to_string());
    println!(
        "  dates:         {} to {}",
        day(s.first_date),
        day(s.last_date)
    );
    println!("  value:         £{}", group(s.total_value_gbp));
    println!(
        "  ratings:       {} used; {} rating definitions and {} refusal-criterion rows new",
        s.ratings_used, o.ratings_inserted, o.criteria_inserted
    );
    let p = &o.provenance_inserted;
    println!(
        "  also new:      {} incorporation destinations, {} trade sources, {} licence \
         footnotes, {} destination notes",
        group(p.destinations),
        group(p.trade_sources),
        group(p.licence_footnotes),
        group(p.region_footnotes)
    );
    let absent: Vec<&str> = o
        .report
        .examples
        .iter()
        .filter(|x| x.kind == AnomalyKind::FileAbsent)
        .map(|x| x.file.as_str())
        .collect();
    if !absent.is_empty() {
        println!("  not in this release: {}", absent.join(", "));
    }
    println!(
        "  rejected:      {} records",
        group(o.report.records_rejected)
    );
    println!("  anomalies by kind:");
    for (kind, n) in &o.report.counts {
        println!(
            "    {:<30} {:>8}  ({:?})",
            format!("{kind:?}"),
            group(n),
            kind.severity()
        );
    }
    let errors: Vec<_> = o
        .report
        .examples
        .iter()
        .filter(|x| x.kind.severity() == Severity::Error)
        .take(10)
        .collect();
    if !errors.is_empty() {
        println!("  errors (first {}):", errors.len());
        for x in errors {
            println!("    {x}");
        }
    }
    if o.previous_runs.is_empty() {
        println!("  run {} in {secs:.1} s", o.run_id);
    } else {
        println!(
            "  run {} in {secs:.1} s; these files were imported before (run {}), so nothing \
             new was added unless stated above",
            o.run_id,
            o.previous_runs.join(", ")
        );
    }
    println!("  file set SHA-256 {}", o.file_set_hash);
}

impl StatsArgs {
    fn params(&self) -> StatsParams {
        let kind = if self.military {
            Some("military".to_string())
        } else if self.dual_use {
            Some("dual-use".to_string())
        } else {
            self.kind.clone()
        };
        StatsParams {
            destination: self.destination.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            rating: self.rating.clone(),
            rating_match: self.exact_rating.then(|| "exact".to_string()),
            kind,
            licence_type: self.licence_type.clone(),
            decision: self.decision.clone(),
            criterion: self.criterion.clone(),
            source: self.source.clone(),
            group_by: self.group_by.clone(),
            order: self.order.clone(),
            limit: self.limit.clone(),
            exclude_licence: self.exclude_licence.clone(),
            exclude_outliers: self.exclude_outliers.then(|| "true".to_string()),
        }
    }
}

pub async fn stats(a: StatsArgs) -> Result<ExitCode> {
    let params = a.params();
    // Check the flags before touching the database.
    params.to_query().map_err(explain)?;
    let ctx = a.db.ctx().await?;
    // The table the server answers from: the history's from its snapshot when that fits (a
    // whole build from the database took 2 s at 5 M rows, on every call), and the same answers
    // (the parts add up).
    let table = analytics::table(&ctx).await.map_err(explain)?;
    let answer = StatsAnswer::on(&table, &params).map_err(explain)?;
    match a.format {
        StatsFormat::Json => println!("{}", serde_json::to_string_pretty(&answer)?),
        StatsFormat::Csv => print!("{}", fmt::csv(&answer)?),
        StatsFormat::Table => print!("{}", fmt::table(&answer)),
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes a table to a file in one format.
type Writer = fn(&analytics::Table, std::fs::File) -> Result<()>;

pub async fn export(a: ExportArgs) -> Result<ExitCode> {
    let ctx = a.db.ctx().await?;
    let table = analytics::build_table(&ctx).await.map_err(explain)?;
    std::fs::create_dir_all(&a.dir).with_context(|| format!("creating {}", a.dir.display()))?;
    if let ExportFormat::ParquetByYear = a.format {
        let m = export_dataset::write_dataset(&table, &a.dir, &fmt::PARQUET_METADATA)
            .with_context(|| format!("writing the dataset in {}", a.dir.display()))?;
        println!(
            "wrote {} rows ({} licence groups) in {} yearly files to {} (listed in manifest.json)",
            group(table.len()),
            group(table.groups()),
            m.files.len(),
            a.dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let (name, write): (&str, Writer) = match a.format {
        ExportFormat::Csv => ("licences.csv", |t, f| {
            Ok(export::write_csv(t, std::io::BufWriter::new(f))?)
        }),
        ExportFormat::Json => ("licences.json", |t, f| {
            Ok(export::write_json(t, std::io::BufWriter::new(f))?)
        }),
        ExportFormat::Parquet | ExportFormat::ParquetByYear => ("licences.parquet", |t, f| {
            Ok(export_parquet::write_parquet(
                t,
                std::io::BufWriter::new(f),
                &fmt::PARQUET_METADATA,
            )?)
        }),
    };
    let path = a.dir.join(name);
    let file =
        std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    write(&table, file).with_context(|| format!("writing {}", path.display()))?;
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "wrote {} rows ({} licence groups) to {} ({} bytes)",
        group(table.len()),
        group(table.groups()),
        path.display(),
        group(bytes)
    );
    Ok(ExitCode::SUCCESS)
}
