//! `probity register …`: key generation, verification of a whole log or one entry, proofs,
//! static export, and commitment openings. Formats: docs/register-format.md.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use clap::{Args, Subcommand};
use probity_domain::{EntryOpening, LogEntry};
use probity_service::register::log::checkpoint::Checkpoint;
use probity_service::register::log::note::{Ed25519Signer, Ed25519Verifier};
use probity_service::register::log::verify::{
    open_checkpoint, required_paths, verify_log, LogReport,
};
use probity_service::register::public::InclusionProof;
use probity_service::register::{self as reg, Sequencer};
use probity_service::{Clock, Ctx};

use crate::register_fetch::Source;
use crate::register_proof::{check_proof, prove};

#[derive(Subcommand)]
pub enum RegisterCommand {
    /// Generate the register's signing key: writes the private key file (mode 0600) and
    /// prints the verifier key to publish.
    Keygen {
        /// The log's origin, e.g. licensing.example.gov/register (also the key name).
        #[arg(long)]
        name: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Verify a whole register: checkpoint signature, every tile and entry bundle, the root
    /// recomputed from the entries, and every entry's encoding. Prints a summary.
    Verify(SourceArgs),
    /// Print an inclusion proof bundle for entry --index, computed from verified tiles.
    Prove {
        #[command(flatten)]
        source: SourceArgs,
        #[arg(long)]
        index: u64,
    },
    /// Follow a register from run to run: verify the new checkpoint, prove it consistent with
    /// the one remembered in --state, check every new entry (it decodes; events refer to
    /// licences granted earlier; no licence granted twice). On any inconsistency keep both
    /// signed checkpoints as evidence in --state and exit 1.
    Monitor {
        #[command(flatten)]
        source: SourceArgs,
        /// Directory holding what the monitor remembers (created if missing).
        #[arg(long)]
        state: PathBuf,
    },
    /// Check an inclusion proof bundle (from `prove` or /register/proof/<i>) offline.
    VerifyEntry {
        /// The proof bundle (JSON).
        file: PathBuf,
        /// The register's verifier key (<origin>+<key id>+<base64>).
        #[arg(long)]
        key: String,
    },
    /// Check an opening (JSON: register_index, field, salt, value) against the entry it
    /// opens, fetched and proved from the register.
    VerifyOpening {
        /// The opening (JSON).
        file: PathBuf,
        #[command(flatten)]
        source: SourceArgs,
    },
    /// Write a static copy of the register (checkpoint, key, tiles, entry bundles) under
    /// <dir>/register/, servable by any web server; `verify --url <dir>` accepts it.
    Export {
        dir: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Print the openings of entry --index (operators only: they reveal confidential values).
    Open {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        index: u64,
        /// One field only: exporter, consignee, end_user, goods_description or quantity.
        #[arg(long)]
        field: Option<String>,
    },
}

#[derive(Args)]
pub struct DbArgs {
    /// Database URL: sqlite://<path> or postgres://user@host/db.
    #[arg(long, env = "PROBITY_DATABASE_URL")]
    database_url: String,
}

async fn open_store(url: &str) -> Result<probity_store::Store> {
    probity_store::Store::open(url)
        .await
        .context("could not open the database given by --database-url")
}

#[derive(Args)]
pub struct SourceArgs {
    /// The site (http:// or https://, serving /register/…) or an exported directory.
    #[arg(long)]
    url: String,
    /// The register's verifier key (<origin>+<key id>+<base64>). Get it out of band.
    #[arg(long)]
    key: String,
}

/// Signing-key options of `serve` and `demo`.
#[derive(Args)]
pub struct RegisterKeyArgs {
    /// The register's private key file (from `probity register keygen`). Without it the
    /// register sequencer does not run.
    #[arg(long, env = "PROBITY_REGISTER_KEY")]
    pub register_key: Option<PathBuf>,
    /// The register's origin; must match the key's name.
    #[arg(long, env = "PROBITY_REGISTER_ORIGIN")]
    pub register_origin: Option<String>,
    /// A witness to submit each checkpoint to (C2SP tlog-witness):
    /// <name>=<cosignature verifier key>@<url>. Repeatable.
    #[arg(long = "witness")]
    pub witnesses: Vec<String>,
    /// How many witness cosignatures the served checkpoint needs (default: all witnesses).
    #[arg(long)]
    pub witness_quorum: Option<usize>,
    /// Publish the audit chain's length and head (an audit anchor) at least this often, in
    /// seconds, when it has moved and no decision was published (every batch of decisions is
    /// anchored at once).
    #[arg(long, env = "PROBITY_AUDIT_ANCHOR_INTERVAL", default_value_t = reg::DEFAULT_ANCHOR_INTERVAL.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub audit_anchor_interval: u64,
}

impl RegisterKeyArgs {
    fn sequencer(&self, signer: Ed25519Signer) -> Sequencer {
        Sequencer::new(signer)
            .with_anchor_interval(std::time::Duration::from_secs(self.audit_anchor_interval))
    }
}

/// `serve`: the sequencer to run in the background if a key is configured (and the witness
/// rounds started).
pub fn start(ctx: &Ctx, args: &RegisterKeyArgs) -> Result<Option<Sequencer>> {
    let Some(path) = &args.register_key else {
        tracing::warn!("no --register-key: decisions are not being published to the register");
        return Ok(None);
    };
    let signer = reg::load_key_file(path, args.register_origin.as_deref())?;
    let witnesses = crate::witness_submit::policy(&args.witnesses, args.witness_quorum)?;
    let sequencer = args.sequencer(signer);
    println!(
        "register: origin {}, key {}",
        sequencer.origin(),
        sequencer.vkey()
    );
    if let Some(policy) = witnesses {
        crate::witness_submit::spawn(ctx.clone(), policy)?;
    }
    Ok(Some(sequencer))
}

/// The origin of a demo register's generated key.
const DEMO_ORIGIN: &str = "probity.demo/register";

/// `demo`: use (or create) a key in the data directory, sequence every record, and return the
/// sequencer to keep running in the background.
pub async fn start_demo(
    ctx: &Ctx,
    args: &RegisterKeyArgs,
    data_dir: &Path,
) -> Result<Option<Sequencer>> {
    let witnesses = crate::witness_submit::policy(&args.witnesses, args.witness_quorum)?;
    let path = args
        .register_key
        .clone()
        .unwrap_or_else(|| data_dir.join("register.key"));
    let signer = if path.exists() {
        reg::load_key_file(&path, args.register_origin.as_deref())?
    } else {
        let origin = args.register_origin.as_deref().unwrap_or(DEMO_ORIGIN);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("could not create {}", parent.display()))?;
        }
        reg::generate_key_file(origin, &path)?
    };
    let sequencer = args.sequencer(signer);
    let mut total = 0;
    loop {
        let n = sequencer
            .run_once(ctx)
            .await
            .map_err(|e| anyhow!("register sequencer: {e}"))?;
        if n == 0 {
            break;
        }
        total += n;
    }
    println!(
        "Register: {total} new entries sequenced; key file {}\n  verifier key: {}",
        path.display(),
        sequencer.vkey()
    );
    if let Some(policy) = witnesses {
        crate::witness_submit::spawn(ctx.clone(), policy)?;
    }
    Ok(Some(sequencer))
}

