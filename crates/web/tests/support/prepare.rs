//! Driving a case — and what hangs off it: a review, a dissent, a disclosure — to any stage
//! with the real service commands, for the role matrix and the page tests.
use probity_domain::{
    ApplicationInput, AssessmentId, AssessmentInput, CaseId, DocumentId, EmbargoId, LicenceId,
    QuestionId, ReviewId,
};
use probity_service::advice::{self, AdviceInput};
use probity_service::decisions::{self, DecisionInput};
use probity_service::review_outcomes::{self, Selection};
use probity_service::reviews::{self, ReviewBasis};
use probity_service::testing::{siel, World};
use probity_service::{applications, assessments, cases, documents, licences, records};

/// How far to drive a case. Unlike `World::case_at`, advice is requested from the FCDO team
/// only, so the MOD adviser is an adviser whose team was *not* consulted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// A saved, unsubmitted draft of `exporter`'s organisation.
    Draft,
    Submitted,
    UnderReview,
    AwaitingExporter,
    /// Referred to FCDO for advice.
    Referred,
    /// FCDO has advised (approve); final advice not yet consolidated.
    Advised,
    FinalAdvice,
    UnderFinalReview,
    /// Decided by the *second* decision-maker, so `decision_maker` may countersign.
    AwaitingCountersign,
    Granted,
    /// Granted, then the licence suspended.
    Suspended,
    /// Granted, then a clear risk for the destination recorded (after "no concern", so each
    /// fixture's version offers a review), an embargo recorded, and a review opened.
    Reviewed,
    /// As `Reviewed`, with the review's licence suspended by it (so it may close).
    ReviewDecided,
    Refused,
    /// Under final review, with a dissent on the final advice filed by the consulted
    /// adviser; `decision_maker` (first by name) must answer it.
    Dissented,
    /// As `Dissented`, answered on every point.
    DissentAnswered,
    /// Submitted after a list naming its end user was loaded: one unresolved screening match.
    Screened,
    /// As `DissentAnswered`, escalated to oversight by the adviser.
    DissentEscalated,
    /// Submitted, and an anonymous protected disclosure made.
    Disclosed,
}

/// A prepared case and the ids hanging off it.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub case: CaseId,
    pub question: Option<QuestionId>,
    pub licence: Option<LicenceId>,
    pub document: Option<DocumentId>,
    /// The newest public decision record of the case.
    pub record: Option<i64>,
    pub assessment: Option<AssessmentId>,
    pub embargo: Option<EmbargoId>,
    pub review: Option<ReviewId>,
    pub dissent: Option<probity_domain::DissentId>,
    pub disclosure: Option<probity_domain::DisclosureId>,
    /// The screening match and list version of a `Screened` case.
    pub screening: Option<(String, String)>,
}

