//! The whole life of an application on both databases: submission, casework, advice and its
//! consolidation, decision, the licence and its lifecycle, refusal, and the public decision
//! records every outcome produces.
mod common;

use common::*;
use probity_service::advice::{self, AdviceInput};
use probity_service::cases::{self, Queue};
use probity_service::decisions::{self, Finalised};
use probity_service::domain::{
    validate, CaseReference, CaseStatus, Consolidated, ControlList, CriteriaSet, CriterionCode,
    Decision, LicenceAction, LicenceNumber, LicenceStatus, PublicDecisionRecord, RecordKind,
};
use probity_service::testing::{Backend, RowCounts, TestDb, World};
use probity_service::{
    appeals, applications, case_view, documents, licences, records, ServiceError,
};
use time::macros::datetime;
use time::Duration;

const RE_EXPORT: &str = "Not to be re-exported without the prior written consent of HMG.";

/// The record the domain defines for a decision on `input`.
fn expected_decision_record(
    input: &probity_service::domain::ApplicationInput,
    reference: &str,
    decision: &Decision,
    licence: Option<&str>,
    at: time::OffsetDateTime,
) -> PublicDecisionRecord {
    let app = validate(input, ControlList::uk()).expect("valid application");
    PublicDecisionRecord::for_decision(
        &app,
        reference.parse::<CaseReference>().unwrap(),
        decision,
        licence.map(|l| l.parse::<LicenceNumber>().unwrap()),
        at,
        ControlList::uk(),
    )
}

