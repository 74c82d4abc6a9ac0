//! Demo dissent and disclosure: six dissents on final advice to grant, one in every state (and
//! one escalated because its deadline passed), and a few protected disclosures, answered and
//! not, so the accountability counts are not empty.
use rand::rngs::StdRng;
use time::Duration;

use super::reviews::{licence_input, Cast};
use crate::advice::AdviceInput;
use crate::dissent_steps::{self, AnswerInput, FindingInput};
use crate::dissents::{self, DissentInput};
use crate::{advice, applications, cases, decisions, disclosures, Clock, Ctx, ServiceResult};

/// The evidence file every demo dissent carries.
const EMBASSY_EXTRACT: &str = "Embassy reporting, extract (demo)\n\n\
    Observers reported vehicles of the type supplied under earlier licences at two checkpoints \
    where civilians were detained. The end user named in the application operates both.\n";

const POINTS: &str =
    "The end user's parent company supplied similar items to a sanctioned buyer in 2024.\n\
     The advice does not weigh the credible reports of strikes on civilian infrastructure.";

fn answer(action: &str) -> AnswerInput {
    AnswerInput {
        points: vec![
            probity_domain::PointAnswerInput {
                number: 1,
                verdict: "partly_accepted".into(),
                reasons: "The evidence on the parent company was checked with the embassy; a \
                          re-export proviso is added under criterion 7."
                    .into(),
            },
            probity_domain::PointAnswerInput {
                number: 2,
                verdict: "not_accepted".into(),
                reasons: "The reports were weighed under criterion 2c: the goods are not usable \
                          in the strikes the evidence describes."
                    .into(),
            },
        ],
        action: action.into(),
    }
}

pub(super) async fn seed(
    ctx: &Ctx,
    clock: &Clock,
    rng: &mut StdRng,
    cast: &Cast<'_>,
) -> ServiceResult<()> {
    let dissenter = cast.fcdo.1;
    let mut ids = Vec::new();
    for i in 0..6 {
        clock.advance(Duration::days(3));
        let exporter = &cast.exporters[i % cast.exporters.len()];
        let (id, _) =
            applications::submit_new(ctx, exporter, &licence_input(rng, "SA", 1000 + i)).await?;
        cases::assign_to_self(ctx, cast.caseworker, id).await?;
        advice::request_advice(ctx, cast.caseworker, id, &[cast.fcdo.0], "Please advise.").await?;
        let approve = AdviceInput {
            destination: "SA".into(),
            kind: "approve".into(),
            proviso: String::new(),
            criteria: vec![],
            reasons: "No concerns under the criteria on the information available.".into(),
        };
        advice::give_advice(ctx, dissenter, id, &approve).await?;
        advice::consolidate_final(ctx, cast.caseworker, id, "Consolidated FCDO advice.").await?;
        super::resolve_screening(ctx, cast.caseworker, id).await?;
        decisions::submit_for_decision(ctx, cast.caseworker, id).await?;
        let input = DissentInput {
            subject: "final_advice".into(),
            case: Some(id),
            points: POINTS.into(),
            criteria: vec!["2c".into(), "7".into()],
            evidence: "UN Panel of Experts report, section IV; embassy reporting of last month; \
                       the company's 2024 export filings."
                .into(),
            files: vec![probity_domain::Upload {
                name: "embassy-reporting-extract.txt".into(),
                bytes: EMBASSY_EXTRACT.as_bytes().to_vec(),
            }],
            ..DissentInput::default()
        };
        ids.push(dissents::file(ctx, dissenter, &input).await?);
    }
    let dm = cast.decision_maker;
    clock.advance(Duration::days(2));
    // 1: answered, the dissenter yet to respond. 2: answered and accepted.
    dissent_steps::answer(ctx, dm, ids[1], &answer("no_change")).await?;
    dissent_steps::answer(ctx, dm, ids[2], &answer("advice_or_assessment_updated")).await?;
    dissent_steps::accept(ctx, dissenter, ids[2]).await?;
    // 3: escalated after the answer, and oversight's finding. 5: escalated, awaiting it.
    for &i in &[3, 5] {
        dissent_steps::answer(ctx, dm, ids[i], &answer("no_change")).await?;
        dissent_steps::escalate(
            ctx,
            dissenter,
            ids[i],
            "The answer does not engage with the parent company's record.",
        )
        .await?;
    }
    if let Some(oversight) = cast.oversight {
        dissent_steps::record_finding(
            ctx,
            oversight,
            ids[3],
            &FindingInput {
                outcome: "upheld".into(),
                finding: "The re-export risk was not weighed against the parent company's record; \
                          the decision is to be taken again on updated advice."
                    .into(),
                retake: true,
            },
        )
        .await?;
    }
    // 4: never answered; its deadline passes and it goes to oversight by itself. 0 stays open
    // (filed first, it too is past its deadline by then: answer it first).
    dissent_steps::answer(ctx, dm, ids[0], &answer("no_change")).await?;
    clock.advance(Duration::days(20));
    dissent_steps::escalate_overdue(ctx).await?;

    // A few protected disclosures, when oversight's key is configured.
    if ctx.disclosure_keys.is_some() {
        let made = [
            "Advice on an application to a Gulf state was rewritten after a meeting with the \
             minister's office; the original advice recommended refusal under criterion 2c.",
            "Caseworkers were told to stop recording end-user concerns in the case notes and \
             to raise them by telephone instead.",
            "A licence was granted although the screening match on the consignee was never \
             resolved; the match was closed without a reason.",
        ];
        for (i, what) in made.iter().enumerate() {
            clock.advance(Duration::days(5));
            let (id, _) = disclosures::make(
                ctx,
                &probity_domain::DisclosureInput {
                    what: (*what).into(),
                    ..Default::default()
                },
                Vec::new(),
            )
            .await?;
            if let (Some(oversight), true) = (cast.oversight, i < 2) {
                clock.advance(Duration::days(4));
                disclosures::answer(
                    ctx,
                    oversight,
                    id,
                    "Oversight has obtained the case records and interviewed the team's head; \
                     our findings will be reported to the committee.",
                )
                .await?;
            }
        }
    }
    Ok(())
}
