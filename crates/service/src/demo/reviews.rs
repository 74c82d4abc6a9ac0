//! Demo reviews: several hundred licences in force to one destination, a clear-risk finding
//! reviewed and closed in the shape of the UK's 2024 review (goods usable in a named conflict
//! suspended, one multinational programme's components kept with that exemption), and a second
//! review, of another destination, still open with its finding unpublished.
use probity_domain::{
    ApplicationInput, AssessmentInput, ClausesInput, ExclusionInput, GoodsLineInput, PartyInput,
    PartyRole, ReviewOutcome, TeamId,
};
use rand::rngs::StdRng;
use rand::Rng;
use time::Duration;

use crate::advice::AdviceInput;
use crate::auth::Actor;
use crate::decisions::DecisionInput;
use crate::review_outcomes::{self, Filter, Selection};
use crate::reviews::{self, ReviewBasis};
use crate::{advice, applications, assessments, cases, decisions, Clock, Ctx, ServiceResult};

/// (ratings, description, end use, weight): what the demo licenses to the reviewed
/// destination, weighted so that of a few hundred licences about one in ten is in scope
/// (in 2024, about 30 of some 350).
const GOODS: &[(&[&str], &str, &str, u32)] = &[
    (&["ML10.a"], "Spare parts for combat aircraft", "Maintenance of the air force's combat aircraft fleet.", 1),
    (&["ML10.d"], "Components for the F-35 global spares pool", "Components for the F-35 global spares pool, supplied to the multinational programme's logistics hub.", 2),
    (&["ML4.b"], "Fuzing components for air-delivered munitions", "Munitions for the air force.", 1),
    (&["ML5.b"], "Targeting pod sub-assemblies", "Targeting equipment for the air force's aircraft.", 1),
    (&["ML13.c"], "Body armour for journalists", "Protective equipment for a news agency's staff.", 6),
    (&["ML11.a"], "Military tactical radios", "Communications for the defence forces' training units.", 6),
    (&["ML15.b"], "Thermal imaging sights", "Border surveillance by the defence forces.", 6),
    (&["ML8.a"], "Propellant for naval gun ammunition", "Ammunition for the navy's ships.", 3),
    (&["ML17.f"], "Bomb disposal equipment", "Explosive ordnance disposal by the police.", 4),
];

/// The `i`-th licence's goods: the weighted list walked in turn, so even a few dozen
/// licences include every kind.
pub(super) fn licence_input(rng: &mut StdRng, destination: &str, i: usize) -> ApplicationInput {
    let expanded: Vec<_> = GOODS
        .iter()
        .flat_map(|g| std::iter::repeat_n(g, g.3 as usize))
        .collect();
    let (ratings, description, end_use, _) = *expanded[i % expanded.len()];
    ApplicationInput {
        licence_type: "siel".into(),
        goods: vec![GoodsLineInput {
            description: description.into(),
            ratings: ratings.iter().map(|r| r.to_string()).collect(),
            quantity: rng.gen_range(2..200).to_string(),
            unit: "items".into(),
            value: format!("{}.00", rng.gen_range(5_000..900_000)),
            incorporated: false,
        }],
        parties: vec![
            PartyInput {
                role: PartyRole::EndUser,
                name: "Ministry of Defence".into(),
                address: "Defence procurement directorate".into(),
                country: destination.into(),
                end_user_type: Some("armed_forces".into()),
            },
            PartyInput {
                role: PartyRole::Consignee,
                name: "Defence logistics depot".into(),
                address: "Central depot".into(),
                country: destination.into(),
                end_user_type: None,
            },
        ],
        end_use_statement: end_use.into(),
    }
}

/// The people the demo's reviews need.
pub(super) struct Cast<'a> {
    pub exporters: &'a [Actor],
    pub caseworker: &'a Actor,
    pub fcdo: (TeamId, &'a Actor),
    pub decision_maker: &'a Actor,
    pub policy: &'a Actor,
    pub oversight: Option<&'a Actor>,
}

/// Grant `n` licences to `destination` through the real commands.
async fn grant_many(
    ctx: &Ctx,
    clock: &Clock,
    rng: &mut StdRng,
    cast: &Cast<'_>,
    destination: &str,
    n: usize,
) -> ServiceResult<()> {
    for i in 0..n {
        clock.advance(Duration::hours(3));
        let exporter = &cast.exporters[i % cast.exporters.len()];
        let input = licence_input(rng, destination, i);
        let (id, _) = applications::submit_new(ctx, exporter, &input).await?;
        cases::assign_to_self(ctx, cast.caseworker, id).await?;
        advice::request_advice(ctx, cast.caseworker, id, &[cast.fcdo.0], "Please advise.").await?;
        let advice_input = AdviceInput {
            destination: destination.into(),
            kind: "approve".into(),
            proviso: String::new(),
            criteria: vec![],
            reasons: "No concerns under the criteria on the information available.".into(),
        };
        advice::give_advice(ctx, cast.fcdo.1, id, &advice_input).await?;
        advice::consolidate_final(ctx, cast.caseworker, id, "Consolidated FCDO advice.").await?;
        super::resolve_screening(ctx, cast.caseworker, id).await?;
        decisions::submit_for_decision(ctx, cast.caseworker, id).await?;
        let grant = DecisionInput {
            decision: probity_domain::DecisionKind::Grant,
            reasons: "Granted in line with the final advice.".into(),
            ..Default::default()
        };
        decisions::finalise(ctx, cast.decision_maker, id, &grant).await?;
    }
    Ok(())
}