async fn grant_suspend_reinstate_revoke(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let input = distinctive_application("NO");

    // Submit: a reference, a case, the goods and parties as given.
    let (id, reference) = applications::submit_new(c, &w.exporter, &input)
        .await
        .unwrap();
    assert_eq!(reference.to_string(), "GBSIEL/2026/0000001");
    let case = cases::get_case(c, &w.exporter, id).await.unwrap();
    assert_eq!(case.status, CaseStatus::Submitted);
    assert_eq!(case.reference.as_deref(), Some("GBSIEL/2026/0000001"));
    assert_eq!(case.destinations, vec!["NO".to_string()]);
    assert_eq!(case.total_value_minor, 100_050 + 25_000 + 4_950);
    assert_eq!(case.submitted_at, Some(w.now()));
    let (goods, parties) = cases::goods_and_parties(c, &w.caseworker, id)
        .await
        .unwrap();
    assert_eq!(goods.len(), 3);
    assert_eq!(goods[0].ratings, vec!["ML15.b", "ML11.a"]);
    assert_eq!(goods[0].value_minor, 100_050);
    assert_eq!(goods[0].quantity, 12);
    assert!(goods[1].incorporated);
    assert_eq!(parties.len(), 2);
    assert_eq!(parties[0].role, "end_user");
    assert_eq!(parties[0].end_user_type.as_deref(), Some("armed_forces"));
    let new = cases::list_cases(c, &w.caseworker, Queue::New, 1, 50)
        .await
        .unwrap();
    assert_eq!(new.items.iter().map(|s| s.id).collect::<Vec<_>>(), vec![id]);

    // Take it.
    cases::assign_to_self(c, &w.caseworker, id).await.unwrap();
    let case = cases::get_case(c, &w.caseworker, id).await.unwrap();
    assert_eq!(case.status, CaseStatus::UnderReview);
    assert_eq!(
        case.assigned_to.as_deref(),
        Some(w.caseworker.user_id.to_string().as_str())
    );
    let mine = cases::list_cases(c, &w.caseworker, Queue::Mine, 1, 50)
        .await
        .unwrap();
    assert_eq!(mine.total, 1);

    // A question makes the case wait; nothing moves it on until the answer.
    let q = cases::ask_question(
        c,
        &w.caseworker,
        id,
        "Please send the signed end-user undertaking.",
    )
    .await
    .unwrap();
    let case = cases::get_case(c, &w.exporter, id).await.unwrap();
    assert_eq!(case.status, CaseStatus::AwaitingExporter);
    let waiting = cases::list_cases(c, &w.caseworker, Queue::AwaitingExporter, 1, 50)
        .await
        .unwrap();
    assert_eq!(waiting.total, 1);
    conflict(advice::request_advice(c, &w.caseworker, id, &[w.fcdo], "Please advise.").await);
    conflict(decisions::submit_for_decision(c, &w.caseworker, id).await);
    w.clock.advance(Duration::hours(2));
    cases::answer_question(c, &w.exporter, id, q, "The signed undertaking is attached.")
        .await
        .unwrap();
    let case = cases::get_case(c, &w.caseworker, id).await.unwrap();
    assert_eq!(case.status, CaseStatus::UnderReview);
    let qs = cases::questions(c, &w.exporter, id).await.unwrap();
    assert_eq!(qs.len(), 1);
    assert_eq!(
        qs[0].answer.as_deref(),
        Some("The signed undertaking is attached.")
    );
    assert_eq!(qs[0].answered_at, Some(w.now()));

    // Advice from both teams; approve + proviso consolidates to proviso.
    advice::request_advice(
        c,
        &w.caseworker,
        id,
        &[w.fcdo, w.mod_team],
        "Please advise.",
    )
    .await
    .unwrap();
    let missing = advice::summary(c, &w.caseworker, id).await.unwrap().missing;
    assert_eq!(missing.len(), 2, "{missing:?}");
    conflict(advice::consolidate_final(c, &w.caseworker, id, "Too early to consolidate.").await);
    advice::give_advice(c, &w.fcdo_adviser, id, &approve("NO"))
        .await
        .unwrap();
    advice::give_advice(c, &w.mod_adviser, id, &proviso("NO", RE_EXPORT))
        .await
        .unwrap();
    let summary = advice::summary(c, &w.caseworker, id).await.unwrap();
    assert!(summary.missing.is_empty(), "{:?}", summary.missing);
    let by_team: Vec<(String, Consolidated)> = summary
        .team_level
        .iter()
        .map(|t| (t.team.clone(), t.consolidated.clone()))
        .collect();
    assert_eq!(
        by_team,
        vec![
            ("FCDO".to_string(), Consolidated::Approve),
            (
                "MOD".to_string(),
                Consolidated::Proviso(vec![RE_EXPORT.to_string()])
            ),
        ]
    );
    let final_advice = advice::consolidate_final(c, &w.caseworker, id, "Both teams agree.")
        .await
        .unwrap();
    assert_eq!(
        final_advice,
        Consolidated::Proviso(vec![RE_EXPORT.to_string()])
    );
    decisions::submit_for_decision(c, &w.caseworker, id)
        .await
        .unwrap();
    assert_eq!(
        cases::get_case(c, &w.decision_maker, id)
            .await
            .unwrap()
            .status,
        CaseStatus::UnderFinalReview
    );

    // Grant: a licence with a number, 24 months' validity, the provisos and a document.
    let granted_at = w.now();
    let outcome = decide(&w, id, &grant(&[RE_EXPORT])).await;
    let Finalised::Granted(number) = outcome else {
        panic!("expected a grant, got {outcome:?}")
    };
    assert_eq!(number.as_str(), "GBSIEL/2026/0000001/L1");
    let licences = licences::for_case(c, &w.exporter, id).await.unwrap();
    assert_eq!(licences.len(), 1);
    let licence = &licences[0];
    assert_eq!(licence.number, number.as_str());
    assert_eq!(licence.status, LicenceStatus::Issued);
    assert_eq!(licence.provisos, vec![RE_EXPORT.to_string()]);
    assert_eq!(licence.issued_at, granted_at);
    assert_eq!(licence.valid_until, datetime!(2028-03-02 11:00 UTC));
    let view = case_view::case_view(c, &w.exporter, id).await.unwrap();
    assert_eq!(view.status, CaseStatus::Finalised);
    assert_eq!(view.outcome.as_deref(), Some("granted"));
    assert_eq!(view.finalised_at, Some(granted_at));
    assert!(!view.can_appeal);
    let docs = documents::for_case(c, &w.exporter, id).await.unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].kind, "licence");
    let body = &docs[0].body;
    for needle in [
        "GBSIEL/2026/0000001/L1",
        "Valid to: 2028-03-02",
        RE_EXPORT,
        "Quokka-7 gyrostabilised sighting units",
    ] {
        assert!(body.contains(needle), "licence lacks {needle:?}:\n{body}");
    }
    assert_eq!(
        documents::get(c, &w.exporter, docs[0].id)
            .await
            .unwrap()
            .body,
        *body
    );

    // Suspend → reinstate → revoke, each by an official with a reason.
    let steps = [
        (
            &w.decision_maker,
            LicenceAction::Suspend,
            LicenceStatus::Suspended,
            "Suspended pending review of the end user.",
        ),
        (
            &w.policy,
            LicenceAction::Reinstate,
            LicenceStatus::Reinstated,
            "Review complete: no concerns remain.",
        ),
        (
            &w.decision_maker,
            LicenceAction::Revoke,
            LicenceStatus::Revoked,
            "Revoked after a change in circumstances.",
        ),
    ];
    let mut step_times = Vec::new();
    for (actor, action, status, reason) in steps {
        w.clock.advance(Duration::days(1));
        step_times.push(w.now());
        let got = licences::act(c, actor, licence.id, action, reason)
            .await
            .unwrap();
        assert_eq!(got, status);
    }
    let (licence, events) = licences::get(c, &w.exporter, licence.id).await.unwrap();
    assert_eq!(licence.status, LicenceStatus::Revoked);
    let trail: Vec<(&str, &str, &str, Option<&str>, &str)> = events
        .iter()
        .map(|e| {
            (
                e.action.as_str(),
                e.from_status.as_str(),
                e.to_status.as_str(),
                e.actor.as_deref(),
                e.reason.as_str(),
            )
        })
        .collect();
    assert_eq!(
        trail,
        vec![
            ("suspend", "issued", "suspended", Some("dm"), steps[0].3),
            (
                "reinstate",
                "suspended",
                "reinstated",
                Some("policy"),
                steps[1].3
            ),
            ("revoke", "reinstated", "revoked", Some("dm"), steps[2].3),
        ]
    );
    assert_eq!(events.iter().map(|e| e.at).collect::<Vec<_>>(), step_times);

    // The public records: newest first, the domain's record of each event, nothing private.
    let page = records::list_public(c, None, 1, 50).await.unwrap();
    assert_eq!(page.total, 4);
    let kinds: Vec<RecordKind> = page.records.iter().map(|r| r.record.kind).collect();
    assert_eq!(
        kinds,
        vec![
            RecordKind::Revocation,
            RecordKind::Reinstatement,
            RecordKind::Suspension,
            RecordKind::Grant
        ]
    );
    let seqs: Vec<i64> = page.records.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, vec![4, 3, 2, 1]);
    let grant_record = expected_decision_record(
        &input,
        "GBSIEL/2026/0000001",
        &Decision::Grant {
            provisos: vec![RE_EXPORT.into()],
        },
        Some("GBSIEL/2026/0000001/L1"),
        granted_at,
    );
    assert_eq!(page.records[3].record, grant_record);
    for (i, (_, action, _, reason)) in steps.iter().enumerate() {
        let expected = PublicDecisionRecord::for_licence_event(
            &grant_record,
            *action,
            step_times[i],
            Some(reason.to_string()),
        );
        assert_eq!(page.records[2 - i].record, expected, "{action:?}");
    }
    for json in outbox_json(&db.store).await {
        assert_public(&json);
    }
    assert!(probity_service::store::audit::verify(&db.store)
        .await
        .unwrap()
        .is_ok());
}

