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
