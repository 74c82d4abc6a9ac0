//! The register end to end against the real binary: keygen, a demo server sequencing its
//! decisions, `verify` over HTTP and against an export, `prove` / `verify-entry`, openings,
//! and tampering (in the database, in a mirror, in a proof, a wrong key) detected.
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_probity");

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("PROBITY_LOG", "warn")
        .output()
        .expect("run probity")
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "probity {args:?} failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn fails(args: &[&str], needle: &str) {
    let out = run(args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "probity {args:?}: {stdout}");
    assert!(
        stdout.contains(needle),
        "probity {args:?} said {stdout:?}, want {needle:?}"
    );
}

/// `probity demo` on a free port with the given key; returns the guard and base URL.
fn demo(dir: &Path, key: &Path) -> (Kill, String) {
    let mut child = Command::new(BIN)
        .args([
            "demo",
            "--applications",
            "20",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(dir)
        .arg("--register-key")
        .arg(key)
        .env("PROBITY_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start probity demo");
    let stdout = child.stdout.take().expect("stdout");
    let guard = Kill(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("listening on ") {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        }
    });
    let base = rx
        .recv_timeout(Duration::from_secs(300))
        .expect("the demo did not start within 300 s");
    (guard, base)
}

#[test]
fn register_round_trip_and_tamper_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let key_file = dir.join("register.key");
    let key_file_s = key_file.to_str().unwrap();
    let vkey = ok(&[
        "register",
        "keygen",
        "--name",
        "test.local/register",
        "--out",
        key_file_s,
    ]);
    let vkey = vkey.trim();
    assert!(vkey.starts_with("test.local/register+"), "{vkey}");
    // Never overwrites a key.
    assert!(
        !run(&["register", "keygen", "--name", "x", "--out", key_file_s])
            .status
            .success()
    );

    let (_server, base) = demo(dir, &key_file);
    let summary = ok(&["register", "verify", "--url", &base, "--key", vkey]);
    assert!(
        summary.contains("OK: register test.local/register verified"),
        "{summary}"
    );
    assert!(summary.contains("grant:"), "{summary}");

    // A proof, checked offline; a forged one is refused.
    let proof = ok(&[
        "register", "prove", "--url", &base, "--key", vkey, "--index", "0",
    ]);
    let proof_file = dir.join("proof.json");
    std::fs::write(&proof_file, &proof).unwrap();
    let p = proof_file.to_str().unwrap();
    assert!(ok(&["register", "verify-entry", p, "--key", vkey]).contains("OK: entry 0"));
    let mut json: serde_json::Value = serde_json::from_str(&proof).unwrap();
    let entry = json["entry"].as_str().unwrap().to_string();
    let forged = format!(
        "{}{}",
        &entry[..30],
        if &entry[30..31] == "A" { "B" } else { "A" }
    );
    json["entry"] = format!("{forged}{}", &entry[31..]).into();
    std::fs::write(&proof_file, json.to_string()).unwrap();
    fails(&["register", "verify-entry", p, "--key", vkey], "FAILED");

    // A static export verifies; a flipped byte in it does not.
    let db = format!("sqlite://{}", dir.join("probity.db").display());
    let mirror = dir.join("mirror");
    let m = mirror.to_str().unwrap();
    ok(&["register", "export", m, "--database-url", &db]);
    assert!(ok(&["register", "verify", "--url", m, "--key", vkey]).contains("OK:"));
    let tile = std::fs::read_dir(mirror.join("register/tile/0"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let tile = if tile.is_dir() {
        std::fs::read_dir(&tile)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path()
    } else {
        tile
    };
    let mut bytes = std::fs::read(&tile).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&tile, bytes).unwrap();
    fails(
        &["register", "verify", "--url", m, "--key", vkey],
        "does not match the tree",
    );

    // An opening given by the operator checks against the published entry.
    let opening = ok(&[
        "register",
        "open",
        "--database-url",
        &db,
        "--index",
        "0",
        "--field",
        "exporter",
    ]);
    let opening_file = dir.join("opening.json");
    std::fs::write(&opening_file, &opening).unwrap();
    let o = opening_file.to_str().unwrap();
    assert!(ok(&[
        "register",
        "verify-opening",
        o,
        "--url",
        &base,
        "--key",
        vkey
    ])
    .contains("commits to exporter"));
    std::fs::write(
        &opening_file,
        opening.replace("\"value\":\"", "\"value\":\"Not "),
    )
    .unwrap();
    fails(
        &[
            "register",
            "verify-opening",
            o,
            "--url",
            &base,
            "--key",
            vkey,
        ],
        "does not open",
    );

    // A wrong key, and an entry changed in the database, are caught over HTTP.
    let other = ok(&[
        "register",
        "keygen",
        "--name",
        "test.local/register",
        "--out",
        dir.join("k2").to_str().unwrap(),
    ]);
    fails(
        &["register", "verify", "--url", &base, "--key", other.trim()],
        "signature not verified",
    );
    tamper_first_entry(&db);
    fails(
        &["register", "verify", "--url", &base, "--key", vkey],
        "does not match the signed checkpoint root",
    );
}

fn tamper_first_entry(db: &str) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = probity_store::Store::connect(db).await.unwrap();
        let entry: String = sqlx::query_scalar("SELECT entry FROM register_entries WHERE idx = 0")
            .fetch_one(store.pool())
            .await
            .unwrap();
        // Change a byte of the first commitment: still a valid entry, different bytes.
        let mut bytes = base64_decode(&entry);
        let at = bytes.len() - 5 * 32;
        bytes[at] ^= 1;
        let forged = base64_encode(&bytes);
        sqlx::query("UPDATE register_entries SET entry = $1 WHERE idx = 0")
            .bind(forged)
            .execute(store.pool())
            .await
            .unwrap();
    });
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}