/// Drive a new application to `destination` to stage `at` with the real commands.
pub async fn prepare(w: &World, destination: &str, at: At) -> Prepared {
    let c = &w.ctx;
    let input: ApplicationInput = siel(destination);
    let id = if at == At::Draft {
        applications::save_draft(c, &w.exporter, None, &input)
            .await
            .expect("save draft")
    } else {
        applications::submit_new(c, &w.exporter, &input)
            .await
            .expect("submit")
            .0
    };
    // Every case carries a supporting document (number 1).
    let undertaking = probity_service::supporting_documents::NewUpload {
        document_kind: "end_user_undertaking".into(),
        request: None,
        file: Some(probity_domain::Upload {
            name: "undertaking.pdf".into(),
            bytes: b"%PDF-1.4\nSigned end-user undertaking.".to_vec(),
        }),
    };
    probity_service::supporting_documents::upload(c, &w.exporter, id, undertaking)
        .await
        .expect("upload a supporting document");
    let done = |stage: At| at == stage;
    let mut p = Prepared {
        case: id,
        question: None,
        licence: None,
        document: None,
        record: None,
        assessment: None,
        embargo: None,
        review: None,
        dissent: None,
        disclosure: None,
        screening: None,
    };
    if at == At::Screened {
        p.screening = Some(screened(w, id).await);
        return p;
    }
    if at == At::Disclosed {
        let input = probity_domain::DisclosureInput {
            what: "Advice on a case was rewritten after a meeting with the minister's office."
                .into(),
            ..Default::default()
        };
        let file = probity_domain::Upload {
            name: "minutes.txt".into(),
            bytes: b"Minutes of the meeting of 2 March.".to_vec(),
        };
        let (d, _) = probity_service::disclosures::make(c, &input, vec![file])
            .await
            .expect("make a disclosure");
        p.disclosure = Some(d);
        return p;
    }
    if done(At::Draft) || done(At::Submitted) {
        return p;
    }
    cases::assign_to_self(c, &w.caseworker, id)
        .await
        .expect("assign");
    if done(At::UnderReview) {
        return p;
    }
    if done(At::AwaitingExporter) {
        let q = cases::ask_question(
            c,
            &w.caseworker,
            id,
            "Please send the end-user undertaking.",
        )
        .await
        .expect("ask");
        p.question = Some(q);
        return p;
    }
    advice::request_advice(c, &w.caseworker, id, &[w.fcdo], "Please advise.")
        .await
        .expect("request advice");
    if done(At::Referred) {
        return p;
    }
    let refuse = at == At::Refused;
    let advice_input = AdviceInput {
        destination: destination.into(),
        kind: if refuse { "refuse" } else { "approve" }.into(),
        proviso: String::new(),
        criteria: if refuse { vec!["2c".into()] } else { vec![] },
        reasons: "Assessed against every criterion.".into(),
    };
    advice::give_advice(c, &w.fcdo_adviser, id, &advice_input)
        .await
        .expect("advice");
    if done(At::Advised) {
        return p;
    }
    advice::consolidate_final(c, &w.caseworker, id, "Consolidated from the FCDO advice.")
        .await
        .expect("final advice");
    if done(At::FinalAdvice) {
        return p;
    }
    // As a caseworker would: every screening match (a list loaded by another fixture, or
    // the denial of an earlier refused fixture, names the same parties) is resolved before
    // the case goes for decision.
    resolve_matches(w, id).await;
    decisions::submit_for_decision(c, &w.caseworker, id)
        .await
        .expect("submit for decision");
    if done(At::UnderFinalReview) {
        return p;
    }
    if matches!(
        at,
        At::Dissented | At::DissentAnswered | At::DissentEscalated
    ) {
        p.dissent = Some(dissent(w, id, at).await);
        return p;
    }
    let decision = DecisionInput {
        decision: if refuse {
            probity_domain::DecisionKind::Refuse
        } else {
            probity_domain::DecisionKind::Grant
        },
        provisos: vec![],
        criteria: if refuse { vec!["2c".into()] } else { vec![] },
        reasons: "Decided on the consolidated advice and the case record.".into(),
        conflict_resolution: String::new(),
        countersign: at == At::AwaitingCountersign,
        ..Default::default()
    };
    let decider = if at == At::AwaitingCountersign {
        &w.second_decision_maker
    } else {
        &w.decision_maker
    };
    decisions::finalise(c, decider, id, &decision)
        .await
        .expect("finalise");
    if done(At::AwaitingCountersign) {
        return p;
    }
    let licence = licences::for_case(c, &w.caseworker, id)
        .await
        .expect("licences")
        .first()
        .map(|l| l.id);
    p.licence = licence;
    p.document = documents::for_case(c, &w.caseworker, id)
        .await
        .expect("documents")
        .first()
        .map(|d| d.id);
    if at == At::Suspended {
        licences::act(
            c,
            &w.decision_maker,
            licence.expect("a granted case has a licence"),
            probity_domain::LicenceAction::Suspend,
            "Suspended pending a review of the destination.",
        )
        .await
        .expect("suspend");
    }
    if matches!(at, At::Reviewed | At::ReviewDecided) {
        review(w, destination, at, &mut p).await;
    }
    p.record = newest_record(w).await;
    p
}

/// Resolve the case's screening matches as false positives (fixtures share party names).
async fn resolve_matches(w: &World, case: CaseId) {
    use probity_service::screening;
    let c = &w.ctx;
    let matches = screening::matches_of_case(c, &w.caseworker, &case.to_string())
        .await
        .expect("matches");
    for m in matches.iter().filter(|m| m.status == "unresolved") {
        screening::resolve(
            c,
            &w.caseworker,
            &case.to_string(),
            &m.id,
            "false_positive",
            "Another fixture's party of the same name: not this applicant's end user.",
        )
        .await
        .expect("resolve a match");
    }
}

/// Load a list naming the case's end user and re-screen: the case gets a match.
async fn screened(w: &World, case: CaseId) -> (String, String) {
    use probity_service::screening;
    let csv = b"id,name,country\nT-1,Ministry of Defence,\n".to_vec();
    let kind = probity_screening::ListKind::Other("test-list".into());
    let c = &w.ctx;
    let report = screening::load_list(
        c,
        None,
        kind,
        "test.csv",
        csv,
        probity_screening::BadLines::Refuse,
    )
    .await
    .expect("load a list");
    screening::rescreen_all(
        c,
        probity_domain::screening::RescreenReason::ListUpdate,
        Some(&report.version_id),
        &mut |_, _| {},
    )
    .await
    .expect("re-screen");
    let matches = screening::matches_of_case(c, &w.caseworker, &case.to_string())
        .await
        .expect("matches");
    let first = matches.first().expect("the end user matches the list");
    (first.id.clone(), report.version_id)
}

