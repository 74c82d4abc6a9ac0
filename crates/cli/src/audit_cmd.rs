//! `probity audit verify`: recompute the internal audit chain and name its first broken link;
//! with `--register`, also fetch and verify the public register and check the chain against
//! every audit anchor in it, naming the first anchor the database contradicts (events
//! deleted, or rewritten and re-hashed). The comparison is `service::audit_anchors`.

use std::process::ExitCode;

use anyhow::{anyhow, Result};
use clap::{Args, Subcommand};
use probity_service::audit_anchors::{self, thousands, AnchorVerdict, PublishedAnchor};
use probity_store::audit::ChainReport;

use crate::commands::{open, DbArgs};
use crate::register::{fetch_verified, verifier};

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain of the internal audit log and name the first broken link.
    /// With --register and --key, also check it against every audit anchor the public
    /// register published, and name the first one it contradicts.
    Verify {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        register: RegisterArgs,
    },
}

#[derive(Args)]
pub struct RegisterArgs {
    /// The public register to check the chain against: the site (http:// or https://,
    /// serving /register/…) or a directory written by `probity register export`.
    #[arg(long = "register", requires = "key")]
    url: Option<String>,
    /// The register's verifier key (<origin>+<key id>+<base64>). Get it out of band.
    #[arg(long, requires = "url")]
    key: Option<String>,
}

pub async fn run(c: AuditCommand) -> Result<ExitCode> {
    let AuditCommand::Verify { db, register } = c;
    let store = open(&db.database_url).await?;
    let (Some(url), Some(key)) = (register.url, register.key) else {
        return Ok(match probity_store::audit::verify(&store).await? {
            Ok(report) => {
                print_chain(&report);
                ExitCode::SUCCESS
            }
            Err(broken) => {
                println!("audit chain BROKEN: {broken}");
                ExitCode::from(1)
            }
        });
    };

    let key = verifier(&key)?;
    let mut anchors = Vec::new();
    let fetched = fetch_verified(&url, &key, |index, entry| {
        if let Some(&anchor) = entry.anchor() {
            anchors.push(PublishedAnchor { index, anchor });
        }
        Ok(())
    })
    .await?;
    let log = match fetched {
        Ok(log) => log,
        Err(reason) => {
            println!("FAILED: the register at {url} does not verify: {reason}");
            return Ok(ExitCode::from(1));
        }
    };
    let verdict = audit_anchors::verify_against(&store, &anchors)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let (chain, held) = match verdict {
        AnchorVerdict::ChainBroken(broken) => {
            println!("audit chain BROKEN: {broken}");
            return Ok(ExitCode::from(1));
        }
        AnchorVerdict::Checked { chain, anchors } => (chain, anchors),
    };
    print_chain(&chain);
    println!(
        "register {} verified: {} entries, {} audit anchors",
        log.origin,
        thousands(log.size),
        thousands(anchors.len() as u64)
    );
    match held {
        Err(contradicted) => {
            println!("FAILED: {contradicted}");
            Ok(ExitCode::from(1))
        }
        Ok(held) => match held.newest {
            None if chain.events > 0 => {
                println!(
                    "FAILED: the register holds no audit anchor, so nothing outside the \
                     database vouches for the chain's {} events",
                    thousands(chain.events as u64)
                );
                Ok(ExitCode::from(1))
            }
            None => {
                println!("OK: the chain is empty and the register holds no audit anchor");
                Ok(ExitCode::SUCCESS)
            }
            Some(newest) => {
                println!(
                    "OK: the chain matches all {} anchors; the newest, at index {} ({}), \
                     covers {} events; {} recorded since",
                    thousands(held.anchors as u64),
                    newest.index,
                    audit_anchors::minute_utc(newest.anchor.anchored_at),
                    thousands(newest.anchor.length),
                    thousands(held.events_since)
                );
                Ok(ExitCode::SUCCESS)
            }
        },
    }
}

fn print_chain(report: &ChainReport) {
    println!(
        "audit chain OK: {} events, head {}",
        report.events, report.head
    );
}
