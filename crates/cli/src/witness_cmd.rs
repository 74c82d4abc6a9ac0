//! `probity witness …`: run a C2SP tlog-witness that cosigns the checkpoints of the logs it
//! is configured to follow, refusing forks and rollbacks.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use crate::witness_http::{witness_router, WitnessServer};
use anyhow::{anyhow, Context, Result};
use clap::Subcommand;
use probity_service::register as reg;
use probity_service::register::log::note::Ed25519Verifier;
use probity_service::register::log::witness::{cosigner_from_skey, Witness};

#[derive(Subcommand)]
pub enum WitnessCommand {
    /// Generate a witness key: writes the private key file (mode 0600) and prints the
    /// cosignature verifier key (type 0x04) that logs configure with --witness.
    Keygen {
        /// The witness's name, e.g. witness.example.org/w1.
        #[arg(long)]
        name: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Serve POST /add-checkpoint (C2SP tlog-witness).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8081")]
        listen: SocketAddr,
        /// The witness's private key file (from `probity witness keygen`).
        #[arg(long)]
        key: PathBuf,
        /// Directory holding the latest cosigned size and root per log.
        #[arg(long)]
        state: PathBuf,
        /// A log to witness: <origin>=<verifier key>. Repeatable.
        #[arg(long = "log", required = true)]
        logs: Vec<String>,
    },
}

fn parse_log(s: &str) -> Result<Ed25519Verifier> {
    let (origin, vkey) = s
        .split_once('=')
        .ok_or_else(|| anyhow!("--log {s:?}: want <origin>=<verifier key>"))?;
    let key = Ed25519Verifier::from_vkey(vkey.trim())
        .map_err(|e| anyhow!("--log {origin}: invalid verifier key: {e}"))?;
    if key.vkey().split('+').next() != Some(origin) {
        return Err(anyhow!(
            "--log {origin}: the key is named {:?}; a log's key is named after its origin",
            key.vkey().split('+').next().unwrap_or_default()
        ));
    }
    Ok(key)
}

pub async fn run(c: WitnessCommand) -> Result<ExitCode> {
    match c {
        WitnessCommand::Keygen { name, out } => {
            let signer = reg::generate_key_file(&name, &out)?;
            let cosigner = cosigner_from_skey(&signer.skey()).map_err(|e| anyhow!("{e}"))?;
            eprintln!(
                "wrote the private key to {} (keep it secret)",
                out.display()
            );
            println!("{}", cosigner.verifier().vkey());
            Ok(ExitCode::SUCCESS)
        }
        WitnessCommand::Serve {
            listen,
            key,
            state,
            logs,
        } => {
            let text = std::fs::read_to_string(&key)
                .with_context(|| format!("could not read {}", key.display()))?;
            let cosigner = cosigner_from_skey(&text)
                .map_err(|e| anyhow!("{} is not a key file: {e}", key.display()))?;
            let mut witness = Witness::new(cosigner);
            for l in &logs {
                witness.add_log(parse_log(l)?);
            }
            let server = WitnessServer::new(witness, state.clone())
                .with_context(|| format!("could not create {}", state.display()))?;
            let w = server.witness().cosigner();
            println!(
                "witness {} ({}) following {} log(s)",
                w.name(),
                w.verifier().vkey(),
                logs.len()
            );
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("could not listen on {listen}"))?;
            println!("listening on http://{}", listener.local_addr()?);
            let router = witness_router(Arc::new(server));
            let shutdown = crate::lifecycle::Shutdown::on_signals()?;
            crate::http_server::serve(listener, router, Default::default(), shutdown.requested())
                .await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