/// A dissent on the case's final advice, taken to stage `at`.
async fn dissent(w: &World, case: CaseId, at: At) -> probity_domain::DissentId {
    use probity_service::{dissent_steps, dissents};
    let c = &w.ctx;
    let input = dissents::DissentInput {
        subject: "final_advice".into(),
        case: Some(case),
        points: "The end user diverted similar items before.\nThe strike reports are ignored."
            .into(),
        criteria: vec!["2c".into()],
        evidence: "UN panel report S/2024/1, paragraphs 40 to 52.".into(),
        files: vec![probity_domain::Upload {
            name: "panel-extract.txt".into(),
            bytes: b"Paragraph 41: items of this type were diverted in 2023.".to_vec(),
        }],
        ..Default::default()
    };
    let id = dissents::file(c, &w.fcdo_adviser, &input)
        .await
        .expect("file a dissent");
    if at == At::Dissented {
        return id;
    }
    let answer = dissent_steps::AnswerInput {
        points: (1..=2)
            .map(|n| probity_domain::PointAnswerInput {
                number: n,
                verdict: "not_accepted".into(),
                reasons: "Weighed under criterion 2c against the evidence on file.".into(),
            })
            .collect(),
        action: "no_change".into(),
    };
    dissent_steps::answer(c, &w.decision_maker, id, &answer)
        .await
        .expect("answer the dissent");
    if at == At::DissentEscalated {
        dissent_steps::escalate(
            c,
            &w.fcdo_adviser,
            id,
            "The answer does not engage with the panel's findings.",
        )
        .await
        .expect("escalate the dissent");
    }
    id
}

/// A clear risk for `destination`, an embargo, and a review of the prepared licence.
async fn review(w: &World, destination: &str, at: At, p: &mut Prepared) {
    let c = &w.ctx;
    let mut input = assessment(destination);
    input.finding = "no_concern".into();
    assessments::record(c, &w.policy, &input)
        .await
        .expect("no concern");
    let risk = assessments::record(c, &w.policy, &assessment(destination))
        .await
        .expect("clear risk");
    p.assessment = Some(risk.id);
    // On a destination no fixture applies to: an embargo applies to every later grant.
    let embargo = probity_domain::EmbargoInput {
        destination: "IS".into(),
        regime: "uk".into(),
        reference: "Test embargo reference".into(),
        starts_on: "2024-01-01".into(),
        ends_on: String::new(),
        goods: "military".into(),
        end_users: String::new(),
        summary: "An embargo recorded for the role matrix's fixtures.".into(),
    };
    p.embargo = Some(
        assessments::record_embargo(c, &w.policy, &embargo)
            .await
            .expect("embargo"),
    );
    let (id, _) = reviews::open(c, &w.policy, ReviewBasis::Assessment(risk.id))
        .await
        .expect("open review");
    p.review = Some(id);
    if let (At::ReviewDecided, Some(l)) = (at, p.licence) {
        review_outcomes::decide(
            c,
            &w.decision_maker,
            id,
            &Selection::Licences(vec![l]),
            probity_domain::ReviewOutcome::Suspend,
            "Suspended under the review of the destination.",
        )
        .await
        .expect("suspend under the review");
    }
}

/// A clear risk for `destination` over the fixture's goods (ML15).
pub fn assessment(destination: &str) -> AssessmentInput {
    AssessmentInput {
        destination: destination.into(),
        criterion: "2c".into(),
        finding: "clear_risk".into(),
        scope: probity_domain::ClausesInput {
            ratings: "ML15".into(),
            ..Default::default()
        },
        exclusions: vec![],
        evidence: "Evidence assessed by officials for the role matrix.".into(),
        reasons: "A clear risk that the items might be used in serious violations.".into(),
        legal_basis: "Criterion 2(c)".into(),
        public_summary: "A clear risk under criterion 2(c) for the fixture's goods.".into(),
    }
}

/// The sequence number of the newest public decision record.
pub async fn newest_record(w: &World) -> Option<i64> {
    records::list_public(&w.ctx, None, 1, 1)
        .await
        .expect("records")
        .records
        .first()
        .map(|r| r.seq)
}
