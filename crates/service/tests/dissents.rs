//! Dissent, walked on both databases with a controllable clock: filed against final advice to
//! grant; the decision held up; an answer that leaves a point out or only "notes the concern"
//! refused point by point (and the refusal audited); a proper answer; escalation; oversight's
//! finding; and a deadline passing with the automatic escalation. Only the parties and
//! oversight may read a dissent; to everyone else it does not exist.
mod common;

use probity_service::decisions::{self, DecisionInput, Finalised};
use probity_service::dissent_steps::{self, AnswerInput, FindingInput};
use probity_service::dissents::{self, DissentInput};
use probity_service::domain::{DissentStatus, PointAnswerInput, PointVerdict};
use probity_service::testing::{Backend, Stage, TestDb, World};
use probity_service::{auth::Actor, ServiceError};
use time::Duration;

fn dissent_on(case: probity_service::domain::CaseId) -> DissentInput {
    DissentInput {
        subject: "final_advice".into(),
        case: Some(case),
        points: "The end user diverted similar components in 2023.\n\
                 The advice ignores the recent strike reports from the UN panel."
            .into(),
        criteria: vec!["Criterion 2(c)".into(), "7".into()],
        evidence: "UN panel report S/2024/1, paragraphs 40 to 52; embassy telegram of March."
            .into(),
        ..DissentInput::default()
    }
}

fn grant() -> DecisionInput {
    DecisionInput {
        decision: probity_service::domain::DecisionKind::Grant,
        reasons: "Decided on the consolidated advice and the case record.".into(),
        ..Default::default()
    }
}

fn point(number: u32, verdict: &str, reasons: &str) -> PointAnswerInput {
    PointAnswerInput {
        number,
        verdict: verdict.into(),
        reasons: reasons.into(),
    }
}

/// The actor a dissent names to answer it.
fn responder<'a>(w: &'a World, id: &str) -> &'a Actor {
    [&w.decision_maker, &w.second_decision_maker, &w.policy]
        .into_iter()
        .find(|a| a.user_id.to_string() == id)
        .expect("the responder is one of the world's deciders")
}

