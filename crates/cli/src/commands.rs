use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use probity_domain::CriteriaSet;
use probity_service::auth::NewUser;
use probity_service::orgs::{NewOrganisation, TeamKind};
use probity_service::two_factor::TwoFactorPolicy;
use probity_service::{Clock, Ctx, ServiceError};
use probity_store::{migrate, PoolConfig, Store};

use crate::lifecycle::{self, Shutdown};
use crate::notify_hook::NotifyHook;

#[derive(Args)]
pub struct DbArgs {
    /// Database URL: sqlite://<path> (created if missing) or postgres://user@host/db.
    #[arg(long, env = "PROBITY_DATABASE_URL")]
    pub(crate) database_url: String,
    /// File that keeps the statistics table between runs [default: beside a SQLite database
    /// file, `<file>.analytics`; none for PostgreSQL unless named].
    #[arg(long, env = "PROBITY_ANALYTICS_SNAPSHOT")]
    pub(crate) analytics_snapshot: Option<PathBuf>,
}

/// Database pool size and timeouts (`serve`, `demo`, `migrate`).
#[derive(Args)]
pub struct PoolArgs {
    /// Database connections open at most [default: 8 on SQLite, 16 on PostgreSQL].
    #[arg(long, env = "PROBITY_DB_MAX_CONNECTIONS",
          value_parser = clap::value_parser!(u32).range(1..=probity_store::MAX_POOL_CONNECTIONS as i64))]
    db_max_connections: Option<u32>,
    /// Seconds a request waits for a free database connection before it fails.
    #[arg(long, env = "PROBITY_DB_ACQUIRE_TIMEOUT", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=probity_store::MAX_POOL_TIMEOUT.as_secs()))]
    db_acquire_timeout: u64,
    /// SQLite only: seconds a writer waits for the database's write lock before it fails.
    #[arg(long, env = "PROBITY_DB_BUSY_TIMEOUT", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=probity_store::MAX_POOL_TIMEOUT.as_secs()))]
    db_busy_timeout: u64,
}

impl PoolArgs {
    pub(crate) fn config(&self) -> PoolConfig {
        PoolConfig {
            max_connections: self.db_max_connections,
            acquire_timeout: Duration::from_secs(self.db_acquire_timeout),
            busy_timeout: Duration::from_secs(self.db_busy_timeout),
        }
    }
}

#[derive(Args)]
pub struct CriteriaArgs {
    /// Criteria applied by this deployment: uk-selc-2021 (UK Strategic Export Licensing
    /// Criteria) or eu-cp-2008-944 (EU Common Position 2008/944/CFSP).
    #[arg(long, env = "PROBITY_CRITERIA", default_value = "uk-selc-2021")]
    criteria: String,
}

impl CriteriaArgs {
    fn set(&self) -> Result<&'static CriteriaSet> {
        CriteriaSet::by_id(&self.criteria).with_context(|| {
            format!(
                "unknown criteria set {:?}; use uk-selc-2021 or eu-cp-2008-944",
                self.criteria
            )
        })
    }
}

