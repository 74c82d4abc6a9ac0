//! Operator-facing settings of the real binary: JSON logs, pool flags with clear errors, and
//! migrations down to zero and up again.

mod common;

use std::process::{Command, Output};

use common::BIN;

fn probity(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(BIN);
    c.args(args).env_remove("PROBITY_DATABASE_URL");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run probity")
}

#[test]
fn json_logs_are_one_object_per_line_and_an_unknown_format_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("p.db").display());
    let out = probity(
        &["migrate", "--database-url", &db],
        &[("PROBITY_LOG", "info"), ("PROBITY_LOG_FORMAT", "json")],
    );
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|j| j["fields"]["message"] == "applied migration" && j["level"] == "INFO"),
        "{stderr}"
    );

    let out = probity(
        &["migrate", "--database-url", &db],
        &[("PROBITY_LOG_FORMAT", "xml")],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("PROBITY_LOG_FORMAT=\"xml\" is not a log format"),
        "{stderr}"
    );
}

#[test]
fn pool_settings_out_of_bounds_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("p.db").display());
    for (flag, value) in [
        ("--db-max-connections", "0"),
        ("--db-acquire-timeout", "0"),
        ("--db-busy-timeout", "100000"),
    ] {
        let out = probity(&["migrate", "--database-url", &db, flag, value], &[]);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(flag) && stderr.contains(value),
            "{flag} {value}: {stderr}"
        );
    }
    let out = probity(
        &["migrate", "--database-url", &db],
        &[("PROBITY_DB_MAX_CONNECTIONS", "two")],
    );
    assert_eq!(out.status.code(), Some(2));
    // Good values work, from flags and from the environment.
    let out = probity(
        &[
            "migrate",
            "--database-url",
            &db,
            "--db-max-connections",
            "2",
        ],
        &[("PROBITY_DB_BUSY_TIMEOUT", "5")],
    );
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn migrate_down_to_zero_and_up_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("p.db").display());
    let run = |args: &[&str]| {
        let mut all = vec!["migrate", "--database-url", &db];
        all.extend_from_slice(args);
        let out = probity(&all, &[("PROBITY_LOG", "warn")]);
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let up = run(&[]);
    assert!(up.starts_with("applied migrations [1, "), "{up}");
    let down = run(&["--down-to", "0"]);
    assert!(down.contains("database now at version 0"), "{down}");
    assert_eq!(run(&[]), up);
    assert!(run(&[]).starts_with("database is up to date"));
}

/// `probity review`: open a review as a policy user, list and show it, and bad input refused
/// with a sentence naming what is wrong.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviews_are_opened_listed_and_shown_from_the_command_line() {
    use probity_service::domain::{AssessmentInput, ClausesInput};
    use probity_service::testing::{siel, Backend, Stage, TestDb, World};
    let db = TestDb::new(Backend::Sqlite).await;
    let w = World::new(&db).await;
    w.case_for(&siel("NO"), Stage::Granted).await;
    let input = AssessmentInput {
        destination: "NO".into(),
        criterion: "2c".into(),
        finding: "clear_risk".into(),
        scope: ClausesInput {
            ratings: "ML15".into(),
            ..ClausesInput::default()
        },
        evidence: "Evidence assessed by officials for this test.".into(),
        reasons: "A clear risk that the items might be used in serious violations.".into(),
        legal_basis: "Criterion 2(c)".into(),
        public_summary: "A clear risk under criterion 2(c) for thermal sights.".into(),
        ..AssessmentInput::default()
    };
    let risk = probity_service::assessments::record(&w.ctx, &w.policy, &input)
        .await
        .unwrap();
    let url = db.url.clone();
    let id = risk.id.to_string();
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        probity(&args, &[])
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();

    // Only policy opens reviews; an unknown user is named.
    let out = run(s(&[
        "review",
        "open",
        "--database-url",
        &url,
        "--assessment",
        &id,
        "--as",
        &w.caseworker.email,
    ]));
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not allowed to open reviews"),
        "{out:?}"
    );
    let out = run(s(&[
        "review",
        "open",
        "--database-url",
        &url,
        "--assessment",
        &id,
        "--as",
        "nobody@example.test",
    ]));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no active user with the email"),
        "{out:?}"
    );
    let out = run(s(&[
        "review",
        "open",
        "--database-url",
        &url,
        "--assessment",
        "not-an-id",
        "--as",
        &w.policy.email,
    ]));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not an assessment id"),
        "{out:?}"
    );

    // A preview opens nothing.
    let out = run(s(&[
        "review",
        "open",
        "--database-url",
        &url,
        "--assessment",
        &id,
        "--as",
        &w.policy.email,
        "--preview",
    ]));
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("in scope: 1;"),
        "{out:?}"
    );
    let out = run(s(&["review", "list", "--database-url", &url]));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "no reviews");

    let out = run(s(&[
        "review",
        "open",
        "--database-url",
        &url,
        "--assessment",
        &id,
        "--as",
        &w.policy.email,
    ]));
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let review = stdout
        .lines()
        .find_map(|l| l.strip_prefix("opened review "))
        .expect("the review's id")
        .to_string();
    let out = run(s(&["review", "list", "--database-url", &url, "--json"]));
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed[0]["id"], review.as_str());
    assert_eq!(listed[0]["licences_in_scope"], 1);
    let out = run(s(&["review", "show", "--database-url", &url, &review]));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("open 0 days"),
        "{out:?}"
    );
    let out = run(s(&["review", "show", "--database-url", &url, "01234"]));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not a review id"),
        "{out:?}"
    );
}
