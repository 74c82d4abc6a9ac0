//! Realistic demo content: reference data, one user per role, exporters, and a few hundred
//! applications driven through the real commands to every kind of outcome over two years.
mod content;
mod dissents;
mod documents;
mod reviews;
mod screening;

pub use screening::{seed_screening, LIST_FILES};

use content::{application, password, EXPORTERS};
use probity_domain::{CaseId, LicenceAction, TeamId};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::{Duration, OffsetDateTime};

use crate::advice::AdviceInput;
use crate::auth::{create_user, Actor, NewUser};
use crate::decisions::{DecisionInput, Finalised};
use crate::orgs::{create_organisation, create_team, NewOrganisation, TeamKind};
use crate::{
    advice, appeals, applications, auth, cases, decisions, licences, Clock, Ctx, ServiceResult,
};

/// The demo covers this many days of activity, ending now (long enough for some licences to expire).
const DEMO_DAYS: i64 = 900;

/// (role, email, name, organisation, team) of a user whose sign-in is printed.
type PrintedUser = (
    &'static str,
    &'static str,
    &'static str,
    Option<String>,
    Option<TeamId>,
);

/// The sign-in details created by the demo (printed once by the CLI).
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub role: &'static str,
    pub email: String,
    pub password: String,
}

pub struct DemoSummary {
    pub users: Vec<DemoUser>,
    pub applications: usize,
}