#[derive(Args)]
pub struct DemoArgs {
    /// Address to serve on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Folder for the demo database (created if missing; reused if it already holds a demo).
    #[arg(long, default_value = "./probity-data")]
    data_dir: PathBuf,
    /// Seed and serve this database instead of the SQLite file in --data-dir (for example a
    /// PostgreSQL database).
    #[arg(long)]
    database_url: Option<String>,
    /// How many applications to drive through the workflow.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    applications: u32,
    /// Folder of the real sanctions lists (UK HMT, UN, US OFAC SDN) the demo loads.
    #[arg(
        long,
        env = "PROBITY_SANCTIONS_DIR",
        default_value = "../shared/data/sanctions"
    )]
    sanctions_dir: PathBuf,
    #[command(flatten)]
    pool: PoolArgs,
    #[command(flatten)]
    criteria: CriteriaArgs,
    #[command(flatten)]
    register: crate::register::RegisterKeyArgs,
    #[command(flatten)]
    disclosure: crate::disclosure_cmd::DisclosureKeyArgs,
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address to serve on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    pool: PoolArgs,
    #[command(flatten)]
    criteria: CriteriaArgs,
    /// Mark session cookies Secure (sent over HTTPS only). The default, unless --listen is a
    /// loopback address (plain http://127.0.0.1 for local use); give it to force Secure there
    /// too (a local TLS proxy in front).
    #[arg(long, conflicts_with = "insecure_cookies")]
    secure_cookies: bool,
    /// Two-factor sign-in: "required" (decision-makers, policy, oversight and administrators
    /// must set it up before anything else; anyone may) or "optional" (nobody must).
    #[arg(long, env = "PROBITY_TWO_FACTOR", value_enum, default_value_t = TwoFactorArg::Required)]
    two_factor: TwoFactorArg,
    /// Send session cookies without Secure even on a non-loopback address (plain HTTP on a
    /// network: anyone on the path can steal sessions; for trials only).
    #[arg(long)]
    insecure_cookies: bool,
    #[command(flatten)]
    register: crate::register::RegisterKeyArgs,
    /// Deliver exporters' notifications (e-mail, say) through this executable: it runs once
    /// per notification, given it as JSON on standard input, and exits 0 once it has taken
    /// it (docs/notifications.md). Without it, notifications are shown in the app only.
    #[arg(long, env = "PROBITY_NOTIFY_COMMAND", value_name = "PATH")]
    notify_command: Option<std::path::PathBuf>,
    /// Seconds the notification hook may take per notification before it is stopped.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    notify_timeout: u64,
    /// Working days to answer a dissent, per subject over the default of 10, e.g.
    /// "decision=5,assessment=15" (subjects: advice, final_advice, decision, assessment,
    /// review_outcome; 1 to 60 days).
    #[arg(
        long,
        env = "PROBITY_DISSENT_DEADLINES",
        default_value = "",
        value_name = "KIND=DAYS,..."
    )]
    dissent_deadlines: String,
    #[command(flatten)]
    disclosure: crate::disclosure_cmd::DisclosureKeyArgs,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum TwoFactorArg {
    Required,
    Optional,
}

impl From<TwoFactorArg> for TwoFactorPolicy {
    fn from(a: TwoFactorArg) -> TwoFactorPolicy {
        match a {
            TwoFactorArg::Required => TwoFactorPolicy::Required,
            TwoFactorArg::Optional => TwoFactorPolicy::Optional,
        }
    }
}

#[derive(Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    pool: PoolArgs,
    /// Revert down to this version instead of migrating up (0 empties the database).
    #[arg(long)]
    down_to: Option<i64>,
}

pub(crate) async fn open(url: &str) -> Result<Store> {
    open_with(url, &PoolConfig::default()).await
}

async fn open_with(url: &str, pool: &PoolConfig) -> Result<Store> {
    Store::open_with(url, pool)
        .await
        .with_context(|| format!("could not open the database at {}", redact(url)))
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!(
            "{}{}@{}",
            &url[..s + 3],
            url[s + 3..at].split(':').next().unwrap_or(""),
            &url[at + 1..]
        ),
        _ => url.to_string(),
    }
}

pub async fn demo(a: DemoArgs) -> Result<ExitCode> {
    let (url, place) = match &a.database_url {
        Some(url) => (url.clone(), redact(url)),
        None => {
            probity_store::private_dir(&a.data_dir)
                .with_context(|| format!("could not create {}", a.data_dir.display()))?;
            let path = a.data_dir.join("probity.db");
            (
                format!("sqlite://{}", path.display()),
                path.display().to_string(),
            )
        }
    };
    let store = open_with(&url, &a.pool.config()).await?;
    // The demo is for trying Probity out with printed passwords: no second factor required.
    // Its oversight identity is kept beside its database (or is the one given).
    let keys = a.disclosure.keys_or_demo(&a.data_dir)?;
    let ctx = Ctx::new(store.clone(), a.criteria.set()?, Clock::system())
        .with_two_factor(TwoFactorPolicy::Optional)
        .with_disclosure_keys(keys);
    crate::snapshot_path::use_for(&ctx, &url, None);
    let users: i64 = sqlx_count(&store, "SELECT CAST(COUNT(*) AS BIGINT) FROM users").await?;
    if users == 0 {
        eprintln!(
            "Seeding demo content into {place} ({} applications)…",
            a.applications
        );
        let summary = probity_service::demo::seed(&ctx, a.applications as usize)
            .await
            .map_err(service_error)?;
        seed_lists(&ctx, &a.sanctions_dir).await?;
        println!("Demo users (shown once — note them down):");
        for u in &summary.users {
            println!("  {:<15} {:<32} {}", u.role, u.email, u.password);
        }
    } else {
        println!("Reusing the demo database at {place} (delete it to start again).");
    }
    println!(
        "Two-factor sign-in is NOT required in the demo (any user may still set it up at \
         /account). `probity serve` requires it of decision-makers, policy, oversight and \
         administrators."
    );
    let sequencer = crate::register::start_demo(&ctx, &a.register, &a.data_dir).await?;
    // From here on (not while seeding, which Ctrl-C simply interrupts) signals shut down
    // gracefully.
    let shutdown = Shutdown::on_signals()?;
    lifecycle::run_server(ctx, a.listen, false, sequencer, None, shutdown).await
}