async fn conflicting_advice_refusal(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let input = distinctive_application("NO");
    let id = to_final_review(&w, &input, &[refuse("NO", &["7", "2c"])], &[approve("NO")]).await;
    let case = cases::get_case(c, &w.decision_maker, id).await.unwrap();
    assert_eq!(case.final_advice, Some(Consolidated::Conflicting));

    // Without a written resolution the decision is blocked; the attempt is audited, nothing else.
    let before = RowCounts::of(&db.store).await;
    let err = decisions::finalise(c, &w.decision_maker, id, &refusal(&["7", "2c"], ""))
        .await
        .unwrap_err();
    let ServiceError::Blocked(blockers) = err else {
        panic!("expected blockers, got {err:?}")
    };
    assert!(
        blockers.iter().any(|b| b.contains("conflicts")),
        "{blockers:?}"
    );
    let after = RowCounts::of(&db.store).await;
    assert_eq!(
        after,
        RowCounts {
            audit_events: before.audit_events + 1,
            ..before
        }
    );
    let (_, action, role, actor, subject, _) = last_event(&db.store).await;
    assert_eq!(action, "case.finalise_refused");
    assert_eq!(role, "decision_maker");
    assert_eq!(actor, Some(w.decision_maker.user_id.to_string()));
    assert_eq!(subject, id.to_string());
    assert_eq!(
        cases::get_case(c, &w.decision_maker, id)
            .await
            .unwrap()
            .status,
        CaseStatus::UnderFinalReview
    );

    // With a resolution it is refused: a notice citing the criteria, a public record.
    let decided_at = w.now();
    let resolution = "The clear risk under criterion 2c outweighs the defence view.";
    let outcome = decide(&w, id, &refusal(&["7", "2c"], resolution)).await;
    assert_eq!(outcome, Finalised::Refused);
    assert!(licences::for_case(c, &w.exporter, id)
        .await
        .unwrap()
        .is_empty());
    let view = case_view::case_view(c, &w.exporter, id).await.unwrap();
    assert_eq!(view.outcome.as_deref(), Some("refused"));
    assert!(view.can_appeal);
    let docs = documents::for_case(c, &w.exporter, id).await.unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].kind, "refusal");
    let criteria = CriteriaSet::uk_selc();
    for code in ["2c", "7"] {
        let title = &criteria
            .get(&CriterionCode::new(code).unwrap())
            .unwrap()
            .title;
        let line = format!("Criterion {code}: {title}");
        assert!(
            docs[0].body.contains(&line),
            "notice lacks {line:?}:\n{}",
            docs[0].body
        );
    }
    assert!(docs[0]
        .body
        .contains("Refused: the risk identified by the advisers is clear."));
    assert!(docs[0].body.contains("2026-03-30"), "{}", docs[0].body);
    let page = records::list_public(c, None, 1, 10).await.unwrap();
    assert_eq!(page.total, 1);
    let record = &page.records[0].record;
    assert_eq!(
        *record,
        expected_decision_record(
            &input,
            "GBSIEL/2026/0000001",
            &Decision::Refuse {
                criteria: vec![
                    CriterionCode::new("7").unwrap(),
                    CriterionCode::new("2c").unwrap()
                ]
            },
            None,
            decided_at,
        )
    );
    assert_eq!(
        record
            .criteria
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
        vec!["2c", "7"]
    );
    // The finalise audit event keeps the resolution.
    let (_, action, ..) = last_event(&db.store).await;
    assert_eq!(action, "case.finalise");
    let history = cases::history(c, &w.oversight, id).await.unwrap();
    let finalise = history
        .iter()
        .find(|e| e.action == "case.finalise")
        .unwrap();
    assert_eq!(finalise.detail["conflict_resolution"], resolution);
}