fn finding(destination: &str, ratings: &str, conflict: &str, exclusion: bool) -> AssessmentInput {
    AssessmentInput {
        destination: destination.into(),
        criterion: "2c".into(),
        finding: "clear_risk".into(),
        scope: ClausesInput {
            ratings: ratings.into(),
            ..ClausesInput::default()
        },
        exclusions: if exclusion {
            vec![ExclusionInput {
                name: "Components for the F-35 multinational programme".into(),
                when: ClausesInput {
                    end_use: "F-35".into(),
                    ..ClausesInput::default()
                },
            }]
        } else {
            vec![]
        },
        evidence: format!("Reporting from UN bodies, NGOs and the government's own monitoring on the conduct of military operations in {conflict}, including attacks affecting civilians and the provision of humanitarian relief."),
        reasons: format!("There is a clear risk that items in scope might be used to commit or facilitate a serious violation of international humanitarian law in {conflict}. Items not usable in those operations are unaffected."),
        legal_basis: "Strategic Export Licensing Criteria, criterion 2(c)".into(),
        public_summary: format!("The government has concluded that there is a clear risk that certain items might be used to commit or facilitate a serious violation of international humanitarian law in {conflict}; licences for those items are suspended."),
    }
}

/// Seed the two reviews; the clock ends at `end`.
pub(super) async fn seed(
    ctx: &Ctx,
    clock: &Clock,
    rng: &mut StdRng,
    cast: &Cast<'_>,
    end: time::OffsetDateTime,
    licences: usize,
) -> ServiceResult<()> {
    clock.set(end - Duration::days(200));
    grant_many(ctx, clock, rng, cast, "IL", licences).await?;
    grant_many(ctx, clock, rng, cast, "SA", (licences / 5).max(10)).await?;

    // The closed review, shaped like 2024's.
    clock.set(end - Duration::days(100));
    let risk = assessments::record(
        ctx,
        cast.policy,
        &finding("IL", "ML4, ML5, ML10", "the conflict in Gaza", true),
    )
    .await?;
    assessments::publish(ctx, cast.policy, risk.id).await?;
    let (review, _) = reviews::open(ctx, cast.policy, ReviewBasis::Assessment(risk.id)).await?;
    clock.advance(Duration::days(9));
    let included = Filter {
        exclusion: "included".into(),
        ..Filter::default()
    };
    review_outcomes::decide(
        ctx,
        cast.decision_maker,
        review,
        &Selection::Filter(included),
        ReviewOutcome::Suspend,
        "There is a clear risk these items might be used to commit or facilitate a serious violation of international humanitarian law.",
    )
    .await?;
    let excluded = Filter {
        exclusion: "excluded".into(),
        ..Filter::default()
    };
    review_outcomes::decide(
        ctx,
        cast.decision_maker,
        review,
        &Selection::Filter(excluded),
        ReviewOutcome::Keep,
        "Components for the F-35 multinational programme: suspending them would affect the global spares pool on which partners' fleets depend.",
    )
    .await?;
    clock.advance(Duration::days(2));
    review_outcomes::close(
        ctx,
        cast.policy,
        review,
        "Every licence in scope has an outcome: items usable in the conflict are suspended; F-35 programme components are kept under the stated exemption.",
    )
    .await?;

    // The open review: a clear risk for munitions, unpublished, worked in part.
    clock.set(end - Duration::days(35));
    let risk = assessments::record(
        ctx,
        cast.policy,
        &finding("SA", "ML4, ML5", "the conflict in Yemen", false),
    )
    .await?;
    let (review, _) = reviews::open(ctx, cast.policy, ReviewBasis::Assessment(risk.id)).await?;
    clock.advance(Duration::days(6));
    let first =
        review_outcomes::worklist(ctx, cast.caseworker, review, &Filter::default(), 1, 3).await?;
    let ids: Vec<_> = first.items.iter().map(|i| i.licence_id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    review_outcomes::decide(
        ctx,
        cast.caseworker,
        review,
        &Selection::Licences(ids),
        ReviewOutcome::Suspend,
        "Munitions usable in air operations in the conflict: suspended while the review continues.",
    )
    .await?;
    Ok(())
}
