//! Screening in the workflow, on both databases: a list loads as a version with what it
//! added, changed and removed, and a bad file loads nothing (or, when told to skip, reports
//! every skipped line); a party matched on submission holds the decision until a caseworker
//! resolves it; a true match on a sanctions list stops a grant and leaves the refusal; two
//! resolutions at once leave one; a list update re-screens open cases and licences in force.
use probity_screening::{BadLines, ListKind};
use probity_service::decisions::{self, DecisionInput};
use probity_service::domain::screening::RescreenReason;
use probity_service::domain::{DecisionKind, PartyRole};
use probity_service::screening::{self, LoadReport};
use probity_service::testing::{siel, Backend, Stage, TestDb, World};
use probity_service::ServiceError;

const HEADER: &str = "id,name,kind,aliases,country,programme\n";

fn list(rows: &[&str]) -> Vec<u8> {
    let mut text = HEADER.to_owned();
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    text.into_bytes()
}

async fn load(w: &World, rows: &[&str], bad: BadLines) -> Result<LoadReport, ServiceError> {
    screening::load_list(
        &w.ctx,
        Some(&w.policy),
        ListKind::Other("watch".into()),
        "watch.csv",
        list(rows),
        bad,
    )
    .await
}

fn grant() -> DecisionInput {
    DecisionInput {
        decision: DecisionKind::Grant,
        reasons: "Decided on the consolidated advice and the case record.".into(),
        ..Default::default()
    }
}

/// An application whose end user is `name`.
fn to_end_user(name: &str) -> probity_service::domain::ApplicationInput {
    let mut input = siel("NO");
    for p in &mut input.parties {
        if p.role == PartyRole::EndUser {
            p.name = name.into();
        }
    }
    input
}

async fn lists_load_as_versions_and_bad_files_load_nothing(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;

    // Only policy (and admin) load lists.
    assert!(matches!(
        screening::load_list(
            c,
            Some(&w.caseworker),
            ListKind::Other("watch".into()),
            "watch.csv",
            list(&["A1,Arms Broker Ltd,entity,,,"]),
            BadLines::Refuse,
        )
        .await,
        Err(ServiceError::Forbidden(_))
    ));

    // A row without a name: the whole file is refused, naming the line.
    let rows = [
        "A1,Arms Broker Ltd,entity,,Iran,IRAN",
        "A2,,entity,,Iran,IRAN",
        "A3,Falcon Aviation Services,entity,,Syria,SYRIA",
    ];
    match load(&w, &rows, BadLines::Refuse).await {
        Err(ServiceError::Validation(v)) => {
            assert_eq!(v.0[0].field, "file");
            assert!(v.0[0].message.contains("line 3"), "{v:?}");
        }
        other => panic!("a bad file: {other:?}"),
    }
    let (versions, _) = screening::overview(c, &w.caseworker).await.unwrap();
    assert!(versions.is_empty(), "nothing loaded: {versions:?}");

    // Told to skip, it loads the rest and says which line it skipped.
    let first = load(&w, &rows, BadLines::Skip).await.unwrap();
    assert_eq!((first.version, first.entries, first.added), (1, 2, 2));
    assert_eq!(first.skipped.len(), 1);
    assert_eq!(first.skipped[0].line, 3);

    // The next version: one changed, one removed, one added.
    let second = load(
        &w,
        &[
            "A1,Arms Broker Ltd,entity,Arms Brokers Limited,Iran,IRAN",
            "A4,Red Sea Shipping Company,entity,,Sudan,SUDAN",
        ],
        BadLines::Refuse,
    )
    .await
    .unwrap();
    assert_eq!(
        (second.version, second.added, second.changed, second.removed),
        (2, 1, 1, 1)
    );
    // Caseworkers see the versions and what each changed.
    let (v, changes) = screening::version(c, &w.caseworker, &second.version_id)
        .await
        .unwrap();
    assert_eq!((v.list.as_str(), v.version, v.entry_count), ("watch", 2, 2));
    let mut seen: Vec<(&str, &str)> = changes
        .iter()
        .map(|c| (c.entry_id.as_str(), c.change.as_str()))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [("A1", "changed"), ("A3", "removed"), ("A4", "added")]
    );
    assert!(matches!(
        screening::overview(c, &w.exporter).await,
        Err(ServiceError::Forbidden(_))
    ));
}

