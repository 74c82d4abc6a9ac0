//! The whole life of an application on both databases: submission, casework, advice,
//! decision, the licence and its lifecycle, refusal, and no-licence-required, each with the
//! public decision record it produces.
mod common;

use common::*;
use probity_service::advice::{self};
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

probity_service::backend_tests!(
    grant_suspend_reinstate_revoke,
    conflicting_advice_refusal,
    no_licence_required,
);
