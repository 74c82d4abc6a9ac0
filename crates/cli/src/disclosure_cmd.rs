//! Oversight's key for protected disclosures: `probity disclosure keygen` makes one, and
//! `serve` (or `demo`) is given it. The private identity stays in a file on the server that
//! reads disclosures; a server given only the public recipient takes and seals them.
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use probity_service::disclosures::OversightKeys;

#[derive(Args, Clone, Default)]
pub struct DisclosureKeyArgs {
    /// Oversight's age identity file (AGE-SECRET-KEY-1…; `probity disclosure keygen` writes
    /// one): protected disclosures are sealed to it and read with it. Never stored in the
    /// database.
    #[arg(long, env = "PROBITY_OVERSIGHT_IDENTITY", value_name = "FILE")]
    oversight_identity: Option<PathBuf>,
    /// Or only oversight's public recipient (age1…): disclosures are taken and sealed here,
    /// and read where the identity is held.
    #[arg(
        long,
        env = "PROBITY_OVERSIGHT_RECIPIENT",
        value_name = "AGE1…",
        conflicts_with = "oversight_identity"
    )]
    oversight_recipient: Option<String>,
}

impl DisclosureKeyArgs {
    /// The keys given, if any (without them `/disclose` says disclosures are not taken).
    pub fn keys(&self) -> Result<Option<OversightKeys>> {
        match (&self.oversight_identity, &self.oversight_recipient) {
            (Some(path), _) => Ok(Some(
                OversightKeys::from_identity_file(path)
                    .with_context(|| format!("--oversight-identity {}", path.display()))?,
            )),
            (None, Some(r)) => Ok(Some(
                OversightKeys::from_recipient(r).context("--oversight-recipient")?,
            )),
            (None, None) => Ok(None),
        }
    }

    /// The keys given, or the demo's own identity in `dir` (made on first use).
    pub fn keys_or_demo(&self, dir: &Path) -> Result<OversightKeys> {
        if let Some(k) = self.keys()? {
            return Ok(k);
        }
        let path = dir.join("oversight.key");
        if !path.exists() {
            write_identity(&path)?;
        }
        OversightKeys::from_identity_file(&path)
            .with_context(|| format!("the demo's oversight identity {}", path.display()))
    }
}

#[derive(Subcommand)]
pub enum DisclosureCommand {
    /// Make oversight's identity for protected disclosures: writes the identity file (0600;
    /// refuses to overwrite one) and prints the public recipient.
    Keygen {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// Write a new identity to `path` (created 0600, never over an existing file); the recipient.
fn write_identity(path: &Path) -> Result<String> {
    let (keys, text) = OversightKeys::generate();
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| {
            format!(
                "could not create {} (it must not exist yet)",
                path.display()
            )
        })?;
    f.write_all(text.as_bytes())?;
    Ok(keys.recipient())
}

pub fn run(command: DisclosureCommand) -> Result<ExitCode> {
    match command {
        DisclosureCommand::Keygen { out } => {
            if out.exists() {
                bail!(
                    "{} exists: refusing to overwrite an identity",
                    out.display()
                );
            }
            let recipient = write_identity(&out)?;
            println!("{recipient}");
            eprintln!(
                "wrote oversight's identity to {}; give it to `probity serve --oversight-identity`",
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