/// The Aerospace Industries Organization listed; a case to `end_user` under final review, and
/// the matches its submission found.
async fn listed_and_submitted(
    w: &World,
    end_user: &str,
) -> (
    probity_service::domain::CaseId,
    Vec<probity_service::screening::MatchRow>,
) {
    load(
        w,
        &["E1,Aerospace Industries Organization,entity,AIO,Iran,IRAN"],
        BadLines::Refuse,
    )
    .await
    .unwrap();
    let case = w
        .case_for(&to_end_user(end_user), Stage::UnderFinalReview)
        .await;
    let found = screening::matches_of_case(&w.ctx, &w.caseworker, &case.to_string())
        .await
        .unwrap();
    (case, found)
}

async fn a_match_holds_the_decision_until_resolved(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    // A spelling variant is found on submission.
    let (case, found) = listed_and_submitted(&w, "Aerospace Industries Organisation").await;
    assert_eq!(found.len(), 1, "{found:?}");
    let m = &found[0];
    assert_eq!(
        (m.list.as_str(), m.entry_id.as_str(), m.party_role.as_str()),
        ("watch", "E1", "end_user")
    );
    assert!(m.score >= 80 && !m.explanation.is_empty(), "{m:?}");

    match decisions::finalise(c, &w.decision_maker, case, &grant()).await {
        Err(ServiceError::Blocked(messages)) => assert!(
            messages
                .iter()
                .any(|m| m == "1 screening match is not yet resolved"),
            "{messages:?}"
        ),
        other => panic!("a decision over an unresolved match: {other:?}"),
    }

    // Only a caseworker resolves, with a reason; a verdict must be one of the two.
    let reason = "Registration number and address differ from the listed entry.";
    assert!(matches!(
        screening::resolve(
            c,
            &w.decision_maker,
            &case.to_string(),
            &m.id,
            "false_positive",
            reason
        )
        .await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        screening::resolve(c, &w.caseworker, &case.to_string(), &m.id, "maybe", reason).await,
        Err(ServiceError::Validation(_))
    ));
    // Two resolutions at once: one lands, the other is told who got there first.
    let race = |verdict: &'static str| {
        let (c, actor, case, id) = (
            c.clone(),
            w.caseworker.clone(),
            case.to_string(),
            m.id.clone(),
        );
        tokio::spawn(
            async move { screening::resolve(&c, &actor, &case, &id, verdict, reason).await },
        )
    };
    let (a, b) = (race("false_positive"), race("true_match"));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let outcomes = [&a, &b];
    assert_eq!(
        outcomes.iter().filter(|r| r.is_ok()).count(),
        1,
        "{a:?} {b:?}"
    );
    assert!(
        outcomes
            .iter()
            .any(|r| matches!(r, Err(ServiceError::Conflict(m)) if m.contains("already resolved"))),
        "{a:?} {b:?}"
    );
    let resolved = screening::matches_of_case(c, &w.caseworker, &case.to_string())
        .await
        .unwrap()
        .remove(0);
    assert_eq!(resolved.reason.as_deref(), Some(reason));

    if resolved.status == "true_match" {
        // A listed party: no grant, but the refusal under criterion 1 goes through.
        match decisions::finalise(c, &w.decision_maker, case, &grant()).await {
            Err(ServiceError::Blocked(messages)) => assert!(
                messages
                    .iter()
                    .any(|m| m.contains("true match on a sanctions list")),
                "{messages:?}"
            ),
            other => panic!("a grant to a listed party: {other:?}"),
        }
        let refuse = DecisionInput {
            decision: DecisionKind::Refuse,
            criteria: vec!["1".into()],
            conflict_resolution: "The end user is a listed entity: the advice predates the match."
                .into(),
            ..grant()
        };
        decisions::finalise(c, &w.decision_maker, case, &refuse)
            .await
            .unwrap();
    } else {
        decisions::finalise(c, &w.decision_maker, case, &grant())
            .await
            .unwrap();
    }
}

