//! `probity review list|show|open`: the reviews of extant licences from the command line.
//! Reading is what the public sees; opening acts as a named policy user (`--as`).
use std::process::ExitCode;

use anyhow::{anyhow, bail, Result};
use clap::Subcommand;
use probity_domain::{AssessmentId, CriteriaSet, EmbargoId, ReviewId};
use probity_service::reviews::{self, Preview, ReviewBasis, ReviewSummary};
use probity_service::{auth, Clock, Ctx, ServiceError};

use crate::commands::{open, DbArgs};

#[derive(Subcommand)]
pub enum ReviewCommand {
    /// List reviews, newest first.
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Open reviews only.
        #[arg(long)]
        open: bool,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// One review's public account.
    Show {
        #[command(flatten)]
        db: DbArgs,
        /// The review's id.
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Open a review on an assessment version or an embargo (as a policy user).
    Open {
        #[command(flatten)]
        db: DbArgs,
        /// The assessment version (its id) whose finding calls for the review.
        #[arg(long, conflicts_with = "embargo", required_unless_present = "embargo")]
        assessment: Option<String>,
        /// The embargo (its id) whose licences to review.
        #[arg(long)]
        embargo: Option<String>,
        /// Email of the policy user opening it.
        #[arg(long = "as")]
        as_user: String,
        /// Say what it would select, and open nothing.
        #[arg(long)]
        preview: bool,
    },
}

pub(crate) fn service(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Validation(v) => anyhow!(
            "{}",
            v.0.iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow!("{other}"),
    }
}

fn line(r: &ReviewSummary) -> String {
    let state = match r.closed_on {
        Some(_) => format!("closed after {} days", r.days_open),
        None => format!("open {} days", r.days_open),
    };
    format!(
        "{}  {}  {}  in force {}, in scope {}, suspended {}, revoked {}, kept {}  {}",
        r.id,
        r.destination.as_str(),
        state,
        r.licences_in_force,
        r.licences_in_scope,
        r.suspended,
        r.revoked,
        r.kept,
        r.title
    )
}

fn print_preview(p: &Preview) {
    println!("{}", p.title);
    println!(
        "licences in force to the destinations: {}; examined against the rule: {}",
        p.in_force, p.examined
    );
    println!(
        "in scope: {}; under an exclusion: {}; pending applications flagged: {}",
        p.licences, p.excluded, p.applications
    );
    if p.matches_nothing() {
        println!("WARNING: the rule matches no licence and no pending application");
    }
    for m in &p.sample {
        println!("  {}  {}", m.reference, m.reason);
    }
}

pub async fn run(c: ReviewCommand) -> Result<ExitCode> {
    match c {
        ReviewCommand::List {
            db,
            open: only_open,
            json,
        } => {
            let ctx = Ctx::new(
                open(&db.database_url).await?,
                CriteriaSet::uk_selc(),
                Clock::system(),
            );
            let mut page = 1;
            let mut all = Vec::new();
            loop {
                let p = reviews::list_public(&ctx, only_open, page, 500)
                    .await
                    .map_err(service)?;
                let done = p.reviews.len() < 500;
                all.extend(p.reviews);
                if done {
                    break;
                }
                page += 1;
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else if all.is_empty() {
                println!("no reviews");
            } else {
                for r in &all {
                    println!("{}", line(r));
                }
            }
        }
        ReviewCommand::Show { db, id, json } => {
            let id: ReviewId = id.parse().map_err(|_| {
                anyhow!("{id:?} is not a review id (a UUID, as `probity review list` prints)")
            })?;
            let ctx = Ctx::new(
                open(&db.database_url).await?,
                CriteriaSet::uk_selc(),
                Clock::system(),
            );
            let r = reviews::get_public(&ctx, id).await.map_err(service)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!("{}", line(&r.review));
                println!(
                    "{}: {}",
                    r.review.basis_label().to_lowercase(),
                    r.review.basis()
                );
                for e in &r.exemptions {
                    println!("kept under \"{}\": {}", e.exemption, e.licences);
                }
            }
        }
        ReviewCommand::Open {
            db,
            assessment,
            embargo,
            as_user,
            preview,
        } => {
            let basis = match (assessment, embargo) {
                (Some(a), None) => ReviewBasis::Assessment(
                    a.parse::<AssessmentId>()
                        .map_err(|_| anyhow!("{a:?} is not an assessment id"))?,
                ),
                (None, Some(e)) => ReviewBasis::Embargo(
                    e.parse::<EmbargoId>()
                        .map_err(|_| anyhow!("{e:?} is not an embargo id"))?,
                ),
                _ => bail!("give --assessment or --embargo"),
            };
            let ctx = Ctx::new(
                open(&db.database_url).await?,
                CriteriaSet::uk_selc(),
                Clock::system(),
            );
            let actor = auth::active_user_by_email(&ctx, &as_user)
                .await
                .map_err(|_| anyhow!("no active user with the email {as_user:?}"))?;
            if preview {
                let p = reviews::preview(&ctx, &actor, basis)
                    .await
                    .map_err(service)?;
                print_preview(&p);
            } else {
                let (id, p) = reviews::open(&ctx, &actor, basis).await.map_err(service)?;
                print_preview(&p);
                println!("opened review {id}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