pub(crate) fn verifier(key: &str) -> Result<Ed25519Verifier> {
    Ed25519Verifier::from_vkey(key.trim()).map_err(|e| anyhow!("invalid --key: {e}"))
}

pub async fn run(c: RegisterCommand) -> Result<ExitCode> {
    match c {
        RegisterCommand::Keygen { name, out } => {
            let signer = reg::generate_key_file(&name, &out)?;
            eprintln!(
                "wrote the private key to {} (keep it secret)",
                out.display()
            );
            println!("{}", signer.verifier().vkey());
            Ok(ExitCode::SUCCESS)
        }
        RegisterCommand::Verify(s) => verify(&s).await,
        RegisterCommand::Monitor { source, state } => {
            crate::register_monitor::monitor(&source.url, &source.key, &state).await
        }
        RegisterCommand::Prove { source, index } => {
            let src = Source::new(&source.url)?;
            let key = verifier(&source.key)?;
            let proof = prove(&src, &key, index).await?;
            println!("{}", serde_json::to_string_pretty(&proof)?);
            Ok(ExitCode::SUCCESS)
        }
        RegisterCommand::VerifyEntry { file, key } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("could not read {}", file.display()))?;
            let proof: InclusionProof = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a proof bundle", file.display()))?;
            match check_proof(&proof, &verifier(&key)?) {
                Ok(entry) => {
                    println!(
                        "OK: entry {} is in the register of {} entries signed by {}",
                        proof.index,
                        proof.tree_size,
                        key.trim()
                    );
                    print_entry(&entry);
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    println!("FAILED: {e:#}");
                    Ok(ExitCode::from(1))
                }
            }
        }
        RegisterCommand::VerifyOpening { file, source } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("could not read {}", file.display()))?;
            let opening: EntryOpening = serde_json::from_str(&text)
                .with_context(|| format!("{} is not an opening", file.display()))?;
            let key = verifier(&source.key)?;
            let proof = prove(&Source::new(&source.url)?, &key, opening.register_index).await?;
            let LogEntry::Decision(entry) = check_proof(&proof, &key)? else {
                println!(
                    "FAILED: entry {} is an audit anchor: it has no commitments to open",
                    opening.register_index
                );
                return Ok(ExitCode::from(1));
            };
            if opening.opens(&entry) {
                println!(
                    "OK: entry {} commits to {} = {:?}",
                    opening.register_index,
                    opening.field.as_str(),
                    opening.value
                );
                Ok(ExitCode::SUCCESS)
            } else {
                println!(
                    "FAILED: the opening does not open the {} commitment of entry {}",
                    opening.field.as_str(),
                    opening.register_index
                );
                Ok(ExitCode::from(1))
            }
        }
        RegisterCommand::Export { dir, db } => export(&dir, &db).await,
        RegisterCommand::Open { db, index, field } => {
            let store = open_store(&db.database_url).await?;
            let mut conn = store.pool().acquire().await?;
            let rows = probity_store::register::openings(&mut conn, index).await?;
            if rows.is_empty() {
                bail!("no entry {index} in this register");
            }
            for o in rows {
                if field.as_deref().is_some_and(|f| f != o.field) {
                    continue;
                }
                let opening = EntryOpening {
                    register_index: o.index,
                    field: o.field.parse().map_err(|e| anyhow!("{e}"))?,
                    salt: o.salt,
                    value: o.value,
                };
                println!("{}", serde_json::to_string(&opening)?);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Fetches the whole register at `url` and verifies it against `key` (checkpoint signature,
/// every tile and bundle, the root recomputed from the entries), decoding every entry and
/// handing it to `each`. `Ok(Err(reason))` when the register does not verify.
pub async fn fetch_verified(
    url: &str,
    key: &Ed25519Verifier,
    mut each: impl FnMut(u64, LogEntry) -> Result<(), String>,
) -> Result<Result<LogReport, String>> {
    let src = Source::new(url)?;
    let note = src.require("checkpoint").await?;
    let cp = match open_checkpoint(&note, key) {
        Ok(cp) => cp,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let paths = required_paths(cp.size())?;
    let files = src.get_many(&paths).await?;
    let result = verify_log(
        &note,
        key,
        |p| files.get(p).map(Vec::as_slice),
        |index, bytes| each(index, LogEntry::decode(bytes).map_err(|e| e.to_string())?),
    );
    Ok(result.map_err(|e| e.to_string()))
}

async fn verify(s: &SourceArgs) -> Result<ExitCode> {
    let key = verifier(&s.key)?;
    let mut summary = Summary::default();
    let result = fetch_verified(&s.url, &key, |index, entry| summary.add(index, &entry)).await?;
    match result {
        Ok(report) => {
            println!("OK: register {} verified", report.origin);
            println!("  entries:     {}", report.size);
            println!("  root:        {}", B64.encode(report.root));
            println!(
                "  tiles:       {} hash tiles, {} entry bundles",
                report.tiles, report.bundles
            );
            summary.print();
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("FAILED: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

#[derive(Default)]
struct Summary {
    kinds: BTreeMap<&'static str, u64>,
    destinations: BTreeMap<String, u64>,
    first: Option<time::OffsetDateTime>,
    last: Option<time::OffsetDateTime>,
    last_seq: Option<u64>,
    /// The newest audit anchor: (index, chain length).
    anchor: Option<(u64, u64)>,
}

impl Summary {
    fn add(&mut self, index: u64, entry: &LogEntry) -> Result<(), String> {
        let e = match entry {
            LogEntry::Decision(e) => e,
            LogEntry::AuditAnchor(a) => {
                // Anchors take no record number; the monitor checks them against each other.
                *self.kinds.entry("audit_anchor").or_default() += 1;
                self.anchor = Some((index, a.length));
                return Ok(());
            }
        };
        if self.last_seq.is_some_and(|s| e.seq <= s) {
            return Err(format!(
                "entry {index} has record number {} out of order",
                e.seq
            ));
        }
        self.last_seq = Some(e.seq);
        *self.kinds.entry(e.record.kind.as_str()).or_default() += 1;
        for d in &e.record.destinations {
            *self.destinations.entry(d.as_str().to_string()).or_default() += 1;
        }
        let t = e.record.decided_at;
        self.first = Some(self.first.map_or(t, |f| f.min(t)));
        self.last = Some(self.last.map_or(t, |l| l.max(t)));
        Ok(())
    }

    fn print(&self) {
        if let (Some(f), Some(l)) = (self.first, self.last) {
            println!("  decided:     {} to {}", f.date(), l.date());
        }
        for (k, n) in &self.kinds {
            println!("  {:<12} {n}", format!("{}:", k.replace('_', " ")));
        }
        let mut top: Vec<_> = self.destinations.iter().collect();
        top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let shown: Vec<String> = top
            .iter()
            .take(10)
            .map(|(d, n)| format!("{d} {n}"))
            .collect();
        if !shown.is_empty() {
            println!("  destinations (top {}): {}", shown.len(), shown.join(", "));
        }
        if let Some((index, length)) = self.anchor {
            println!("  audit chain: {length} events at the newest anchor (entry {index})");
        }
    }
}

fn print_entry(entry: &LogEntry) {
    let e = match entry {
        LogEntry::Decision(e) => e,
        LogEntry::AuditAnchor(a) => {
            println!("  kind:        audit_anchor");
            println!("  anchored at: {}", a.anchored_at);
            println!("  audit chain: {} events, head {}", a.length, a.head);
            return;
        }
    };
    let r = &e.record;
    println!("  record:      {} (/register/decisions/{})", e.seq, e.seq);
    println!("  kind:        {}", r.kind.as_str());
    println!("  decided at:  {}", r.decided_at);
    println!("  case:        {}", r.case_reference);
    if let Some(n) = &r.licence_number {
        println!("  licence:     {n}");
    }
    let d: Vec<&str> = r.destinations.iter().map(|c| c.as_str()).collect();
    println!("  destinations: {}", d.join(", "));
    if let Some(x) = &r.refers_to {
        println!("  refers to:   {x}");
    }
}

async fn export(dir: &Path, db: &DbArgs) -> Result<ExitCode> {
    let store = open_store(&db.database_url).await?;
    let ctx = Ctx::new(
        store,
        probity_domain::CriteriaSet::uk_selc(),
        Clock::system(),
    );
    let files = probity_service::register::public::export(&ctx)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let root = dir.join("register");
    // The checkpoint last, so a mirror never names a tree it does not yet hold.
    let (checkpoint, rest): (Vec<_>, Vec<_>) =
        files.into_iter().partition(|(p, _)| p == "checkpoint");
    for (path, data) in rest.into_iter().chain(checkpoint) {
        let file = root.join(&path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("could not create {}", parent.display()))?;
        }
        std::fs::write(&file, data)
            .with_context(|| format!("could not write {}", file.display()))?;
    }
    let note = std::fs::read(root.join("checkpoint"))?;
    let size = Checkpoint::parse(
        probity_service::register::log::note::parse_note(&note)?
            .text
            .as_str(),
    )?
    .size();
    println!(
        "exported the register of {size} entries to {}",
        root.display()
    );
    Ok(ExitCode::SUCCESS)
}