async fn proviso_and_refusal_consolidation(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    // Within one team: approve + proviso = proviso, and the proviso reaches the final advice.
    let (id, _) = applications::submit_new(c, &w.exporter, &distinctive_application("NO"))
        .await
        .unwrap();
    cases::assign_to_self(c, &w.caseworker, id).await.unwrap();
    advice::request_advice(c, &w.caseworker, id, &[w.fcdo], "Please advise.")
        .await
        .unwrap();
    advice::give_advice(c, &w.fcdo_adviser, id, &approve("NO"))
        .await
        .unwrap();
    // An adviser's second advice replaces their first.
    advice::give_advice(c, &w.fcdo_adviser, id, &proviso("NO", RE_EXPORT))
        .await
        .unwrap();
    let final_advice = advice::consolidate_final(c, &w.caseworker, id, "One team, one view.")
        .await
        .unwrap();
    assert_eq!(
        final_advice,
        Consolidated::Proviso(vec![RE_EXPORT.to_string()])
    );
    // Advice on a country that is not a destination is refused, naming the field.
    let errors = invalid(advice::give_advice(c, &w.fcdo_adviser, id, &approve("FR")).await);
    assert_eq!(errors[0].0, "destination");
    // A refusal must cite a criterion that exists.
    let errors = invalid(advice::give_advice(c, &w.fcdo_adviser, id, &refuse("NO", &[])).await);
    assert_eq!(errors[0].0, "criteria");
    let errors = invalid(advice::give_advice(c, &w.fcdo_adviser, id, &refuse("NO", &["2z"])).await);
    assert_eq!(errors[0].0, "criteria[0]");
    let bad_kind = AdviceInput {
        kind: "maybe".into(),
        ..approve("NO")
    };
    assert_eq!(
        invalid(advice::give_advice(c, &w.fcdo_adviser, id, &bad_kind).await)[0].0,
        "kind"
    );
}