/// Load the real sanctions lists into the demo, or say plainly why not.
async fn seed_lists(ctx: &Ctx, dir: &std::path::Path) -> Result<()> {
    let missing: Vec<&str> = probity_service::demo::LIST_FILES
        .iter()
        .map(|(_, f)| *f)
        .filter(|f| !dir.join(f).is_file())
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "Sanctions lists not loaded: {} not found in {} (give --sanctions-dir). Parties are \
             screened against Probity's own denials only; load lists later with `probity lists load`.",
            missing.join(", "),
            dir.display()
        );
        return Ok(());
    }
    eprintln!(
        "Loading the UK, UN and US sanctions lists from {}…",
        dir.display()
    );
    let reports = probity_service::demo::seed_screening(ctx, dir)
        .await
        .map_err(service_error)?;
    for r in reports {
        eprintln!("  {}", r.summary());
    }
    Ok(())
}

async fn sqlx_count(store: &Store, sql: &str) -> Result<i64> {
    Ok(probity_store::count(store, sql).await?)
}

fn service_error(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Validation(v) => anyhow::anyhow!("invalid input: {v}"),
        other => anyhow::anyhow!(other),
    }
}

pub async fn serve(a: ServeArgs) -> Result<ExitCode> {
    let shutdown = Shutdown::on_signals()?;
    let store = open_with(&a.db.database_url, &a.pool.config()).await?;
    let deadlines = probity_domain::DissentDeadlines::parse(&a.dissent_deadlines)
        .map_err(|e| anyhow::anyhow!("--dissent-deadlines: {e}"))?;
    let ctx = Ctx::new(store, a.criteria.set()?, Clock::system())
        .with_two_factor(a.two_factor.into())
        .with_dissent_deadlines(deadlines);
    let db = &a.db;
    crate::snapshot_path::use_for(&ctx, &db.database_url, db.analytics_snapshot.as_deref());
    let ctx = match a.disclosure.keys()? {
        Some(keys) => ctx.with_disclosure_keys(keys),
        None => {
            eprintln!(
                "note: no --oversight-identity or --oversight-recipient: /disclose will say \
                 that protected disclosures are not taken"
            );
            ctx
        }
    };
    let sequencer = crate::register::start(&ctx, &a.register)?;
    let secure = secure_cookies(a.listen, a.secure_cookies, a.insecure_cookies);
    if !secure && !a.listen.ip().is_loopback() {
        eprintln!(
            "warning: --insecure-cookies: session cookies will be sent over plain HTTP on {}; \
             anyone on the network path can take over a session",
            a.listen
        );
    }
    let notify = a
        .notify_command
        .as_deref()
        .map(|c| NotifyHook::new(c, Duration::from_secs(a.notify_timeout)))
        .transpose()?;
    lifecycle::run_server(ctx, a.listen, secure, sequencer, notify, shutdown).await
}

/// Whether session cookies are marked Secure: yes by default, except on a loopback address
/// (Probity itself speaks plain HTTP; a non-loopback listener is assumed to sit behind TLS).
fn secure_cookies(listen: SocketAddr, force_secure: bool, force_insecure: bool) -> bool {
    force_secure || (!force_insecure && !listen.ip().is_loopback())
}

