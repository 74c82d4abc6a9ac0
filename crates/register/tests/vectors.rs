//! Runs every inclusion and consistency proof test vector from
//! transparency-dev/merkle (copied into shared/data/tlog-vectors/testdata).
//!
//! The `subtreeinclusion` and `subtreeconsistency` folders are skipped on
//! purpose: they test proofs for arbitrary subtrees `[start, end)` (the
//! Merkle Tree Certificates draft), an API this crate does not offer.

mod common;

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use probity_register::merkle::{verify_consistency, verify_inclusion};
use serde::Deserialize;

fn testdata() -> PathBuf {
    let dir = common::shared_data("tlog-vectors/testdata");
    assert!(
        dir.join("inclusion").is_dir() && dir.join("consistency").is_dir(),
        "test vectors missing: expected {} with inclusion/ and consistency/ \
         (see shared/data/README.md, section tlog-vectors)",
        dir.display()
    );
    dir
}

/// Every .json file under `dir`, sorted, recursively.
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries =
            std::fs::read_dir(&d).unwrap_or_else(|e| panic!("cannot read {}: {e}", d.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn b64(s: &str, file: &Path) -> Vec<u8> {
    B64.decode(s)
        .unwrap_or_else(|e| panic!("{}: bad base64 {s:?}: {e}", file.display()))
}

fn b64_list(list: &Option<Vec<String>>, file: &Path) -> Vec<Vec<u8>> {
    list.iter().flatten().map(|s| b64(s, file)).collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InclusionCase {
    leaf_idx: u64,
    tree_size: u64,
    root: String,
    leaf_hash: String,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsistencyCase {
    size1: u64,
    size2: u64,
    root1: String,
    root2: String,
    proof: Option<Vec<String>>,
    desc: String,
    #[serde(rename = "wantErr")]
    want_err: bool,
}

fn read<T: for<'de> Deserialize<'de>>(file: &Path) -> T {
    let text = std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// Checks one outcome, returning a failure description if it is wrong.
fn judge(
    file: &Path,
    desc: &str,
    want_err: bool,
    got: Result<(), impl std::fmt::Debug>,
) -> Option<String> {
    match (want_err, got) {
        (false, Err(e)) => Some(format!(
            "{}: {desc}: rejected a valid proof: {e:?}",
            file.display()
        )),
        (true, Ok(())) => Some(format!(
            "{}: {desc}: accepted a corrupted proof",
            file.display()
        )),
        _ => None,
    }
}

#[test]
fn inclusion_vectors() {
    let files = json_files(&testdata().join("inclusion"));
    let mut failures = Vec::new();
    let (mut valid, mut invalid) = (0, 0);
    for file in &files {
        let c: InclusionCase = read(file);
        let proof = b64_list(&c.proof, file);
        let got = verify_inclusion(
            c.leaf_idx,
            c.tree_size,
            &b64(&c.leaf_hash, file),
            &proof,
            &b64(&c.root, file),
        );
        if c.want_err {
            invalid += 1
        } else {
            valid += 1
        }
        failures.extend(judge(file, &c.desc, c.want_err, got));
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!(
        "inclusion vectors: {} cases ({valid} valid, {invalid} corrupted)",
        files.len()
    );
    // 98 files (6 valid) at the pinned commit; fail if the walk finds fewer.
    assert!(
        files.len() >= 98,
        "only {} inclusion cases found",
        files.len()
    );
    assert!(
        valid >= 6 && invalid >= 90,
        "valid {valid}, corrupted {invalid}"
    );
}

#[test]
fn consistency_vectors() {
    let files = json_files(&testdata().join("consistency"));
    let mut failures = Vec::new();
    let (mut valid, mut invalid) = (0, 0);
    for file in &files {
        let c: ConsistencyCase = read(file);
        let proof = b64_list(&c.proof, file);
        let got = verify_consistency(
            c.size1,
            c.size2,
            &b64(&c.root1, file),
            &b64(&c.root2, file),
            &proof,
        );
        if c.want_err {
            invalid += 1
        } else {
            valid += 1
        }
        failures.extend(judge(file, &c.desc, c.want_err, got));
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!(
        "consistency vectors: {} cases ({valid} valid, {invalid} corrupted)",
        files.len()
    );
    // 98 files (6 valid) at the pinned commit.
    assert!(
        files.len() >= 98,
        "only {} consistency cases found",
        files.len()
    );
    assert!(
        valid >= 6 && invalid >= 90,
        "valid {valid}, corrupted {invalid}"
    );
}