async fn no_licence_required(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let input = distinctive_application("NO");
    let id = to_final_review(&w, &input, &[nlr("NO")], &[nlr("NO")]).await;
    assert_eq!(
        cases::get_case(c, &w.decision_maker, id)
            .await
            .unwrap()
            .final_advice,
        Some(Consolidated::NoLicenceRequired)
    );
    let at = w.now();
    assert_eq!(
        decide(&w, id, &no_licence()).await,
        Finalised::NoLicenceRequired
    );
    assert!(licences::for_case(c, &w.exporter, id)
        .await
        .unwrap()
        .is_empty());
    let docs = documents::for_case(c, &w.exporter, id).await.unwrap();
    assert_eq!(
        docs.iter().map(|d| d.kind.as_str()).collect::<Vec<_>>(),
        vec!["nlr"]
    );
    let page = records::list_public(c, None, 1, 10).await.unwrap();
    assert_eq!(
        page.records[0].record,
        expected_decision_record(
            &input,
            "GBSIEL/2026/0000001",
            &Decision::NoLicenceRequired,
            None,
            at
        )
    );
    // An exporter cannot appeal a "no licence required" outcome.
    conflict(
        appeals::appeal(
            c,
            &w.exporter,
            id,
            "We would like to appeal this outcome please.",
        )
        .await,
    );
}