/// Seed the demo. `ctx` should be freshly migrated; the demo moves its own fixed clock
/// through two years of activity ending now.
pub async fn seed(store_ctx: &Ctx, applications_count: usize) -> ServiceResult<DemoSummary> {
    let end = OffsetDateTime::now_utc();
    let clock = Clock::fixed(end - Duration::days(DEMO_DAYS));
    let ctx = Ctx {
        clock: clock.clone(),
        ..store_ctx.clone()
    };
    let ctx = &ctx;
    let mut rng = StdRng::seed_from_u64(2026);
    let mut pw_rng = StdRng::from_entropy();

    let licensing =
        create_team(ctx, None, "Export Control Joint Unit", TeamKind::Licensing).await?;
    let fcdo = create_team(ctx, None, "FCDO Arms Export Policy", TeamKind::Advisory).await?;
    let mod_team = create_team(ctx, None, "MOD Defence Exports", TeamKind::Advisory).await?;
    let ncsc = create_team(ctx, None, "NCSC Technical Advice", TeamKind::Advisory).await?;
    let policy_team = create_team(ctx, None, "Licensing Policy Unit", TeamKind::Policy).await?;
    let oversight_team = create_team(
        ctx,
        None,
        "Independent Licensing Oversight",
        TeamKind::Oversight,
    )
    .await?;

    let mut orgs = Vec::new();
    for (i, (name, address, _)) in EXPORTERS.iter().enumerate() {
        let id = create_organisation(
            ctx,
            None,
            &NewOrganisation {
                name: name.to_string(),
                registration_number: format!("0{}4{}7{}2{}", 4 + i, i, 9 - i, i),
                address: address.to_string(),
                country: "GB".into(),
            },
        )
        .await?;
        orgs.push((id, *address));
    }

    // One user per role, whose sign-in details are printed once.
    let printed: Vec<PrintedUser> = vec![
        (
            "exporter",
            "exporter@northbridge.example",
            "Alex Morgan (Northbridge)",
            Some(orgs[0].0.to_string()),
            None,
        ),
        (
            "caseworker",
            "caseworker@ecju.example",
            "Priya Shah",
            None,
            Some(licensing),
        ),
        (
            "adviser",
            "adviser@fcdo.example",
            "Tom Reid (FCDO)",
            None,
            Some(fcdo),
        ),
        (
            "decision_maker",
            "decisions@ecju.example",
            "Helen Carter",
            None,
            Some(licensing),
        ),
        (
            "policy",
            "policy@ecju.example",
            "Sam Okafor",
            None,
            Some(policy_team),
        ),
        (
            "oversight",
            "oversight@oversight.example",
            "Dr Ruth Evans",
            None,
            Some(oversight_team),
        ),
        (
            "admin",
            "admin@probity.example",
            "System administrator",
            None,
            None,
        ),
    ];
    let mut users = Vec::new();
    let mut specs = Vec::new();
    for (role, email, name, org, team) in printed {
        let pw = password(&mut pw_rng);
        users.push(DemoUser {
            role,
            email: email.to_string(),
            password: pw.clone(),
        });
        specs.push(NewUser {
            email: email.into(),
            display_name: name.into(),
            role: role.into(),
            password: pw,
            organisation_id: org,
            team_id: team.map(|t| t.to_string()),
        });
    }
    // Supporting users (not printed): more exporters, advisers and a countersigning decision-maker.
    for (i, (org, _)) in orgs.iter().enumerate().skip(1) {
        specs.push(NewUser {
            email: format!("exporter{i}@{}.example", EXPORTERS[i].2),
            display_name: format!("Export manager, {}", EXPORTERS[i].0),
            role: "exporter".into(),
            password: password(&mut pw_rng),
            organisation_id: Some(org.to_string()),
            team_id: None,
        });
    }
    specs.push(NewUser {
        email: "adviser@mod.example".into(),
        display_name: "Lt Col J. Fraser (MOD)".into(),
        role: "adviser".into(),
        password: password(&mut pw_rng),
        organisation_id: None,
        team_id: Some(mod_team.to_string()),
    });
    specs.push(NewUser {
        email: "adviser@ncsc.example".into(),
        display_name: "Dr K. Lin (NCSC)".into(),
        role: "adviser".into(),
        password: password(&mut pw_rng),
        organisation_id: None,
        team_id: Some(ncsc.to_string()),
    });
    specs.push(NewUser {
        email: "countersign@ecju.example".into(),
        display_name: "Mark Jennings".into(),
        role: "decision_maker".into(),
        password: password(&mut pw_rng),
        organisation_id: None,
        team_id: Some(licensing.to_string()),
    });
    let mut actors = Vec::new();
    for spec in &specs {
        let id = create_user(ctx, None, spec).await?;
        actors.push(auth::get_user(ctx, id).await?);
    }
    let by_email = |e: &str| -> Actor {
        actors
            .iter()
            .find(|a| a.email == e)
            .cloned()
            .unwrap_or_else(|| actors[0].clone())
    };
    let caseworker = by_email("caseworker@ecju.example");
    let dm = by_email("decisions@ecju.example");
    let dm2 = by_email("countersign@ecju.example");
    let policy = by_email("policy@ecju.example");
    let oversight_actor = Some(by_email("oversight@oversight.example"));
    let advisers = [
        (fcdo, by_email("adviser@fcdo.example")),
        (mod_team, by_email("adviser@mod.example")),
        (ncsc, by_email("adviser@ncsc.example")),
    ];
    let exporters: Vec<Actor> = actors
        .iter()
        .filter(|a| a.role == auth::Role::Exporter)
        .cloned()
        .collect();

    let step = Duration::seconds((DEMO_DAYS * 86_400 / applications_count.max(1) as i64).max(60));
    let mut issued = Vec::new();
    for n in 0..applications_count {
        clock.set(end - Duration::days(DEMO_DAYS) + step * n as i32);
        let exporter = &exporters[n % exporters.len()];
        let address = orgs
            .iter()
            .find(|(o, _)| Some(*o) == exporter.organisation_id)
            .map(|o| o.1)
            .unwrap_or("");
        let input = application(&mut rng, address);
        let dest = input.parties[0].country.clone();
        let recent = n + 25 >= applications_count;
        let stage: u32 = if recent { rng.gen_range(0..6) } else { 6 };
        if stage == 0 {
            applications::save_draft(ctx, exporter, None, &input).await?;
            continue;
        }
        let (id, _) = applications::submit_new(ctx, exporter, &input).await?;
        documents::give(ctx, exporter, id, &input, &mut rng).await?;
        if stage == 1 {
            continue;
        }
        if !later(&clock, end, Duration::hours(20)) {
            continue;
        }
        cases::assign_to_self(ctx, &caseworker, id).await?;
        if rng.gen_bool(0.03) {
            applications::withdraw(ctx, exporter, id, "Contract cancelled by the customer").await?;
            continue;
        }
        // A few open cases wait for, or have been given, a data sheet asked for.
        if recent && rng.gen_bool(0.3) {
            let answered = stage > 2 && later(&clock, end, Duration::days(2));
            documents::ask_and_answer(ctx, &caseworker, exporter, id, &input, answered).await?;
        }
        if rng.gen_bool(0.2) || stage == 2 {
            let q = cases::ask_question(ctx, &caseworker, id, "Please provide the end-user undertaking signed by the end user, and confirm the delivery address.").await?;
            if stage == 2 {
                continue;
            }
            if !later(&clock, end, Duration::days(3)) {
                continue;
            }
            cases::answer_question(ctx, exporter, id, q, "The signed end-user undertaking is attached to our records; the delivery address is the consignee's central depot.").await?;
        }
        let sensitive = matches!(dest.as_str(), "SA" | "AE" | "IL" | "EG" | "TR");
        let teams: Vec<TeamId> = if input
            .goods
            .iter()
            .any(|g| g.ratings.iter().any(|r| r.starts_with('5')))
        {
            vec![fcdo, ncsc]
        } else {
            vec![fcdo, mod_team]
        };
        advice::request_advice(
            ctx,
            &caseworker,
            id,
            &teams,
            "Please advise against the criteria.",
        )
        .await?;
        if stage == 3 {
            continue;
        }
        if !later(&clock, end, Duration::days(rng.gen_range(5..25))) {
            continue;
        }
        let refuse = sensitive && rng.gen_bool(0.25);
        for (team, adviser) in &advisers {
            if !teams.contains(team) {
                continue;
            }
            let fcdo_refuses = refuse && *team == fcdo;
            let kind = if fcdo_refuses {
                "refuse"
            } else if rng.gen_bool(0.2) {
                "proviso"
            } else {
                "approve"
            };
            let criteria = if fcdo_refuses {
                vec![if rng.gen_bool(0.6) {
                    "2c".to_string()
                } else {
                    "7a".to_string()
                }]
            } else {
                vec![]
            };
            advice::give_advice(ctx, adviser, id, &AdviceInput {
                destination: dest.clone(),
                kind: kind.into(),
                proviso: "End-use monitoring visit within 12 months of delivery.".into(),
                criteria,
                reasons: if fcdo_refuses { "There is a clear risk that the items might be used in the commission of serious violations of international humanitarian law, given current reporting on the end user's operations.".into() } else { "No concerns under the criteria for this end user and these goods.".into() },
            }).await?;
        }
        advice::consolidate_final(
            ctx,
            &caseworker,
            id,
            "Consolidated from the advice of the teams consulted.",
        )
        .await?;
        resolve_screening(ctx, &caseworker, id).await?;
        decisions::submit_for_decision(ctx, &caseworker, id).await?;
        if stage == 4 {
            continue;
        }
        if !later(&clock, end, Duration::days(rng.gen_range(1..10))) {
            continue;
        }
        // A refusal from one team beside approvals elsewhere is conflicting final advice,
        // which the decision-maker resolves in writing.
        let nlr = !refuse && rng.gen_bool(0.04);
        let decision = DecisionInput {
            decision: if refuse {
                probity_domain::DecisionKind::Refuse
            } else if nlr {
                probity_domain::DecisionKind::NoLicenceRequired
            } else {
                probity_domain::DecisionKind::Grant
            },
            provisos: if refuse || nlr {
                vec![]
            } else {
                vec!["The exporter must keep records of each shipment for four years.".into()]
            },
            criteria: if refuse { vec!["2c".into()] } else { vec![] },
            reasons: if refuse {
                "Refused: the risk under criterion 2c is clear on the advice received.".into()
            } else if nlr {
                "The goods as described are not controlled.".into()
            } else {
                "Granted in line with the final advice.".into()
            },
            conflict_resolution: if refuse {
                "The FCDO assessment of clear risk under criterion 2c outweighs the approvals on defence grounds.".into()
            } else if nlr {
                "Technical review found the goods fall outside the control list entries cited."
                    .into()
            } else {
                String::new()
            },
            countersign: rng.gen_bool(0.2),
            ..Default::default()
        };
        let mut outcome = decisions::finalise(ctx, &dm, id, &decision).await?;
        if outcome == Finalised::AwaitingCountersign {
            if stage == 5 {
                continue;
            }
            if !later(&clock, end, Duration::days(1)) {
                continue;
            }
            outcome = decisions::countersign(ctx, &dm2, id, "Agreed.").await?;
        }
        match outcome {
            Finalised::Granted(_) => issued.push((id, exporter.clone())),
            Finalised::Refused if rng.gen_bool(0.3) => {
                if !later(&clock, end, Duration::days(10)) {
                    continue;
                }
                let (appeal, _) = appeals::appeal(ctx, exporter, id, "The end user has since adopted enhanced end-use controls and independent monitoring; we ask for the decision to be reconsidered.").await?;
                if !recent {
                    if !later(&clock, end, Duration::days(20)) {
                        continue;
                    }
                    let allow = rng.gen_bool(0.4);
                    decide_appeal(
                        ctx,
                        &caseworker,
                        &advisers[0].1,
                        &dm,
                        advisers[0].0,
                        appeal,
                        &dest,
                        allow,
                    )
                    .await?;
                }
            }
            _ => {}
        }
    }
    // Lifecycle: some licences suspended, reinstated, revoked, surrendered or used up.
    clock.set(end - Duration::days(20));
    for (i, (case_id, exporter)) in issued.iter().enumerate() {
        let licence = licences::for_case(ctx, exporter, *case_id).await?;
        let Some(l) = licence.first() else { continue };
        let (actor, action, reason) = match i % 23 {
            3 => (
                &policy,
                LicenceAction::Suspend,
                "Suspended pending review of the destination assessment.",
            ),
            7 => (
                &dm,
                LicenceAction::Revoke,
                "Revoked: the end user has been linked to diversion of controlled goods.",
            ),
            11 => (
                exporter,
                LicenceAction::Surrender,
                "Contract completed early; licence no longer needed.",
            ),
            17 => (
                exporter,
                LicenceAction::Exhaust,
                "All licensed quantities have been shipped.",
            ),
            _ => continue,
        };
        licences::act(ctx, actor, l.id, action, reason).await?;
        if i % 46 == 3 {
            licences::act(
                ctx,
                &policy,
                l.id,
                LicenceAction::Reinstate,
                "Reinstated: the review found no change in risk.",
            )
            .await?;
        }
    }
    // Reviews of two destinations' licences: one closed, one open.
    let cast = reviews::Cast {
        exporters: &exporters,
        caseworker: &caseworker,
        fcdo: (fcdo, &advisers[0].1),
        decision_maker: &dm,
        policy: &policy,
        oversight: oversight_actor.as_ref(),
    };
    // Several hundred licences to the reviewed destination with the default demo.
    let reviewed = applications_count.clamp(20, 320);
    reviews::seed(ctx, &clock, &mut rng, &cast, end, reviewed).await?;
    // Dissents and disclosures over the last months (their steps add up to about 65 days).
    clock.set(end - Duration::days(80));
    dissents::seed(ctx, &clock, &mut rng, &cast).await?;
    clock.set(end);
    licences::expire_due(ctx).await?;
    Ok(DemoSummary {
        users,
        applications: applications_count,
    })
}

