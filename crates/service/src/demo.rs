//! Realistic demo content: reference data, one user per role, exporters, and a few hundred
//! applications driven through the real commands to every kind of outcome over two years.
use probity_domain::{
    ApplicationInput, GoodsLineInput, LicenceAction, PartyInput, PartyRole, TeamId,
};
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

const EXPORTERS: &[(&str, &str, &str)] = &[
    (
        "Northbridge Defence Systems Ltd",
        "Unit 4, Harbour Road, Barrow-in-Furness LA14 2XX",
        "north",
    ),
    (
        "Caledonian Optronics plc",
        "12 Kelvin Way, Glasgow G3 8AA",
        "caledonian",
    ),
    (
        "Severn Aerospace Components Ltd",
        "Aston Park, Filton, Bristol BS34 7QQ",
        "severn",
    ),
    (
        "Pennine Secure Communications Ltd",
        "3 Mill Lane, Huddersfield HD1 5NT",
        "pennine",
    ),
];

/// (ratings, description, unit, typical value in pounds)
const GOODS: &[(&[&str], &str, &str, u32)] = &[
    (
        &["ML1a"],
        "Semi-automatic rifles, 5.56 mm, with spare magazines",
        "items",
        2_400,
    ),
    (&["ML3a"], "Ammunition, 5.56 mm ball, boxed", "rounds", 1),
    (
        &["ML5b"],
        "Fire-control radar sub-assemblies for naval guns",
        "items",
        180_000,
    ),
    (
        &["ML10a", "ML10d"],
        "Spare parts for military fixed-wing training aircraft",
        "kits",
        45_000,
    ),
    (
        &["ML11a"],
        "Military tactical radios with encryption modules",
        "items",
        6_500,
    ),
    (&["ML13c"], "Body armour plates, NIJ level IV", "items", 650),
    (&["ML15b"], "Thermal imaging weapon sights", "items", 8_900),
    (
        &["ML6a"],
        "Armoured patrol vehicles, 4x4, unarmed",
        "vehicles",
        410_000,
    ),
    (
        &["5A002.a.1"],
        "Network encryption appliances for government networks",
        "items",
        12_000,
    ),
    (
        &["6A003.b.4"],
        "Cooled thermal cameras for border surveillance",
        "items",
        38_000,
    ),
    (
        &["9A012"],
        "Unmanned aerial vehicles for reconnaissance, 25 kg class",
        "systems",
        260_000,
    ),
    (
        &["1A004"],
        "Chemical protective suits and respirator filters",
        "sets",
        420,
    ),
    (
        &["PL5017"],
        "Military display and test equipment",
        "items",
        15_000,
    ),
];

/// (destination, end user, end-user type, kind of outcome bias)
const DESTINATIONS: &[(&str, &str, &str)] = &[
    (
        "US",
        "Department of the Army, Picatinny Arsenal",
        "armed_forces",
    ),
    ("FR", "Direction générale de l'armement", "government"),
    (
        "DE",
        "Bundeswehr Procurement Office (BAAINBw)",
        "armed_forces",
    ),
    ("NO", "Norwegian Defence Materiel Agency", "government"),
    ("AU", "Australian Department of Defence", "government"),
    ("IN", "Bharat Electronics Limited", "commercial"),
    (
        "SA",
        "Ministry of Defence, Kingdom of Saudi Arabia",
        "armed_forces",
    ),
    (
        "AE",
        "UAE General Headquarters Armed Forces",
        "armed_forces",
    ),
    ("IL", "Israel Ministry of Defense, SIBAT", "government"),
    ("TR", "Aselsan A.S.", "commercial"),
    (
        "EG",
        "Egyptian Armed Forces Armament Authority",
        "armed_forces",
    ),
    ("BR", "Embraer Defesa e Segurança", "commercial"),
    (
        "JP",
        "Acquisition, Technology and Logistics Agency",
        "government",
    ),
    ("KE", "Kenya Police Service", "government"),
];

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn application(rng: &mut StdRng, org_address: &str) -> ApplicationInput {
    let (dest, end_user, eut) = *pick(rng, DESTINATIONS);
    let lines = rng.gen_range(1..=3);
    let mut goods = Vec::new();
    let mut used = Vec::new();
    for _ in 0..lines {
        let g = pick(rng, GOODS);
        if used.contains(&g.1) {
            continue;
        }
        used.push(g.1);
        let qty: u32 = if g.3 <= 10 {
            rng.gen_range(10_000..500_000)
        } else {
            rng.gen_range(1..200)
        };
        let value = u64::from(g.3) * u64::from(qty) * rng.gen_range(90..110) / 100;
        goods.push(GoodsLineInput {
            description: g.1.to_string(),
            ratings: g.0.iter().map(|r| r.to_string()).collect(),
            quantity: qty.to_string(),
            unit: g.2.to_string(),
            value: format!("{value}.00"),
            incorporated: rng.gen_bool(0.15),
        });
    }
    ApplicationInput {
        licence_type: "siel".into(),
        goods,
        parties: vec![
            PartyInput { role: PartyRole::EndUser, name: end_user.into(), address: format!("Procurement directorate, {dest}"), country: dest.into(), end_user_type: Some(eut.into()) },
            PartyInput { role: PartyRole::Consignee, name: format!("{end_user} (receiving depot)"), address: format!("Central logistics depot, {dest}"), country: dest.into(), end_user_type: None },
        ],
        end_use_statement: format!(
            "For use by the end user named in this application for its own operational requirements. The goods will not be re-exported without UK approval. Exporter address: {org_address}."
        ),
    }
}

fn password(rng: &mut StdRng) -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..18)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
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
        if stage == 1 {
            continue;
        }
        clock.advance(Duration::hours(20));
        cases::assign_to_self(ctx, &caseworker, id).await?;
        if rng.gen_bool(0.03) {
            applications::withdraw(ctx, exporter, id, "Contract cancelled by the customer").await?;
            continue;
        }
        if rng.gen_bool(0.2) || stage == 2 {
            let q = cases::ask_question(ctx, &caseworker, id, "Please provide the end-user undertaking signed by the end user, and confirm the delivery address.").await?;
            if stage == 2 {
                continue;
            }
            clock.advance(Duration::days(3));
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
        clock.advance(Duration::days(rng.gen_range(5..25)));
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
        decisions::submit_for_decision(ctx, &caseworker, id).await?;
        if stage == 4 {
            continue;
        }
        clock.advance(Duration::days(rng.gen_range(1..10)));
        // A refusal from one team beside approvals elsewhere is conflicting final advice,
        // which the decision-maker resolves in writing.
        let nlr = !refuse && rng.gen_bool(0.04);
        let decision = DecisionInput {
            decision: if refuse {
                "refuse"
            } else if nlr {
                "no_licence_required"
            } else {
                "grant"
            }
            .into(),
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
        };
        let mut outcome = decisions::finalise(ctx, &dm, id, &decision).await?;
        if outcome == Finalised::AwaitingCountersign {
            if stage == 5 {
                continue;
            }
            clock.advance(Duration::days(1));
            outcome = decisions::countersign(ctx, &dm2, id, "Agreed.").await?;
        }
        match outcome {
            Finalised::Granted(_) => issued.push((id, exporter.clone())),
            Finalised::Refused if rng.gen_bool(0.3) => {
                clock.advance(Duration::days(10));
                appeals::appeal(ctx, exporter, id, "The end user has since adopted enhanced end-use controls and independent monitoring; we ask for the decision to be reconsidered.").await?;
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
    clock.set(end);
    licences::expire_due(ctx).await?;
    Ok(DemoSummary {
        users,
        applications: applications_count,
    })
}