/// Every kind of public record, from one world, listed newest first.
async fn every_kind_of_public_record(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let mut expected: Vec<RecordKind> = Vec::new();
    let tick = || w.clock.advance(Duration::hours(1));
    let wr = &w;
    let licence_of =
        |id| async move { licences::for_case(c, &wr.exporter, id).await.unwrap()[0].clone() };

    // Grant (to Norway), later suspended and reinstated; it lives on to expire.
    let a = to_final_review(
        &w,
        &distinctive_application("NO"),
        &[approve("NO")],
        &[approve("NO")],
    )
    .await;
    decide(&w, a, &grant(&[])).await;
    expected.push(RecordKind::Grant);
    let la = licence_of(a).await;
    tick();
    licences::act(
        c,
        &w.decision_maker,
        la.id,
        LicenceAction::Suspend,
        "Suspended during a review.",
    )
    .await
    .unwrap();
    expected.push(RecordKind::Suspension);
    tick();
    licences::act(
        c,
        &w.decision_maker,
        la.id,
        LicenceAction::Reinstate,
        "The review found no concerns.",
    )
    .await
    .unwrap();
    expected.push(RecordKind::Reinstatement);

    // Refusal (to Sweden), then an appeal that is allowed.
    tick();
    let b = to_final_review(
        &w,
        &distinctive_application("SE"),
        &[refuse("SE", &["2c"])],
        &[refuse("SE", &["2c"])],
    )
    .await;
    decide(&w, b, &refusal(&["2c"], "")).await;
    expected.push(RecordKind::Refusal);

    // No licence required (to Finland).
    tick();
    let n = to_final_review(
        &w,
        &distinctive_application("FI"),
        &[nlr("FI")],
        &[nlr("FI")],
    )
    .await;
    decide(&w, n, &no_licence()).await;
    expected.push(RecordKind::NoLicenceRequired);

    // Grant then revocation; grant then surrender; grant then exhaustion (exporter's own).
    let mut others = Vec::new();
    for (action, kind, actor) in [
        (
            LicenceAction::Revoke,
            RecordKind::Revocation,
            &w.decision_maker,
        ),
        (LicenceAction::Surrender, RecordKind::Surrender, &w.exporter),
        (LicenceAction::Exhaust, RecordKind::Exhaustion, &w.exporter),
    ] {
        tick();
        let id = to_final_review(
            &w,
            &distinctive_application("NO"),
            &[approve("NO")],
            &[approve("NO")],
        )
        .await;
        decide(&w, id, &grant(&[])).await;
        expected.push(RecordKind::Grant);
        let l = licence_of(id).await;
        tick();
        licences::act(c, actor, l.id, action, "Recorded with a reason given.")
            .await
            .unwrap();
        expected.push(kind);
        others.push(l);
    }

    // The Swedish refusal is appealed and the appeal allowed: a licence on the appeal.
    tick();
    let (appeal_b, appeal_ref) = appeals::appeal(
        c,
        &w.exporter,
        b,
        "The end user has since changed its procurement controls.",
    )
    .await
    .unwrap();
    assert_eq!(appeal_ref.to_string(), "GBAPL/2026/0000001");
    assess(&w, appeal_b, &approve("SE")).await;
    let allowed = decide(&w, appeal_b, &grant(&[])).await;
    assert!(matches!(allowed, Finalised::Granted(_)), "{allowed:?}");
    expected.push(RecordKind::AppealAllowed);

    // Another refusal (to Denmark), appealed and dismissed.
    tick();
    let d = to_final_review(
        &w,
        &distinctive_application("DK"),
        &[refuse("DK", &["7"])],
        &[refuse("DK", &["7"])],
    )
    .await;
    decide(&w, d, &refusal(&["7"], "")).await;
    expected.push(RecordKind::Refusal);
    tick();
    let (appeal_d, _) = appeals::appeal(
        c,
        &w.exporter,
        d,
        "The diversion risk was overstated in the assessment.",
    )
    .await
    .unwrap();
    assess(&w, appeal_d, &refuse("DK", &["7"])).await;
    assert_eq!(
        decide(&w, appeal_d, &refusal(&["7"], "")).await,
        Finalised::Refused
    );
    expected.push(RecordKind::AppealDismissed);

    // Two years on, the live licences expire: the reinstated one and the appeal's.
    w.clock.advance(Duration::days(2 * 366));
    assert_eq!(licences::expire_due(c).await.unwrap(), 2);
    expected.push(RecordKind::Expiry);
    expected.push(RecordKind::Expiry);
    assert_eq!(licence_of(a).await.status, LicenceStatus::Expired);
    assert_eq!(licence_of(appeal_b).await.status, LicenceStatus::Expired);
    for l in &others {
        let (now, _) = licences::get(c, &w.exporter, l.id).await.unwrap();
        assert!(now.status.is_terminal() && now.status != LicenceStatus::Expired);
    }

    let page = records::list_public(c, None, 1, 100).await.unwrap();
    assert_eq!(page.total as usize, expected.len());
    let kinds: Vec<RecordKind> = page.records.iter().map(|r| r.record.kind).collect();
    let mut newest_first = expected.clone();
    newest_first.reverse();
    assert_eq!(kinds, newest_first);
    for kind in RecordKind::ALL {
        assert!(kinds.contains(&kind), "no {kind:?} record");
    }
    for pair in page.records.windows(2) {
        assert!(pair[0].seq > pair[1].seq);
        assert!(pair[0].record.decided_at >= pair[1].record.decided_at);
    }
    for r in &page.records {
        let rec = &r.record;
        assert_eq!(rec.destinations.len(), 1, "{rec:?}");
        assert!(!rec.goods_summary.is_empty());
        let total: i64 = rec.ratings.iter().map(|v| v.value_minor).sum();
        assert_eq!(
            total, 130_000,
            "value per rating sums to the goods value: {rec:?}"
        );
        let cites = matches!(rec.kind, RecordKind::Refusal | RecordKind::AppealDismissed);
        assert_eq!(!rec.criteria.is_empty(), cites, "{rec:?}");
        let licensed = !matches!(
            rec.kind,
            RecordKind::Refusal | RecordKind::AppealDismissed | RecordKind::NoLicenceRequired
        );
        assert_eq!(rec.licence_number.is_some(), licensed, "{rec:?}");
        match rec.kind {
            RecordKind::Grant | RecordKind::Refusal | RecordKind::NoLicenceRequired => {
                assert_eq!(rec.refers_to, None)
            }
            RecordKind::AppealAllowed | RecordKind::AppealDismissed => {
                // An appeal outcome names the refusal it concerns by its public reference.
                let refused = if rec.kind == RecordKind::AppealAllowed {
                    b
                } else {
                    d
                };
                let original = cases::get_case(c, &w.oversight, refused).await.unwrap();
                assert_eq!(rec.refers_to, original.reference, "{rec:?}");
            }
            _ => assert_eq!(
                rec.refers_to.as_deref(),
                rec.licence_number.as_ref().map(|n| n.as_str()),
                "a licence event names its licence"
            ),
        }
        // Official actions publish their reason; the exporter's own do not.
        let reasoned = matches!(
            rec.kind,
            RecordKind::Suspension
                | RecordKind::Reinstatement
                | RecordKind::Revocation
                | RecordKind::Expiry
        );
        assert_eq!(rec.reason.is_some(), reasoned, "{rec:?}");
    }
    let dests: Vec<&str> = page
        .records
        .iter()
        .map(|r| r.record.destinations[0].as_str())
        .collect();
    assert!(dests.contains(&"SE") && dests.contains(&"FI") && dests.contains(&"DK"));

    // Filter by destination, and page through.
    let sweden = records::list_public(c, Some("se"), 1, 100).await.unwrap();
    assert_eq!(
        sweden
            .records
            .iter()
            .map(|r| r.record.kind)
            .collect::<Vec<_>>(),
        vec![
            RecordKind::Expiry,
            RecordKind::AppealAllowed,
            RecordKind::Refusal
        ]
    );
    let bad = records::list_public(c, Some("Sweden"), 1, 100).await;
    assert_eq!(invalid(bad)[0].0, "destination");
    let p2 = records::list_public(c, None, 2, 5).await.unwrap();
    assert_eq!(p2.total as usize, expected.len());
    assert_eq!(
        p2.records.iter().map(|r| r.seq).collect::<Vec<_>>(),
        page.records[5..10]
            .iter()
            .map(|r| r.seq)
            .collect::<Vec<_>>()
    );
    let one = records::get_public(c, page.records[0].seq).await.unwrap();
    assert_eq!(one.record, page.records[0].record);
    assert!(matches!(
        records::get_public(c, 9999).await,
        Err(ServiceError::NotFound(_))
    ));

    // Nothing confidential, in the stored JSON or in what the listing serialises.
    for json in outbox_json(&db.store).await {
        assert_public(&json);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        keys.sort();
        assert_eq!(
            keys,
            vec![
                "case_reference",
                "criteria",
                "decided_at",
                "destinations",
                "end_user_type",
                "goods_summary",
                "kind",
                "licence_number",
                "licence_type",
                "ratings",
                "reason",
                "refers_to",
            ]
        );
    }
    assert_public(&serde_json::to_string(&page).unwrap());
}

