//! `probity register monitor` against the real binary: a demo server's log followed from run
//! to run, then logs built with the library and signed with the same key — a forked history
//! and consistent extensions whose new entry is semantically wrong (an event on a licence
//! never granted, an audit anchor of a shorter chain) — all detected, with both signed
//! checkpoints kept as evidence and the state left alone.
mod common;

use common::*;
use std::path::{Path, PathBuf};

use probity_domain::{AuditAnchor, LogEntry, RecordKind, RegisterEntry};
use probity_service::register::log::bundle::{encode_bundle, parse_bundle};
use probity_service::register::log::checkpoint::Checkpoint;
use probity_service::register::log::note::{parse_note, sign_note, Ed25519Signer};
use probity_service::register::log::store::{append_entries, MemoryStore};
use probity_service::register::log::tile::tiles_for_size;

const ORIGIN: &str = "monitor.test/register";

/// The entries of an exported register.
fn exported_entries(mirror: &Path) -> Vec<Vec<u8>> {
    let note = std::fs::read(mirror.join("register/checkpoint")).unwrap();
    let cp = Checkpoint::parse(&parse_note(&note).unwrap().text).unwrap();
    let mut out = Vec::new();
    for t in tiles_for_size(cp.size()).unwrap() {
        if t.level() == 0 {
            let b = std::fs::read(mirror.join("register").join(t.entries_path().unwrap())).unwrap();
            out.extend(parse_bundle(&b).unwrap());
        }
    }
    assert_eq!(out.len() as u64, cp.size());
    out
}

/// Writes a static log of `entries` signed by `signer` under `<dir>/register/`.
fn write_log(dir: &Path, signer: &Ed25519Signer, entries: &[Vec<u8>]) {
    let mut store = MemoryStore::new();
    let a = append_entries(&mut store, 0, entries).unwrap();
    let root = dir.join("register");
    for (t, data) in &a.tiles {
        let f = root.join(t.path());
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(&f, data).unwrap();
        if t.level() == 0 {
            let first = (t.index() * 256) as usize;
            let b = encode_bundle(&entries[first..first + usize::from(t.width())]).unwrap();
            let f = root.join(t.entries_path().unwrap());
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(&f, b).unwrap();
        }
    }
    let cp = Checkpoint::new(ORIGIN, entries.len() as u64, a.root).unwrap();
    std::fs::write(
        root.join("checkpoint"),
        sign_note(&cp.to_text(), &[signer]).unwrap(),
    )
    .unwrap();
}

fn evidence_dirs(state: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(state)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("evidence-")
        })
        .collect();
    v.sort();
    v
}

fn checkpoint_size(file: &Path) -> u64 {
    let note = std::fs::read(file).unwrap();
    Checkpoint::parse(&parse_note(&note).unwrap().text)
        .unwrap()
        .size()
}