/// Move the demo's clock on by `by`, unless that would pass `end` (the moment the demo is
/// made): a step that would lie in the future is not taken, and its case stays where it is.
fn later(clock: &Clock, end: OffsetDateTime, by: Duration) -> bool {
    let next = clock.now() + by;
    if next > end {
        return false;
    }
    clock.set(next);
    true
}

/// Take an appeal through review to an outcome: allowed (a licence) or dismissed.
#[allow(clippy::too_many_arguments)]
async fn decide_appeal(
    ctx: &Ctx,
    caseworker: &Actor,
    adviser: &Actor,
    dm: &Actor,
    team: TeamId,
    appeal: CaseId,
    dest: &str,
    allow: bool,
) -> ServiceResult<()> {
    cases::assign_to_self(ctx, caseworker, appeal).await?;
    advice::request_advice(
        ctx,
        caseworker,
        appeal,
        &[team],
        "Appeal: please review your earlier advice.",
    )
    .await?;
    let advice_input = AdviceInput {
        destination: dest.to_string(),
        kind: if allow { "approve" } else { "refuse" }.into(),
        proviso: String::new(),
        criteria: if allow { vec![] } else { vec!["2c".into()] },
        reasons: if allow {
            "The new end-use controls and monitoring address the risk identified at refusal.".into()
        } else {
            "The risk identified at refusal remains; the new controls do not change it.".into()
        },
    };
    advice::give_advice(ctx, adviser, appeal, &advice_input).await?;
    advice::consolidate_final(ctx, caseworker, appeal, "Consolidated appeal advice.").await?;
    resolve_screening(ctx, caseworker, appeal).await?;
    decisions::submit_for_decision(ctx, caseworker, appeal).await?;
    let decision = DecisionInput {
        decision: if allow {
            probity_domain::DecisionKind::Grant
        } else {
            probity_domain::DecisionKind::Refuse
        },
        provisos: vec![],
        criteria: if allow { vec![] } else { vec!["2c".into()] },
        reasons: if allow {
            "Appeal allowed on the fresh assessment of the end user's controls.".into()
        } else {
            "Appeal dismissed: the original assessment stands.".into()
        },
        conflict_resolution: String::new(),
        countersign: false,
        ..Default::default()
    };
    decisions::finalise(ctx, dm, appeal, &decision).await?;
    Ok(())
}

/// The caseworker resolves the case's screening matches before it goes for decision. In the
/// demo these are denials: the same end user as an earlier refused application, a true match
/// that the assessment takes into account.
pub(super) async fn resolve_screening(
    ctx: &Ctx,
    caseworker: &Actor,
    id: CaseId,
) -> ServiceResult<()> {
    let case = id.to_string();
    for m in crate::screening::matches_of_case(ctx, caseworker, &case).await? {
        if m.status != "unresolved" {
            continue;
        }
        let (verdict, reason) = if m.list == "denials" {
            (
                "true_match",
                format!(
                    "The same party as in refused application {}: that refusal and its reasons are taken into account in this assessment.",
                    m.entry_id.split(' ').next().unwrap_or_default()
                ),
            )
        } else {
            (
                "false_positive",
                "A different organisation: its address and registration number do not match the listed entry.".to_owned(),
            )
        };
        crate::screening::resolve(ctx, caseworker, &case, &m.id, verdict, &reason).await?;
    }
    Ok(())
}