/// An open licence to two destinations: advice is given per destination, consolidation
/// needs every team's advice on every destination, and differing destinations conflict.
async fn advice_per_destination(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let mut input = distinctive_application("NO");
    input.licence_type = "oiel".into();
    input.parties[1].country = "SE".into();
    let mut ultimate = input.parties[0].clone();
    ultimate.role = probity_service::domain::PartyRole::UltimateEndUser;
    ultimate.country = "SE".into();
    ultimate.end_user_type = None;
    input.parties.push(ultimate);
    let (id, reference) = applications::submit_new(c, &w.exporter, &input)
        .await
        .unwrap();
    assert_eq!(reference.to_string(), "GBOIEL/2026/0000001");
    cases::assign_to_self(c, &w.caseworker, id).await.unwrap();
    advice::request_advice(c, &w.caseworker, id, &[w.fcdo, w.mod_team], "Both, please.")
        .await
        .unwrap();
    for dest in ["NO", "SE"] {
        advice::give_advice(c, &w.fcdo_adviser, id, &approve(dest))
            .await
            .unwrap();
    }
    advice::give_advice(c, &w.mod_adviser, id, &approve("NO"))
        .await
        .unwrap();
    let m = conflict(advice::consolidate_final(c, &w.caseworker, id, "All advice is in.").await);
    assert_eq!(m, "advice is incomplete: MOD has not advised on SE");
    advice::give_advice(c, &w.mod_adviser, id, &refuse("SE", &["7"]))
        .await
        .unwrap();
    let summary = advice::summary(c, &w.caseworker, id).await.unwrap();
    let per: Vec<(&str, &str, &Consolidated)> = summary
        .team_level
        .iter()
        .map(|t| (t.team.as_str(), t.destination.as_str(), &t.consolidated))
        .collect();
    let refuse_7 = Consolidated::Refuse(vec![CriterionCode::new("7").unwrap()]);
    assert_eq!(
        per,
        vec![
            ("FCDO", "NO", &Consolidated::Approve),
            ("FCDO", "SE", &Consolidated::Approve),
            ("MOD", "NO", &Consolidated::Approve),
            ("MOD", "SE", &refuse_7),
        ]
    );
    assert_eq!(
        advice::consolidate_final(c, &w.caseworker, id, "MOD refuses Sweden.")
            .await
            .unwrap(),
        Consolidated::Conflicting
    );
    decisions::submit_for_decision(c, &w.caseworker, id)
        .await
        .unwrap();
    let at = w.now();
    decide(
        &w,
        id,
        &refusal(
            &["7"],
            "Sweden carries a diversion risk the licence cannot exclude.",
        ),
    )
    .await;
    let record = &records::list_public(c, None, 1, 10).await.unwrap().records[0].record;
    assert_eq!(record.kind, RecordKind::Refusal);
    assert_eq!(record.decided_at, at);
    assert_eq!(
        record
            .destinations
            .iter()
            .map(|d| d.as_str())
            .collect::<Vec<_>>(),
        vec!["NO", "SE"]
    );
    // Both destinations find it when filtering (the first is the outbox's primary one).
    let norway = records::list_public(c, Some("NO"), 1, 10).await.unwrap();
    assert_eq!(norway.total, 1);
}