async fn dissent_walk(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let case = w.case_at(Stage::UnderFinalReview).await;

    // Bad input: every problem said, nothing recorded.
    let mut bad = dissent_on(case);
    bad.points = "Too short".into();
    bad.criteria = vec!["99z".into()];
    bad.evidence = String::new();
    match dissents::file(c, &w.fcdo_adviser, &bad).await {
        Err(ServiceError::Validation(v)) => {
            let fields: Vec<&str> = v.0.iter().map(|f| f.field.as_str()).collect();
            assert_eq!(
                fields,
                ["criteria", "points", "criteria", "evidence"],
                "{v:?}"
            );
        }
        other => panic!("a bad dissent: {other:?}"),
    }
    // An exporter cannot dissent.
    assert!(matches!(
        dissents::file(c, &w.exporter, &dissent_on(case)).await,
        Err(ServiceError::Forbidden(_))
    ));

    let id = dissents::file(c, &w.fcdo_adviser, &dissent_on(case))
        .await
        .unwrap();
    let d = dissents::get(c, &w.fcdo_adviser, id).await.unwrap();
    assert_eq!(d.status, DissentStatus::Open);
    assert_eq!(d.points.len(), 2);
    assert_eq!(d.criteria, ["2c", "7"]);
    assert_ne!(d.responder_id, w.fcdo_adviser.user_id.to_string());
    // Ten working days from Monday 2 March 2026: answer by the end of Monday 16 March.
    assert_eq!(d.due_at.date(), time::macros::date!(2026 - 03 - 17));
    let answerer = responder(&w, &d.responder_id);

    // Nobody else may read it: not the caseworker, not an exporter, not policy.
    for outsider in [&w.caseworker, &w.exporter, &w.policy, &w.mod_adviser] {
        assert!(matches!(
            dissents::get(c, outsider, id).await,
            Err(ServiceError::NotFound(_))
        ));
    }
    assert!(dissents::get(c, &w.oversight, id).await.is_ok());

    // The decision is held up, and the decision-maker is told which dissent.
    match decisions::finalise(c, &w.decision_maker, case, &grant()).await {
        Err(ServiceError::Blocked(messages)) => {
            assert!(
                messages.iter().any(|m| m.contains(&id.to_string())),
                "{messages:?}"
            );
        }
        other => panic!("a decision under an open dissent: {other:?}"),
    }

    // An answer that leaves a point out, and one that only notes the concern, are refused.
    let partial = AnswerInput {
        points: vec![point(
            1,
            "not_accepted",
            "The evidence of the 2023 diversion concerned a different end user entirely.",
        )],
        action: "no_change".into(),
    };
    match dissent_steps::answer(c, answerer, id, &partial).await {
        Err(ServiceError::Validation(v)) => {
            assert_eq!(v.0.len(), 1);
            assert_eq!(v.0[0].field, "point_2");
            assert_eq!(v.0[0].message, "point 2: not answered");
        }
        other => panic!("an answer missing a point: {other:?}"),
    }
    let noted = AnswerInput {
        points: vec![
            point(
                1,
                "not_accepted",
                "Thank you, we have noted your concern on this point.",
            ),
            point(
                2,
                "not_accepted",
                "Thank you, we have noted your concern on this point.",
            ),
        ],
        action: "no_change".into(),
    };
    assert!(matches!(
        dissent_steps::answer(c, answerer, id, &noted).await,
        Err(ServiceError::Validation(v)) if v.0.len() == 2
    ));
    // Only the named responder answers.
    let proper = AnswerInput {
        points: vec![
            point(
                1,
                "not_accepted",
                "The evidence of the 2023 diversion concerned a different end user entirely.",
            ),
            point(
                2,
                "partly_accepted",
                "Under criterion 2c the panel's reports were weighed; a proviso now limits use.",
            ),
        ],
        action: "advice_or_assessment_updated".into(),
    };
    assert!(matches!(
        dissent_steps::answer(c, &w.fcdo_adviser, id, &proper).await,
        Err(ServiceError::Forbidden(_))
    ));
    dissent_steps::answer(c, answerer, id, &proper)
        .await
        .unwrap();
    let d = dissents::get(c, &w.fcdo_adviser, id).await.unwrap();
    assert_eq!(d.status, DissentStatus::Answered);
    assert_eq!(d.points[1].verdict, Some(PointVerdict::PartlyAccepted));
    // A second answer finds it answered.
    assert!(matches!(
        dissent_steps::answer(c, answerer, id, &proper).await,
        Err(ServiceError::Conflict(_))
    ));

    // The dissenter takes it to oversight; oversight's finding is final.
    assert!(matches!(
        dissent_steps::escalate(c, &w.fcdo_adviser, id, "short").await,
        Err(ServiceError::Validation(_))
    ));
    dissent_steps::escalate(
        c,
        &w.fcdo_adviser,
        id,
        "The answer does not engage with the panel's findings on the end user.",
    )
    .await
    .unwrap();
    let finding = FindingInput {
        outcome: "upheld".into(),
        finding: "The advice did not weigh the panel's findings; the decision is to be retaken."
            .into(),
        retake: true,
    };
    assert!(matches!(
        dissent_steps::record_finding(c, answerer, id, &finding).await,
        Err(ServiceError::Forbidden(_))
    ));
    dissent_steps::record_finding(c, &w.oversight, id, &finding)
        .await
        .unwrap();
    let d = dissents::get(c, answerer, id).await.unwrap();
    assert_eq!(d.status, DissentStatus::Concluded);
    assert!(d.retake_ordered);
    assert!(matches!(
        dissent_steps::record_finding(c, &w.oversight, id, &finding).await,
        Err(ServiceError::Conflict(_))
    ));

    // Answered, the dissent no longer holds the decision up.
    assert!(matches!(
        decisions::finalise(c, &w.decision_maker, case, &grant()).await,
        Ok(Finalised::Granted(_))
    ));
}

