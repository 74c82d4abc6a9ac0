//! Issue 8's check, against the real binary: a demo database whose register published audit
//! anchors is copied twice; in one copy the newest audit events are deleted, in the other one
//! event is rewritten and every later event re-hashed (so the chain alone verifies again).
//! `probity audit verify --register … --key …` passes on the untouched database (served over
//! HTTP and as an exported directory) and fails on both copies, naming the anchor and the
//! break.
mod common;

use std::path::{Path, PathBuf};

use common::*;
use probity_service::audit_anchors::thousands;
use probity_service::testing::tamper;
use probity_store::Store;

/// Copies the SQLite database (and its write-ahead log, if any) to `to`.
fn copy_db(dir: &Path, to: &Path) -> PathBuf {
    std::fs::create_dir_all(to).unwrap();
    for suffix in ["", "-wal"] {
        let from = dir.join(format!("probity.db{suffix}"));
        if from.exists() {
            std::fs::copy(&from, to.join(format!("probity.db{suffix}"))).unwrap();
        }
    }
    to.join("probity.db")
}

fn url(db: &Path) -> String {
    format!("sqlite://{}", db.display())
}

/// The number after `prefix` in `text`, up to the next space.
fn number_after(text: &str, prefix: &str) -> u64 {
    let rest = &text[text
        .find(prefix)
        .unwrap_or_else(|| panic!("{prefix:?} in {text}"))
        + prefix.len()..];
    rest.split(' ')
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap()
}

/// Runs `f` on the database at `db` and closes it.
fn with_store(db: &Path, f: impl AsyncFnOnce(&Store)) {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = Store::open(&url(db)).await.unwrap();
        f(&store).await;
        store.close().await;
    });
}

#[test]
fn audit_verify_against_the_register_names_deleted_and_rewritten_events() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let key_file = dir.join("register.key");
    let vkey = ok(&[
        "register",
        "keygen",
        "--name",
        "anchor.test/register",
        "--out",
        key_file.to_str().unwrap(),
    ]);
    let vkey = vkey.trim();
    let original = url(&dir.join("probity.db"));
    let mirror = dir.join("mirror");
    let m = mirror.to_str().unwrap();

    let (events, anchor_index) = {
        let (_server, base) = demo(dir, &key_file, 40);
        // Untouched, against the served register.
        let out = ok(&[
            "audit",
            "verify",
            "--database-url",
            &original,
            "--register",
            &base,
            "--key",
            vkey,
        ]);
        assert!(out.contains("OK: the chain matches all"), "{out}");
        let events = number_after(&out, "audit chain OK: ");
        let entries = number_after(&out, "verified: ");
        assert!(
            out.contains(&format!(
                "covers {} events; 0 recorded since",
                thousands(events)
            )),
            "{out}"
        );
        ok(&["register", "export", m, "--database-url", &original]);
        // The demo's one batch of decisions ends with the anchor of the whole chain.
        (events, entries - 1)
    };
    assert!(
        events > 100 && anchor_index > 10,
        "{events} events, {anchor_index} decisions"
    );
    let anchor = format!("the register's anchor at index {anchor_index} (",);
    let says = format!("says the chain had {} events ending in ", thousands(events));
    let verify = |db: &Path| {
        vec![
            "audit".to_string(),
            "verify".into(),
            "--database-url".into(),
            url(db),
            "--register".into(),
            m.into(),
            "--key".into(),
            vkey.into(),
        ]
    };
    let run_verify = |db: &Path, expect_ok: bool, needle: &str| {
        let args = verify(db);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        if expect_ok {
            let out = ok(&args);
            assert!(out.contains(needle), "{out}");
            out
        } else {
            fails(&args, needle)
        }
    };

    // The untouched copy passes, against the exported directory.
    let untouched = copy_db(dir, &dir.join("untouched"));
    run_verify(&untouched, true, "OK: the chain matches all 1 anchors");

    // The newest five events deleted (all of them before the anchor).
    let truncated = copy_db(dir, &dir.join("truncated"));
    with_store(&truncated, async |s| {
        tamper::delete_newest_events(s, 5).await
    });
    let chain_only = ok(&["audit", "verify", "--database-url", &url(&truncated)]);
    assert!(
        chain_only.contains("audit chain OK"),
        "the chain alone cannot tell: {chain_only}"
    );
    let out = run_verify(
        &truncated,
        false,
        &format!(
            "; the database has only {}: events were deleted",
            thousands(events - 5)
        ),
    );
    assert!(
        out.contains(&format!("FAILED: {anchor}")) && out.contains(&says),
        "{out}"
    );

    // One event rewritten, every later one re-hashed: the chain alone verifies again.
    let rewritten = copy_db(dir, &dir.join("rewritten"));
    let target = (events / 2) as i64;
    with_store(&rewritten, async |s| {
        tamper::rewrite_event(s, target, r#"{"note":"nothing happened here"}"#).await
    });
    let chain_only = ok(&["audit", "verify", "--database-url", &url(&rewritten)]);
    assert!(
        chain_only.contains(&format!("audit chain OK: {events} events")),
        "{chain_only}"
    );
    let n = thousands(events);
    let out = run_verify(
        &rewritten,
        false,
        &format!("the chain was rewritten at or before event {n}"),
    );
    assert!(
        out.contains(&format!("FAILED: {anchor}"))
            && out.contains(&format!("event {n} now hashes to ")),
        "{out}"
    );

    // A register that does not verify is no basis for a verdict.
    let tile = mirror.join("register/tile/0/000.p");
    let partial = std::fs::read_dir(&tile)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut bytes = std::fs::read(&partial).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&partial, bytes).unwrap();
    run_verify(&untouched, false, "FAILED: the register at");
}