pub async fn migrate(a: MigrateArgs) -> Result<ExitCode> {
    let store = Store::connect_with(&a.db.database_url, &a.pool.config())
        .await
        .with_context(|| format!("could not connect to {}", redact(&a.db.database_url)))?;
    match a.down_to {
        Some(v) => {
            if v < 0 {
                bail!("--down-to must be 0 or a migration version");
            }
            let reverted = migrate::revert_to(&store, v).await?;
            println!(
                "reverted migrations {reverted:?}; database now at version {}",
                migrate::current_version(&store).await?
            );
        }
        None => {
            let applied = migrate::run(&store).await?;
            if applied.is_empty() {
                println!(
                    "database is up to date (version {})",
                    migrate::current_version(&store).await?
                );
            } else {
                println!(
                    "applied migrations {applied:?}; database now at version {}",
                    migrate::latest_version()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user. Prints a generated password unless --password-stdin is given.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// exporter, caseworker, adviser, decision_maker, policy, oversight or admin.
        #[arg(long)]
        role: String,
        /// Organisation id (exporters).
        #[arg(long)]
        organisation: Option<String>,
        /// Team id (advisers and officials).
        #[arg(long)]
        team: Option<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
}

pub async fn user(c: UserCommand) -> Result<ExitCode> {
    match c {
        UserCommand::Add {
            db,
            email,
            name,
            role,
            organisation,
            team,
            password_stdin,
        } => {
            let store = open(&db.database_url).await?;
            let ctx = Ctx::new(store, CriteriaSet::uk_selc(), Clock::system());
            let (password, generated) = if password_stdin {
                let mut s = String::new();
                std::io::stdin().read_line(&mut s)?;
                (s.trim_end_matches(['\r', '\n']).to_string(), false)
            } else {
                (generate_password(), true)
            };
            let id = probity_service::auth::create_user(
                &ctx,
                None,
                &NewUser {
                    email: email.clone(),
                    display_name: name,
                    role,
                    password: password.clone(),
                    organisation_id: organisation,
                    team_id: team,
                },
            )
            .await
            .map_err(service_error)?;
            println!("added user {id} <{}>", email.trim().to_lowercase());
            if generated {
                println!("password (shown once): {password}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn generate_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

#[derive(Subcommand)]
pub enum OrgCommand {
    /// Register an exporter organisation; prints its id.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        name: String,
        #[arg(long)]
        registration_number: String,
        #[arg(long)]
        address: String,
        /// ISO 3166-1 alpha-2 code.
        #[arg(long, default_value = "GB")]
        country: String,
    },
}

pub async fn org(c: OrgCommand) -> Result<ExitCode> {
    let OrgCommand::Add {
        db,
        name,
        registration_number,
        address,
        country,
    } = c;
    let store = open(&db.database_url).await?;
    let ctx = Ctx::new(store, CriteriaSet::uk_selc(), Clock::system());
    let id = probity_service::orgs::create_organisation(
        &ctx,
        None,
        &NewOrganisation {
            name,
            registration_number,
            address,
            country,
        },
    )
    .await
    .map_err(service_error)?;
    println!("{id}");
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
pub enum TeamCommand {
    /// Create a team; prints its id.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        name: String,
        /// licensing, advisory, policy, oversight or admin.
        #[arg(long)]
        kind: String,
    },
}

pub async fn team(c: TeamCommand) -> Result<ExitCode> {
    let TeamCommand::Add { db, name, kind } = c;
    let kind = match kind.as_str() {
        "licensing" => TeamKind::Licensing,
        "advisory" => TeamKind::Advisory,
        "policy" => TeamKind::Policy,
        "oversight" => TeamKind::Oversight,
        "admin" => TeamKind::Admin,
        other => bail!(
            "unknown team kind {other:?}; use licensing, advisory, policy, oversight or admin"
        ),
    };
    let store = open(&db.database_url).await?;
    let ctx = Ctx::new(store, CriteriaSet::uk_selc(), Clock::system());
    let id = probity_service::orgs::create_team(&ctx, None, &name, kind)
        .await
        .map_err(service_error)?;
    println!("{id}");
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_secure_except_on_loopback_unless_forced() {
        let lo: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let lo6: SocketAddr = "[::1]:8080".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let public: SocketAddr = "192.0.2.10:443".parse().unwrap();
        let table = [
            (lo, false, false, false),
            (lo6, false, false, false),
            (lo, true, false, true),
            (any, false, false, true),
            (public, false, false, true),
            (public, false, true, false),
        ];
        for (listen, secure, insecure, want) in table {
            assert_eq!(
                secure_cookies(listen, secure, insecure),
                want,
                "{listen} {secure} {insecure}"
            );
        }
    }
}