async fn a_missed_deadline_escalates_by_itself(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let case = w.case_at(Stage::UnderFinalReview).await;
    let id = dissents::file(c, &w.caseworker, &dissent_on(case))
        .await
        .unwrap();
    assert_eq!(dissent_steps::escalate_overdue(c).await.unwrap(), 0);
    // The last day to answer is Monday 16 March; on the Tuesday it goes to oversight.
    w.clock.advance(Duration::days(14));
    assert_eq!(dissent_steps::escalate_overdue(c).await.unwrap(), 0);
    w.clock.advance(Duration::days(1));
    assert_eq!(dissent_steps::escalate_overdue(c).await.unwrap(), 1);
    assert_eq!(dissent_steps::escalate_overdue(c).await.unwrap(), 0);
    let d = dissents::get(c, &w.oversight, id).await.unwrap();
    assert_eq!(d.status, DissentStatus::Escalated);
    assert!(d.escalated_by_deadline);
    // Escalated unanswered, it still holds the decision up; the responder can no longer
    // answer it, oversight decides.
    assert!(d.holds_up_decision());
    assert!(matches!(
        decisions::finalise(c, &w.decision_maker, case, &grant()).await,
        Err(ServiceError::Blocked(_))
    ));
    let late = AnswerInput {
        points: vec![
            point(
                1,
                "accepted",
                "Accepted on the evidence: the end user is now refused.",
            ),
            point(
                2,
                "accepted",
                "Accepted on the evidence: the end user is now refused.",
            ),
        ],
        action: "decision_changed".into(),
    };
    let answerer = responder(&w, &d.responder_id);
    assert!(matches!(
        dissent_steps::answer(c, answerer, id, &late).await,
        Err(ServiceError::Conflict(_))
    ));
    let overdue = dissents::mine(c, &w.oversight).await.unwrap();
    assert!(overdue
        .iter()
        .any(|d| d.id == id && d.escalated_by_deadline));

    // Counted publicly in the quarter it was filed, for all destinations and its own; one
    // dissent is "fewer than 3".
    let counts = probity_service::accountability::counts(c).await.unwrap();
    for dest in ["all", "NO"] {
        let r = counts
            .rows
            .iter()
            .find(|r| r.quarter == "2026-Q1" && r.destination == dest)
            .unwrap_or_else(|| panic!("no 2026-Q1 row for {dest}"));
        assert_eq!(r.dissents_recorded.0, 1);
        assert_eq!(r.escalated_unanswered.0, 1);
        let json = serde_json::to_value(r).unwrap();
        assert_eq!(json["dissents_recorded"], "fewer than 3");
        assert_eq!(json["answered_in_time"], 0);
    }
    let csv = probity_service::accountability::csv(&counts);
    assert!(csv.contains("2026-Q1,all,\"fewer than 3\""), "{csv}");
}

async fn two_answers_at_once_leave_one(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let case = w.case_at(Stage::UnderFinalReview).await;
    let id = dissents::file(c, &w.fcdo_adviser, &dissent_on(case))
        .await
        .unwrap();
    let d = dissents::get(c, &w.fcdo_adviser, id).await.unwrap();
    let answerer = responder(&w, &d.responder_id);
    let answer = |reason: &'static str| AnswerInput {
        points: vec![point(1, "accepted", reason), point(2, "accepted", reason)],
        action: "no_change".into(),
    };
    let a = answer("Accepted: the evidence is sound and criterion 2c is engaged here.");
    let b = answer("Not so: the evidence is dated and criterion 2c is not engaged here.");
    let (ra, rb) = tokio::join!(
        dissent_steps::answer(c, answerer, id, &a),
        dissent_steps::answer(c, answerer, id, &b)
    );
    assert!(ra.is_ok() != rb.is_ok(), "{ra:?} {rb:?}");
    let d = dissents::get(c, &w.fcdo_adviser, id).await.unwrap();
    let stood = if ra.is_ok() { &a } else { &b };
    assert_eq!(
        d.points[0].reasons.as_deref(),
        Some(stood.points[0].reasons.as_str())
    );
}