#[test]
fn monitor_follows_the_log_and_catches_forks() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let key_file = dir.join("register.key");
    let vkey = ok(&[
        "register",
        "keygen",
        "--name",
        ORIGIN,
        "--out",
        key_file.to_str().unwrap(),
    ]);
    let vkey = vkey.trim();
    let (_server, base) = demo(dir, &key_file, 80);

    let state = dir.join("monitor");
    let s = state.to_str().unwrap();
    let first = ok(&[
        "register", "monitor", "--url", &base, "--key", vkey, "--state", s,
    ]);
    assert!(first.contains("first run"), "{first}");
    assert!(first.contains("grant:"), "{first}");
    let again = ok(&[
        "register", "monitor", "--url", &base, "--key", vkey, "--state", s,
    ]);
    assert!(again.contains("unchanged"), "{again}");
    let size = checkpoint_size(&state.join("checkpoint"));
    assert!(size > 2, "demo log has {size} entries");

    // The real entries, via a static export.
    let db = format!("sqlite://{}", dir.join("probity.db").display());
    let mirror = dir.join("mirror");
    ok(&[
        "register",
        "export",
        mirror.to_str().unwrap(),
        "--database-url",
        &db,
    ]);
    let entries = exported_entries(&mirror);
    assert_eq!(entries.len() as u64, size);
    let signer = probity_service::register::load_key_file(&key_file, None).unwrap();
    // The demo's decisions, then the anchor of its audit chain.
    let decoded: Vec<LogEntry> = entries
        .iter()
        .map(|e| LogEntry::decode(e).unwrap())
        .collect();
    let last_decision = || -> RegisterEntry {
        decoded
            .iter()
            .rev()
            .find_map(|e| e.decision())
            .unwrap()
            .clone()
    };
    let last_anchor: AuditAnchor = *decoded.last().unwrap().anchor().expect("an anchor last");
    assert!(first.contains("audit anchor:"), "{first}");

    // A consistent extension (the real log plus one entry) is followed.
    let mut last = last_decision();
    last.seq += 1;
    let grow = dir.join("grow");
    let mut grown = entries.clone();
    grown.push(last.encode().unwrap());
    write_log(&grow, &signer, &grown);
    let state2 = dir.join("monitor2");
    let s2 = state2.to_str().unwrap();
    ok(&[
        "register", "monitor", "--url", &base, "--key", vkey, "--state", s2,
    ]);
    let out = ok(&[
        "register",
        "monitor",
        "--url",
        grow.to_str().unwrap(),
        "--key",
        vkey,
        "--state",
        s2,
    ]);
    assert!(
        out.contains(&format!("grew from {size} to {}", size + 1)),
        "{out}"
    );

    // A forked history signed by the same key: entry 1 rewritten, one entry more.
    let mut forked = grown.clone();
    let mut e1 = RegisterEntry::decode(&forked[1]).unwrap();
    e1.commitments.0[0][0] ^= 1;
    forked[1] = e1.encode().unwrap();
    let fork = dir.join("fork");
    write_log(&fork, &signer, &forked);
    let f = fork.to_str().unwrap();
    let out = fails(
        &[
            "register", "monitor", "--url", f, "--key", vkey, "--state", s,
        ],
        "fork: the signed checkpoint",
    );
    assert!(out.contains("evidence"), "{out}");
    let ev = evidence_dirs(&state);
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(checkpoint_size(&ev[0].join("remembered.checkpoint")), size);
    assert_eq!(checkpoint_size(&ev[0].join("new.checkpoint")), size + 1);
    // Same size, different root: also a fork.
    write_log(&fork, &signer, &forked[..size as usize]);
    fails(
        &[
            "register", "monitor", "--url", f, "--key", vkey, "--state", s,
        ],
        "same size, different root",
    );
    // A signed rollback.
    write_log(&fork, &signer, &entries[..1]);
    fails(
        &[
            "register", "monitor", "--url", f, "--key", vkey, "--state", s,
        ],
        "rollback",
    );
    assert_eq!(evidence_dirs(&state).len(), 3);

    // A consistent extension whose new entry suspends a licence never granted.
    let mut bogus = last_decision();
    bogus.seq += 1;
    bogus.record.kind = RecordKind::Suspension;
    bogus.record.licence_number = None;
    bogus.record.refers_to = Some("GBSIEL/2099/9999999/L1".into());
    let mut bad = entries.clone();
    bad.push(bogus.encode().unwrap());
    write_log(&fork, &signer, &bad);
    fails(
        &[
            "register", "monitor", "--url", f, "--key", vkey, "--state", s,
        ],
        "refers to licence GBSIEL/2099/9999999/L1, which no earlier entry grants",
    );
    assert_eq!(evidence_dirs(&state).len(), 4);

    // A consistent extension whose new anchor says the audit chain got shorter.
    let shorter = AuditAnchor {
        length: last_anchor.length - 1,
        ..last_anchor
    };
    let mut bad = entries.clone();
    bad.push(shorter.encode().unwrap());
    write_log(&fork, &signer, &bad);
    fails(
        &[
            "register", "monitor", "--url", f, "--key", vkey, "--state", s,
        ],
        "the audit chain was shortened (events were deleted)",
    );
    assert_eq!(evidence_dirs(&state).len(), 5);

    // Failures never moved the state: the real log is still "unchanged".
    let again = ok(&[
        "register", "monitor", "--url", &base, "--key", vkey, "--state", s,
    ]);
    assert!(again.contains("unchanged"), "{again}");

    // A wrong key is refused without evidence.
    let other = ok(&[
        "register",
        "keygen",
        "--name",
        ORIGIN,
        "--out",
        dir.join("k2").to_str().unwrap(),
    ]);
    let st3 = dir.join("monitor3");
    fails(
        &[
            "register",
            "monitor",
            "--url",
            &base,
            "--key",
            other.trim(),
            "--state",
            st3.to_str().unwrap(),
        ],
        "signature not verified",
    );
    assert!(evidence_dirs(&st3).is_empty());
}
