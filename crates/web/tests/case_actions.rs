//! The case page offers exactly the actions that would succeed. For every stage a case goes
//! through and every kind of caller, the page is read; then every case command is tried
//! through the real router with valid input: each one offered must succeed, each one not
//! offered must be refused. (SQLite only: this is about the page and the rules, which are
//! the same on both databases.)
mod support;

use probity_domain::{CaseCommand, CaseId};
use probity_service::testing::{siel, Stage};
use probity_service::{applications, cases};
use support::*;

/// Where a case is when the callers look at it.
#[derive(Debug, Clone, Copy)]
enum At {
    Draft,
    Stage(Stage),
    Withdrawn,
}

const STAGES: [At; 11] = [
    At::Draft,
    At::Stage(Stage::Submitted),
    At::Stage(Stage::UnderReview),
    At::Stage(Stage::AwaitingExporter),
    At::Stage(Stage::AdviceRequested),
    At::Stage(Stage::FinalAdvice),
    At::Stage(Stage::UnderFinalReview),
    At::Stage(Stage::AwaitingCountersign),
    At::Stage(Stage::Granted),
    At::Stage(Stage::Refused),
    At::Withdrawn,
];

/// The commands tried on every case, and how each is given with valid input.
const TRIED: [CaseCommand; 14] = [
    CaseCommand::EditDraft,
    CaseCommand::Withdraw,
    CaseCommand::AnswerQuestion,
    CaseCommand::Appeal,
    CaseCommand::Take,
    CaseCommand::AskQuestion,
    CaseCommand::RequestAdvice,
    CaseCommand::ConsolidateAdvice,
    CaseCommand::SubmitForDecision,
    CaseCommand::GiveAdvice,
    CaseCommand::Finalise,
    CaseCommand::Countersign,
    CaseCommand::ReturnToCaseworker,
    CaseCommand::ViewHistory,
];

async fn case_at(app: &TestApp, at: At) -> CaseId {
    let w = &app.world;
    match at {
        At::Draft => applications::save_draft(&w.ctx, &w.exporter, None, &siel("NO"))
            .await
            .expect("draft"),
        At::Stage(stage) => w.case_at(stage).await,
        At::Withdrawn => {
            let id = w.case_at(Stage::Submitted).await;
            applications::withdraw(&w.ctx, &w.exporter, id, "The customer cancelled the order.")
                .await
                .expect("withdraw");
            id
        }
    }
}

/// The commands the page offers, read from its links and forms.
fn offered(html: &str, id: CaseId) -> Vec<CaseCommand> {
    TRIED
        .into_iter()
        .filter(|c| match c {
            CaseCommand::EditDraft => html.contains(&format!("href=\"/applications/{id}/edit\"")),
            CaseCommand::ViewHistory => html.contains(&format!("href=\"/cases/{id}/history\"")),
            CaseCommand::AnswerQuestion => {
                html.contains(&format!("action=\"/cases/{id}/questions/"))
            }
            c => html.contains(&format!("action=\"/cases/{id}/{}\"", c.as_str())),
        })
        .collect()
}

