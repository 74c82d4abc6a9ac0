//! Witnessing end to end against the real binary: two `probity witness serve` processes and a
//! demo log configured with three witnesses (one unreachable). With a 2-of-3 quorum the served
//! checkpoint carries both cosignatures (and `verify` / `monitor` still accept it); with
//! 3-of-3 it carries none. The witness refuses a forked and a rolled-back checkpoint signed
//! by the log's own key, with the tlog-witness status codes.
mod common;

use common::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use probity_service::register::log::checkpoint::Checkpoint;
use probity_service::register::log::cosignature::CosignatureVerifier;
use probity_service::register::log::note::{
    open_note, parse_note, sign_note, Ed25519Verifier, NoteVerifier,
};
use probity_service::register::log::witness::AddCheckpoint;

const ORIGIN: &str = "witness.test/register";

/// Starts `probity <args>` and waits for its "listening on <url>" line.
fn start(args: &[String]) -> (Kill, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .env("PROBITY_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start probity");
    let stdout = child.stdout.take().expect("stdout");
    let guard = Kill(child);
    (guard, listening_url(stdout))
}

/// A bare HTTP/1.0 request: (status, body).
fn http(base: &str, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let host = base.strip_prefix("http://").unwrap();
    let mut s = TcpStream::connect(host).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.0\r\nHost: {host}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).unwrap();
    let split = resp.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let status = std::str::from_utf8(&resp[9..12]).unwrap().parse().unwrap();
    (status, resp[split + 4..].to_vec())
}

fn signature_lines(note: &[u8]) -> usize {
    parse_note(note).unwrap().signatures.len()
}

/// Polls the served checkpoint until it has `want` signature lines.
fn wait_for_signatures(base: &str, want: usize) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, note) = http(base, "GET", "/register/checkpoint", b"");
        if status == 200 && signature_lines(&note) == want {
            return note;
        }
        assert!(
            Instant::now() < deadline,
            "checkpoint never got {want} signatures: {}",
            String::from_utf8_lossy(&note)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn demo_args(dir: &Path, key: &Path, witnesses: &[String], quorum: usize) -> Vec<String> {
    let mut a: Vec<String> = [
        "demo",
        "--applications",
        "20",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    a.push(dir.display().to_string());
    a.push("--register-key".into());
    a.push(key.display().to_string());
    for w in witnesses {
        a.push("--witness".into());
        a.push(w.clone());
    }
    a.push("--witness-quorum".into());
    a.push(quorum.to_string());
    a
}

#[test]
fn witnesses_cosign_the_log_with_a_k_of_n_policy_and_refuse_forks() {
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
    let vkey = vkey.trim().to_string();

    let mut witnesses = Vec::new();
    let mut flags = Vec::new();
    let mut verifiers = Vec::new();
    for i in 1..=3 {
        let name = format!("w{i}.witness.test");
        let wkey = dir.join(format!("w{i}.key"));
        let wvkey = ok(&[
            "witness",
            "keygen",
            "--name",
            &name,
            "--out",
            wkey.to_str().unwrap(),
        ]);
        let wvkey = wvkey.trim().to_string();
        verifiers.push(CosignatureVerifier::from_vkey(&wvkey).unwrap());
        let url = if i < 3 {
            let (guard, url) = start(&[
                "witness".into(),
                "serve".into(),
                "--listen".into(),
                "127.0.0.1:0".into(),
                "--key".into(),
                wkey.display().to_string(),
                "--state".into(),
                dir.join(format!("w{i}-state")).display().to_string(),
                "--log".into(),
                format!("{ORIGIN}={vkey}"),
            ]);
            witnesses.push((guard, url.clone()));
            url
        } else {
            // Nobody listens here.
            "http://127.0.0.1:9".to_string()
        };
        flags.push(format!("{name}={wvkey}@{url}"));
    }

    // 2 of 3: the two live witnesses' cosignatures are served.
    let (server, base) = start(&demo_args(dir, &key_file, &flags, 2));
    let note = wait_for_signatures(&base, 3);
    let log = Ed25519Verifier::from_vkey(&vkey).unwrap();
    let all: Vec<&dyn NoteVerifier> = vec![&log, &verifiers[0], &verifiers[1], &verifiers[2]];
    let opened = open_note(&note, &all).unwrap();
    assert_eq!(opened.verified.len(), 3);
    let names: Vec<&str> = opened.verified.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains(&"w1.witness.test") && names.contains(&"w2.witness.test"));
    let cp = Checkpoint::parse(&opened.text).unwrap();
    // Verifiers and monitors accept the cosigned checkpoint.
    assert!(ok(&["register", "verify", "--url", &base, "--key", &vkey]).contains("OK:"));
    let state = dir.join("monitor");
    ok(&[
        "register",
        "monitor",
        "--url",
        &base,
        "--key",
        &vkey,
        "--state",
        state.to_str().unwrap(),
    ]);
    drop(server);

    // 3 of 3 cannot be met: the checkpoint is served with the log's signature only.
    let (_server, base) = start(&demo_args(dir, &key_file, &flags, 3));
    std::thread::sleep(Duration::from_secs(2));
    wait_for_signatures(&base, 1);

    // The witness refuses, with the spec's statuses, a fork and a rollback signed by the
    // log's own key.
    let signer = probity_service::register::load_key_file(&key_file, None).unwrap();
    let w1 = &witnesses[0].1;
    let size = cp.size();
    let forged = Checkpoint::new(ORIGIN, size, [7; 32]).unwrap();
    let body = AddCheckpoint {
        old_size: size,
        proof: vec![],
        note: sign_note(&forged.to_text(), &[&signer])
            .unwrap()
            .into_bytes(),
    };
    let (status, answer) = http(w1, "POST", "/add-checkpoint", &body.to_body());
    assert_eq!(status, 409, "{}", String::from_utf8_lossy(&answer));
    let bigger = Checkpoint::new(ORIGIN, size + 3, [7; 32]).unwrap();
    let body = AddCheckpoint {
        old_size: size,
        proof: vec![[1; 32], [2; 32]],
        note: sign_note(&bigger.to_text(), &[&signer])
            .unwrap()
            .into_bytes(),
    };
    let (status, _) = http(w1, "POST", "/add-checkpoint", &body.to_body());
    assert_eq!(status, 422);
    let older = Checkpoint::new(ORIGIN, size - 1, [7; 32]).unwrap();
    let note = sign_note(&older.to_text(), &[&signer]).unwrap();
    let body = AddCheckpoint {
        old_size: size,
        proof: vec![],
        note: note.clone().into_bytes(),
    };
    assert_eq!(http(w1, "POST", "/add-checkpoint", &body.to_body()).0, 400);
    let body = AddCheckpoint {
        old_size: 0,
        proof: vec![],
        note: note.into_bytes(),
    };
    let (status, answer) = http(w1, "POST", "/add-checkpoint", &body.to_body());
    assert_eq!(status, 409);
    assert_eq!(answer, format!("{size}\n").into_bytes());
}
