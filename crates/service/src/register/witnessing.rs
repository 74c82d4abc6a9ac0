//! The log's side of witnessing (C2SP tlog-witness): which checkpoint to submit to which
//! witness with which consistency proof, recording the cosignatures that come back, and the
//! k-of-n policy that decides when the served checkpoint carries them.
//!
//! The HTTP calls are the caller's (the CLI's follow-up task): [`submissions`] says what to
//! send, [`record_cosignature`] / [`record_witness_size`] take the answers, [`assemble`]
//! stores (or clears) the cosigned checkpoint that [`crate::register::public::checkpoint`]
//! serves. What is remembered lives in the `settings` table.

use std::str::FromStr;

use probity_register::cosignature::CosignatureVerifier;
use probity_register::note::parse_note;
use probity_register::prove_consistency;
use probity_register::witness::{cosigned_note, read_cosignatures, AddCheckpoint};
use probity_store::register::{self as reg, DbHashes};
use probity_store::register_witness as rw;
use probity_store::StoreError;
use serde::{Deserialize, Serialize};

use crate::{Ctx, ServiceError, ServiceResult};

/// One witness: `<name>=<cosignature verifier key>@<submission URL prefix>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessConfig {
    pub name: String,
    pub verifier: CosignatureVerifier,
    /// Submission prefix; requests go to `<url>/add-checkpoint`.
    pub url: String,
}

impl FromStr for WitnessConfig {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (name, rest) = s
            .split_once('=')
            .ok_or_else(|| format!("{s:?}: want <name>=<verifier key>@<url>"))?;
        let (vkey, url) = rest
            .split_once('@')
            .ok_or_else(|| format!("{s:?}: want <name>=<verifier key>@<url>"))?;
        let verifier = CosignatureVerifier::from_vkey(vkey.trim())
            .map_err(|e| format!("witness {name}: invalid cosignature key: {e}"))?;
        if probity_register::note::NoteVerifier::name(&verifier) != name {
            return Err(format!(
                "witness {name}: the key is for another name ({})",
                probity_register::note::NoteVerifier::name(&verifier)
            ));
        }
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("witness {name}: {url:?} is not an http(s) URL"));
        }
        Ok(WitnessConfig {
            name: name.to_owned(),
            verifier,
            url: url.trim_end_matches('/').to_owned(),
        })
    }
}

/// The witnesses and how many cosignatures the served checkpoint needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessPolicy {
    pub witnesses: Vec<WitnessConfig>,
    pub quorum: usize,
}

impl WitnessPolicy {
    /// `quorum` must be between 1 and the number of witnesses.
    pub fn new(witnesses: Vec<WitnessConfig>, quorum: usize) -> Result<Self, String> {
        if witnesses.is_empty() {
            return Err("no witnesses configured".into());
        }
        if quorum == 0 || quorum > witnesses.len() {
            return Err(format!(
                "witness quorum {quorum} is not between 1 and the {} configured witnesses",
                witnesses.len()
            ));
        }
        for (i, w) in witnesses.iter().enumerate() {
            if witnesses[..i].iter().any(|o| o.name == w.name) {
                return Err(format!("witness {} is configured twice", w.name));
            }
        }
        Ok(WitnessPolicy { witnesses, quorum })
    }
}

/// What the log remembers about one witness.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Record {
    /// The tree size the witness is known to hold (its next request's old size).
    size: u64,
    /// The size of the checkpoint its cosignature line is on.
    cosigned_size: Option<u64>,
    line: Option<String>,
}

async fn record(conn: &mut sqlx::AnyConnection, name: &str) -> ServiceResult<Record> {
    Ok(rw::witness_record(conn, name)
        .await?
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

async fn save(conn: &mut sqlx::AnyConnection, name: &str, r: &Record) -> ServiceResult<()> {
    let text = serde_json::to_string(r).map_err(|e| corrupt(e.to_string()))?;
    rw::set_witness_record(conn, name, &text).await?;
    Ok(())
}

fn corrupt(msg: String) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(msg))
}

/// A request to send: POST `body` to `<url>/add-checkpoint` of witness number `witness`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub witness: usize,
    pub checkpoint_size: u64,
    pub body: Vec<u8>,
}

/// The latest checkpoint, for each witness that has not cosigned it yet, with a consistency
/// proof from the size that witness is known to hold.
pub async fn submissions(ctx: &Ctx, policy: &WitnessPolicy) -> ServiceResult<Vec<Submission>> {
    let mut tx = ctx.store.begin_read().await?;
    let Some(cp) = reg::latest_checkpoint(&mut tx).await? else {
        return Ok(Vec::new());
    };
    let size = cp.tree_size;
    let mut out = Vec::new();
    for (i, w) in policy.witnesses.iter().enumerate() {
        let r = record(&mut tx, &w.name).await?;
        if r.cosigned_size == Some(size) {
            continue;
        }
        if r.size > size {
            tracing::warn!(witness = %w.name, witness_size = r.size, size,
                "witness holds a larger tree than this log has signed");
            continue;
        }
        let proof = if r.size == 0 || r.size == size {
            Vec::new()
        } else {
            let old = r.size;
            DbHashes::compute(&mut tx, |h| prove_consistency(old, size, h))
                .await?
                .map_err(|e| corrupt(e.to_string()))?
        };
        let body = AddCheckpoint {
            old_size: r.size,
            proof,
            note: cp.note.clone().into_bytes(),
        }
        .to_body();
        out.push(Submission {
            witness: i,
            checkpoint_size: size,
            body,
        });
    }
    Ok(out)
}