/// A true match on a sanctions list stops a grant whichever resolution won the race above.
async fn a_true_match_stops_a_grant(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let (case, mut found) = listed_and_submitted(&w, "Aerospace Industries Organization").await;
    let m = found.remove(0);
    screening::resolve(
        c,
        &w.caseworker,
        &case.to_string(),
        &m.id,
        "true_match",
        "Same name, same address in Tehran as the listed entry.",
    )
    .await
    .unwrap();
    match decisions::finalise(c, &w.decision_maker, case, &grant()).await {
        Err(ServiceError::Blocked(messages)) => assert_eq!(
            messages,
            ["a licence cannot be granted: 1 party is a true match on a sanctions list; refuse under criterion 1"]
        ),
        other => panic!("a grant to a listed party: {other:?}"),
    }
}

async fn a_list_update_rescreens_open_cases_and_licences(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let licensed = w
        .case_for(&to_end_user("Orion Navigation Systems"), Stage::Granted)
        .await;
    let open = w
        .case_for(&to_end_user("Orion Navigation Systems"), Stage::UnderReview)
        .await;
    let other = w.case_at(Stage::UnderReview).await;
    assert!(
        screening::matches_of_case(c, &w.caseworker, &open.to_string())
            .await
            .unwrap()
            .is_empty()
    );

    let report = load(
        &w,
        &["N1,Orion Navigation Systems LLC,entity,,Norway,TEST"],
        BadLines::Refuse,
    )
    .await
    .unwrap();
    let mut ticks = Vec::new();
    let mut progress = |done: u64, total: u64| ticks.push((done, total));
    let run = screening::rescreen_all(
        c,
        RescreenReason::ListUpdate,
        Some(&report.version_id),
        &mut progress,
    )
    .await
    .unwrap();
    assert_eq!((run.new_matches, run.on_licences), (2, 1), "{run:?}");
    let parties = run.parties as u64;
    assert_eq!(ticks.last(), Some(&(parties, parties)));
    for (case, expected) in [(licensed, 1), (open, 1), (other, 0)] {
        let found = screening::matches_of_case(c, &w.caseworker, &case.to_string())
            .await
            .unwrap();
        assert_eq!(found.len(), expected, "{case}: {found:?}");
    }
    // The worklist: both matches, one on a licence in force, named by its number.
    let all = screening::open_matches(c, &w.caseworker, false, 1)
        .await
        .unwrap();
    assert_eq!((all.total, all.on_licences, all.rows.len()), (2, 1, 2));
    let on = screening::open_matches(c, &w.caseworker, true, 1)
        .await
        .unwrap();
    assert_eq!(on.rows.len(), 1);
    assert_eq!(on.rows[0].case_id, licensed.to_string());
    assert!(on.rows[0].licence_number.is_some());
    assert!(matches!(
        screening::open_matches(c, &w.exporter, false, 1).await,
        Err(ServiceError::Forbidden(_))
    ));
    // Screening again finds nothing new: a match is recorded once.
    let again = screening::rescreen_all(c, RescreenReason::Manual, None, &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(again.new_matches, 0);
    let (_, runs) = screening::overview(c, &w.policy).await.unwrap();
    assert!(runs
        .iter()
        .all(|r| r.finished_at.is_some() && r.parties_done == r.parties_total));
}

probity_service::backend_tests!(
    lists_load_as_versions_and_bad_files_load_nothing,
    a_match_holds_the_decision_until_resolved,
    a_true_match_stops_a_grant,
    a_list_update_rescreens_open_cases_and_licences,
);
