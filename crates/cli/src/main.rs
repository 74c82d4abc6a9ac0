//! `probity`: the command-line entry point. Thin: parse flags, open the store, call the
//! service or web crate.
mod analytics_cmd;
mod audit_cmd;
mod commands;
mod disclosure_cmd;
mod http_server;
mod lifecycle;
mod lists_cmd;
mod notify_hook;
mod register;
mod register_fetch;
mod register_monitor;
mod register_proof;
mod review_cmd;
mod snapshot_path;
mod witness_cmd;
mod witness_http;
mod witness_submit;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "probity",
    version,
    about = "Probity: strategic export licensing, robust and transparent by construction.",
    long_about = "Probity handles applications to export military and dual-use goods, from application to licence, \
and publishes every decision in a public register.\n\nStart with `probity demo` to try it with realistic content."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create (or reuse) an embedded SQLite database with realistic demo content, print one
    /// sign-in per role, and serve it.
    Demo(commands::DemoArgs),
    /// Serve Probity against an existing database (migrating it first).
    Serve(commands::ServeArgs),
    /// Apply (or revert) database migrations.
    Migrate(commands::MigrateArgs),
    /// Manage users.
    User {
        #[command(subcommand)]
        command: commands::UserCommand,
    },
    /// Register an exporter organisation.
    Org {
        #[command(subcommand)]
        command: commands::OrgCommand,
    },
    /// Create departmental teams (licensing, advisory, …).
    Team {
        #[command(subcommand)]
        command: commands::TeamCommand,
    },
    /// Check the internal audit log.
    Audit {
        #[command(subcommand)]
        command: audit_cmd::AuditCommand,
    },
    /// The public register: keys, verification, proofs, export, openings.
    Register {
        #[command(subcommand)]
        command: register::RegisterCommand,
    },
    /// Oversight's key for protected disclosures.
    Disclosure {
        #[command(subcommand)]
        command: disclosure_cmd::DisclosureCommand,
    },
    /// Reviews of extant licences: list, show, open.
    Review {
        #[command(subcommand)]
        command: review_cmd::ReviewCommand,
    },
    /// Sanctions and denial lists: load a new version, show versions.
    Lists {
        #[command(subcommand)]
        command: lists_cmd::ListsCommand,
    },
    /// Screen names against the loaded lists: JSON Lines out (docs/screening.md).
    Screen(lists_cmd::ScreenArgs),
    /// Run a transparency-log witness (C2SP tlog-witness) that cosigns logs' checkpoints.
    Witness {
        #[command(subcommand)]
        command: witness_cmd::WitnessCommand,
    },
    /// Import historic licensing data (Campaign Against Arms Trade's UK data).
    Import {
        #[command(subcommand)]
        command: analytics_cmd::ImportCommand,
    },
    /// Licensing statistics over imported history and Probity's own decisions.
    Stats(analytics_cmd::StatsArgs),
    /// Write the open data (every licence row) as CSV, JSON or Parquet.
    Export(analytics_cmd::ExportArgs),
}

/// Logs go to stderr, filtered by `PROBITY_LOG`; `PROBITY_LOG_FORMAT=json` writes one JSON
/// object per line (for log collectors) instead of text.
fn init_tracing() -> Result<(), String> {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("PROBITY_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match std::env::var("PROBITY_LOG_FORMAT").as_deref() {
        Err(_) | Ok("") | Ok("text") => builder.init(),
        Ok("json") => builder.json().with_current_span(true).init(),
        Ok(other) => {
            return Err(format!(
                "PROBITY_LOG_FORMAT={other:?} is not a log format; use text (the default) or json"
            ))
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Err(e) = init_tracing() {
        eprintln!("error: {e}");
        return std::process::ExitCode::from(2);
    }
    let result = match cli.command {
        Command::Demo(a) => commands::demo(a).await,
        Command::Serve(a) => commands::serve(a).await,
        Command::Disclosure { command } => disclosure_cmd::run(command),
        Command::Migrate(a) => commands::migrate(a).await,
        Command::User { command } => commands::user(command).await,
        Command::Org { command } => commands::org(command).await,
        Command::Team { command } => commands::team(command).await,
        Command::Audit { command } => audit_cmd::run(command).await,
        Command::Register { command } => register::run(command).await,
        Command::Witness { command } => witness_cmd::run(command).await,
        Command::Review { command } => review_cmd::run(command).await,
        Command::Lists { command } => lists_cmd::run(command).await,
        Command::Screen(a) => lists_cmd::screen(a).await,
        Command::Import { command } => analytics_cmd::import(command).await,
        Command::Stats(a) => analytics_cmd::stats(a).await,
        Command::Export(a) => analytics_cmd::export(a).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
