//! The register end to end against the real binary: keygen, a demo server sequencing its
//! decisions, `verify` over HTTP and against an export, `prove` / `verify-entry`, openings,
//! and tampering (in the database, in a mirror, in a proof, a wrong key) detected.
mod common;

use common::*;

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

    let (_server, base) = demo(dir, &key_file, 20);
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