/// Give `command` on case `id` as the session's user; true when it succeeded.
async fn give(app: &TestApp, s: &Session, id: CaseId, command: CaseCommand) -> Option<bool> {
    let w = &app.world;
    let post = |fields: &'static [(&'static str, &'static str)]| async move {
        let resp = app
            .post_form(
                &format!("/cases/{id}/{}", command.as_str()),
                Some(s),
                fields,
            )
            .await;
        resp.status.as_u16() == 303
            && resp
                .location()
                .is_some_and(|l| l.starts_with("/cases/") && l.contains("done="))
    };
    Some(match command {
        CaseCommand::EditDraft => {
            app.get(&format!("/applications/{id}/edit"), Some(s))
                .await
                .status
                == 200
        }
        CaseCommand::ViewHistory => {
            app.get(&format!("/cases/{id}/history"), Some(s))
                .await
                .status
                == 200
        }
        CaseCommand::AnswerQuestion => {
            // The question, as an official sees it; no question, nothing to try.
            let questions = cases::questions(&w.ctx, &w.caseworker, id).await.ok()?;
            let open = questions.iter().find(|q| q.answer.is_none())?;
            let resp = app
                .post_form(
                    &format!("/cases/{id}/questions/{}/answer", open.id),
                    Some(s),
                    &[("answer", "The undertaking is attached to this answer.")],
                )
                .await;
            resp.status.as_u16() == 303
        }
        CaseCommand::Withdraw => {
            post(&[
                ("reason", "The customer cancelled the order last week."),
                ("confirm", "yes"),
            ])
            .await
        }
        CaseCommand::Appeal => {
            post(&[(
                "grounds",
                "The refusal misread the end-user's role entirely.",
            )])
            .await
        }
        CaseCommand::Take | CaseCommand::SubmitForDecision => post(&[]).await,
        CaseCommand::AskQuestion => {
            post(&[("body", "Please send the end-user undertaking.")]).await
        }
        CaseCommand::RequestAdvice => {
            let team = w.fcdo.to_string();
            let fields = [
                ("teams", team.as_str()),
                ("note", "Please advise on the end user."),
                ("csrf_token", s.csrf.as_str()),
            ];
            let resp = app
                .post_raw_form(
                    &format!("/cases/{id}/advice-request"),
                    Some(&s.cookie),
                    &fields,
                )
                .await;
            resp.status.as_u16() == 303
        }
        CaseCommand::ConsolidateAdvice => {
            post(&[("reasons", "Consolidated from both teams.")]).await
        }
        CaseCommand::GiveAdvice => {
            post(&[
                ("destination", "NO"),
                ("kind", "approve"),
                ("reasons", "Assessed against every criterion."),
            ])
            .await
        }
        CaseCommand::Finalise => {
            post(&[
                ("decision", "grant"),
                (
                    "reasons",
                    "Decided on the consolidated advice and the case record.",
                ),
                ("confirm", "yes"),
            ])
            .await
        }
        CaseCommand::Countersign => post(&[("note", "Agreed with the recorded decision.")]).await,
        CaseCommand::ReturnToCaseworker => {
            post(&[("reason", "Please obtain further advice from MOD.")]).await
        }
        CaseCommand::Submit => return None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_case_page_offers_exactly_what_succeeds() {
    let app = TestApp::sqlite().await;
    let colleague = app.world.colleague_caseworker("colleague@ecju.test").await;
    let mut callers = Vec::new();
    for (label, actor) in app.world.everyone() {
        callers.push((label, app.login(&actor.email).await));
    }
    callers.push(("colleague_caseworker", app.login(&colleague.email).await));

    let mut checked = 0;
    for at in STAGES {
        for (label, session) in &callers {
            let mut id = case_at(&app, at).await;
            let page = app.get(&format!("/cases/{id}"), Some(session)).await;
            let offers = if page.status == 200 {
                offered(&page.text(), id)
            } else {
                assert_eq!(page.status, 404, "{label} at {at:?}: {}", page.text());
                Vec::new()
            };
            for command in TRIED {
                let Some(ok) = give(&app, session, id, command).await else {
                    continue;
                };
                let offered = offers.contains(&command);
                assert_eq!(
                    ok, offered,
                    "{label} at {at:?}: {command:?} offered={offered} but succeeded={ok}"
                );
                checked += 1;
                let reads = matches!(command, CaseCommand::EditDraft | CaseCommand::ViewHistory);
                if ok && !reads {
                    // It changed the case: the next command is tried on a fresh one.
                    id = case_at(&app, at).await;
                }
            }
        }
    }
    assert!(checked > 1000, "only {checked} checks ran");
}

/// Before deciding, the decision-maker is told what would stop a grant: an embargo in force
/// on the destination (and a review's flag, the same way). The exporter is not shown it,
/// and a case to a destination nothing covers carries no warning.
#[tokio::test]
async fn the_case_page_warns_of_an_embargo_before_a_grant() {
    let app = TestApp::sqlite().await;
    let w = &app.world;
    let embargo = probity_domain::EmbargoInput {
        destination: "IS".into(),
        regime: "uk".into(),
        reference: "Warning test embargo".into(),
        starts_on: "2024-01-01".into(),
        ends_on: String::new(),
        goods: "military".into(),
        end_users: String::new(),
        summary: "An embargo on military goods to the destination.".into(),
    };
    probity_service::assessments::record_embargo(&w.ctx, &w.policy, &embargo)
        .await
        .expect("embargo");
    let covered = w.case_for(&siel("IS"), Stage::UnderFinalReview).await;
    let clear = w.case_for(&siel("NO"), Stage::UnderFinalReview).await;
    let dm = app.login("dm@ecju.test").await;
    let exporter = app.login("exporter@acme.test").await;

    let page = app.get(&format!("/cases/{covered}"), Some(&dm)).await;
    page.assert_status(200);
    let html = page.text();
    assert!(html.contains("A grant needs an override"), "{html}");
    assert!(html.contains("Warning test embargo"), "{html}");

    let theirs = app
        .get(&format!("/cases/{covered}"), Some(&exporter))
        .await
        .text();
    assert!(!theirs.contains("A grant needs an override"));
    let other = app.get(&format!("/cases/{clear}"), Some(&dm)).await.text();
    assert!(!other.contains("A grant needs an override"));
}