/// Advice changed after consolidation makes the final advice stale: it must be consolidated
/// again before the case can go for decision, so nobody decides on advice that no longer holds.
async fn changed_advice_needs_reconsolidation(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let id = w
        .case_at(probity_service::testing::Stage::FinalAdvice)
        .await;
    assert_eq!(
        cases::get_case(c, &w.caseworker, id)
            .await
            .unwrap()
            .final_advice,
        Some(Consolidated::Approve)
    );
    advice::give_advice(c, &w.fcdo_adviser, id, &refuse("NO", &["2c"]))
        .await
        .unwrap();
    assert_eq!(
        cases::get_case(c, &w.caseworker, id)
            .await
            .unwrap()
            .final_advice,
        None
    );
    let m = conflict(decisions::submit_for_decision(c, &w.caseworker, id).await);
    assert_eq!(m, "consolidate the final advice first");
    assert_eq!(
        advice::consolidate_final(c, &w.caseworker, id, "FCDO now refuses.")
            .await
            .unwrap(),
        Consolidated::Conflicting
    );
    decisions::submit_for_decision(c, &w.caseworker, id)
        .await
        .unwrap();
    let err = decisions::finalise(c, &w.decision_maker, id, &grant(&[]))
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Blocked(_)), "{err:?}");
}

probity_service::backend_tests!(
    advice_per_destination,
    changed_advice_needs_reconsolidation,
    grant_suspend_reinstate_revoke,
    conflicting_advice_refusal,
    proviso_and_refusal_consolidation,
    no_licence_required,
    every_kind_of_public_record,
);