/// A witness answered 409 with the size it holds: use it as the next old size.
pub async fn record_witness_size(
    ctx: &Ctx,
    policy: &WitnessPolicy,
    witness: usize,
    size: u64,
) -> ServiceResult<()> {
    let name = &policy.witnesses[witness].name;
    // Read-modify-write of the witness's record: under the command lock, so two updates of
    // one record cannot interleave.
    let mut tx = ctx.store.begin_command().await?;
    let mut r = record(&mut tx, name).await?;
    r.size = size;
    save(&mut tx, name, &r).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// A witness answered 200: check its cosignature on the checkpoint of `checkpoint_size` and
/// remember it. Returns an error (and remembers nothing) if no valid cosignature came back.
pub async fn record_cosignature(
    ctx: &Ctx,
    policy: &WitnessPolicy,
    witness: usize,
    checkpoint_size: u64,
    response: &[u8],
) -> ServiceResult<()> {
    let w = &policy.witnesses[witness];
    let mut conn = ctx.store.begin_command().await?;
    let cp = reg::checkpoint_at(&mut conn, checkpoint_size)
        .await?
        .ok_or_else(|| corrupt(format!("no checkpoint of size {checkpoint_size}")))?;
    let text = parse_note(cp.note.as_bytes())
        .map_err(|e| corrupt(e.to_string()))?
        .text;
    let sigs = read_cosignatures(&w.verifier, &text, response)
        .map_err(|e| ServiceError::Conflict(format!("witness {}: {e}", w.name)))?;
    let line = sigs
        .first()
        .map(|s| s.line())
        .ok_or_else(|| ServiceError::Conflict(format!("witness {}: no cosignature", w.name)))?;
    let r = Record {
        size: checkpoint_size,
        cosigned_size: Some(checkpoint_size),
        line: Some(line),
    };
    save(&mut conn, &w.name, &r).await?;
    conn.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Stores the latest checkpoint with the cosignatures appended if at least `quorum` witnesses
/// have cosigned it, else clears the stored cosigned checkpoint. Returns how many have.
pub async fn assemble(ctx: &Ctx, policy: &WitnessPolicy) -> ServiceResult<usize> {
    // The latest checkpoint and the cosignatures are read in the transaction that stores the
    // cosigned note, under the command lock, so the note is for the checkpoint just read.
    let mut conn = ctx.store.begin_command().await?;
    let Some(cp) = reg::latest_checkpoint(&mut conn).await? else {
        return Ok(0);
    };
    let mut with_lines = cp.note.clone();
    for w in &policy.witnesses {
        let r = record(&mut conn, &w.name).await?;
        if let (Some(size), Some(line)) = (r.cosigned_size, &r.line) {
            if size == cp.tree_size {
                with_lines.push_str(line);
            }
        }
    }
    let parsed = parse_note(with_lines.as_bytes()).map_err(|e| corrupt(e.to_string()))?;
    let verifiers: Vec<CosignatureVerifier> = policy
        .witnesses
        .iter()
        .map(|w| w.verifier.clone())
        .collect();
    let count = policy
        .witnesses
        .iter()
        .filter(|w| {
            parsed.signatures.iter().any(|s| {
                s.name == w.name
                    && w.verifier
                        .verify_cosignature(parsed.text.as_bytes(), &s.signature)
                        .is_ok()
            })
        })
        .count();
    let note = cosigned_note(
        cp.note.as_bytes(),
        &verifiers,
        policy.quorum,
        &parsed.signatures,
    );
    rw::set_cosigned_checkpoint(&mut conn, note.as_deref().unwrap_or("")).await?;
    conn.commit().await.map_err(StoreError::from)?;
    Ok(count)
}

/// The latest checkpoint with its cosignatures, if the stored cosigned note is for it.
pub(crate) async fn cosigned_latest(
    conn: &mut sqlx::AnyConnection,
    latest_note: &str,
) -> ServiceResult<Option<String>> {
    let Some(c) = rw::cosigned_checkpoint(conn)
        .await?
        .filter(|c| !c.is_empty())
    else {
        return Ok(None);
    };
    let same = match (parse_note(c.as_bytes()), parse_note(latest_note.as_bytes())) {
        (Ok(a), Ok(b)) => a.text == b.text,
        _ => false,
    };
    Ok(same.then_some(c))
}

#[cfg(test)]
mod tests {
    use probity_register::cosignature::Cosigner;

    use super::*;

    fn config(i: u8) -> WitnessConfig {
        let c = Cosigner::from_seed(&format!("w{i}.example"), &[i; 32]).unwrap();
        format!("w{i}.example={}@http://127.0.0.1:1/", c.verifier().vkey())
            .parse()
            .unwrap()
    }

    #[test]
    fn parses_witness_flags_and_checks_the_policy() {
        let w = config(1);
        assert_eq!(w.name, "w1.example");
        assert_eq!(w.url, "http://127.0.0.1:1");
        let vk = w.verifier.vkey();
        assert!(format!("other={vk}@http://x")
            .parse::<WitnessConfig>()
            .is_err());
        assert!(format!("w1.example={vk}").parse::<WitnessConfig>().is_err());
        assert!(format!("w1.example={vk}@ftp://x")
            .parse::<WitnessConfig>()
            .is_err());
        assert!("w1.example=nonsense@http://x"
            .parse::<WitnessConfig>()
            .is_err());
        assert!(WitnessPolicy::new(vec![config(1), config(2)], 2).is_ok());
        assert!(WitnessPolicy::new(vec![config(1), config(2)], 3).is_err());
        assert!(WitnessPolicy::new(vec![config(1)], 0).is_err());
        assert!(WitnessPolicy::new(vec![config(1), config(1)], 1).is_err());
        assert!(WitnessPolicy::new(vec![], 1).is_err());
    }
}