/// Evidence files: refused by name when too big or of a type not allowed (and then nothing
/// is recorded), kept exactly as filed, listed with their digest, and given back only to the
/// dissent's parties and oversight.
async fn evidence_files(backend: Backend) {
    use probity_service::attachments;
    use probity_service::domain::{AttachmentType, Upload, MAX_ATTACHMENT_BYTES};
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let case = w.case_at(Stage::UnderFinalReview).await;
    let pdf: Vec<u8> = b"%PDF-1.7\n\x00\x01\xFE\xFF binary body %%EOF".to_vec();
    let mut huge = b"%PDF-".to_vec();
    huge.resize(MAX_ATTACHMENT_BYTES + 1, 0);
    let mut input = dissent_on(case);
    input.files = vec![
        Upload {
            name: "strike-report.pdf".into(),
            bytes: pdf.clone(),
        },
        Upload {
            name: "payload.exe".into(),
            bytes: b"MZ\x90".to_vec(),
        },
        Upload {
            name: "scan.pdf".into(),
            bytes: huge,
        },
    ];
    let Err(ServiceError::Validation(v)) = dissents::file(c, &w.fcdo_adviser, &input).await else {
        panic!("bad files should be refused");
    };
    let messages: Vec<&str> = v.0.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0].starts_with("“payload.exe” is not a type we accept"),
        "{messages:?}"
    );
    assert!(
        messages[1].starts_with("“scan.pdf” is 5.1 MB, over the limit"),
        "{messages:?}"
    );
    assert!(dissents::mine(c, &w.fcdo_adviser).await.unwrap().is_empty());

    let notes = "Telegram, 3 March — “diverted”.".as_bytes().to_vec();
    input.files = vec![
        Upload {
            name: "strike-report.pdf".into(),
            bytes: pdf.clone(),
        },
        Upload {
            name: "notes.txt".into(),
            bytes: notes.clone(),
        },
    ];
    let id = dissents::file(c, &w.fcdo_adviser, &input).await.unwrap();
    let d = dissents::get(c, &w.fcdo_adviser, id).await.unwrap();
    let names: Vec<(&str, AttachmentType, i64)> = d
        .attachments
        .iter()
        .map(|a| (a.name.as_str(), a.kind, a.size_bytes))
        .collect();
    assert_eq!(
        names,
        [
            ("strike-report.pdf", AttachmentType::Pdf, pdf.len() as i64),
            ("notes.txt", AttachmentType::Text, notes.len() as i64)
        ]
    );
    let responder = responder(&w, &d.responder_id);
    for reader in [&w.fcdo_adviser, responder, &w.oversight] {
        let f = attachments::dissent_file(c, reader, id, 1).await.unwrap();
        assert_eq!(
            (f.name.as_str(), f.media_type),
            ("strike-report.pdf", "application/pdf")
        );
        assert_eq!(f.bytes, pdf, "the file comes back byte for byte");
    }
    for outsider in [&w.caseworker, &w.mod_adviser, &w.exporter, &w.admin] {
        assert!(matches!(
            attachments::dissent_file(c, outsider, id, 1).await,
            Err(ServiceError::NotFound(_))
        ));
    }
    assert!(matches!(
        attachments::dissent_file(c, &w.fcdo_adviser, id, 3).await,
        Err(ServiceError::NotFound(_))
    ));
}

probity_service::backend_tests!(
    evidence_files,
    dissent_walk,
    a_missed_deadline_escalates_by_itself,
    two_answers_at_once_leave_one
);
