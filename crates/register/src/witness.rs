//! Witnessing per C2SP tlog-witness: the `add-checkpoint` request body, the witness's checks
//! (with the spec's HTTP status for each refusal), and the log side — building a request,
//! reading the witness's cosignature lines, and a k-of-n policy for serving a cosigned
//! checkpoint.
//!
//! Request body:
//!
//! ```text
//! old <size>\n
//! <base64 consistency proof hash>\n      (0 to 63 lines)
//! \n
//! <signed checkpoint note>
//! ```
//!
//! Storage is the caller's business: the witness must check the stored size and persist the
//! new one atomically ([`Witness::check`] is pure; hold a lock around check and store).

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use thiserror::Error;

use crate::checkpoint::Checkpoint;
use crate::cosignature::{CosignatureVerifier, Cosigner};
use crate::merkle::{verify_consistency, Hash};
use crate::note::{
    format_note, open_note, parse_note, Ed25519Signer, Ed25519Verifier, KeyError, NoteSignature,
    NoteVerifier,
};

/// Most consistency proof lines a request may carry.
pub const MAX_PROOF_LINES: usize = 63;

/// Content type of a 409 response body (the witness's stored size).
pub const SIZE_CONTENT_TYPE: &str = "text/x.tlog.size";

/// A parsed `add-checkpoint` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint {
    pub old_size: u64,
    pub proof: Vec<Hash>,
    /// The signed checkpoint note, as sent.
    pub note: Vec<u8>,
}

/// Why a witness refuses a request; [`WitnessError::status`] is the HTTP status to answer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WitnessError {
    #[error("malformed request: {0}")]
    Malformed(String),
    #[error("unknown log origin {0:?}")]
    UnknownOrigin(String),
    #[error("no signature verifies against a trusted key for {origin}: {reason}")]
    Forbidden { origin: String, reason: String },
    #[error("old size {old} is larger than the checkpoint size {size}")]
    OldAfterNew { old: u64, size: u64 },
    /// The client's old size is not the stored size (body: the stored size).
    #[error("old size {old} does not match the latest cosigned size {stored}")]
    SizeMismatch { old: u64, stored: u64 },
    /// Same size as the stored checkpoint but a different root: a fork.
    #[error("checkpoint of size {size} has a different root than the one already cosigned")]
    RootMismatch { size: u64 },
    #[error("consistency proof from {old} to {size} does not verify: {reason}")]
    BadProof { old: u64, size: u64, reason: String },
}

impl WitnessError {
    /// The HTTP status per tlog-witness.
    pub fn status(&self) -> u16 {
        match self {
            WitnessError::Malformed(_) | WitnessError::OldAfterNew { .. } => 400,
            WitnessError::Forbidden { .. } => 403,
            WitnessError::UnknownOrigin(_) => 404,
            WitnessError::SizeMismatch { .. } | WitnessError::RootMismatch { .. } => 409,
            WitnessError::BadProof { .. } => 422,
        }
    }

    /// The response body: the stored size for a size mismatch, else the message.
    pub fn body(&self) -> (String, &'static str) {
        match self {
            WitnessError::SizeMismatch { stored, .. } => (format!("{stored}\n"), SIZE_CONTENT_TYPE),
            other => (format!("{other}\n"), "text/plain; charset=utf-8"),
        }
    }
}

/// ASCII decimal without leading zeros.
fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

impl AddCheckpoint {
    /// Strictly parses a request body.
    pub fn parse(body: &[u8]) -> Result<Self, WitnessError> {
        let bad = |m: &str| WitnessError::Malformed(m.to_owned());
        let mut rest = body;
        let next_line = |rest: &mut &[u8]| -> Result<String, WitnessError> {
            let end = rest
                .iter()
                .position(|&b| b == b'\n')
                .ok_or_else(|| bad("a header line does not end in a newline"))?;
            let line = std::str::from_utf8(&rest[..end])
                .map_err(|_| bad("header is not UTF-8"))?
                .to_owned();
            *rest = &rest[end + 1..];
            Ok(line)
        };
        let first = next_line(&mut rest)?;
        let old_size = first
            .strip_prefix("old ")
            .and_then(parse_decimal)
            .ok_or_else(|| bad("the first line must be \"old <size>\""))?;
        let mut proof = Vec::new();
        loop {
            let line = next_line(&mut rest)?;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(bad("more than 63 consistency proof lines"));
            }
            let hash: Hash = B64
                .decode(&line)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| bad("a proof line is not base64 of 32 bytes"))?;
            proof.push(hash);
        }
        Ok(AddCheckpoint {
            old_size,
            proof,
            note: rest.to_vec(),
        })
    }

    /// The request body.
    pub fn to_body(&self) -> Vec<u8> {
        let mut out = format!("old {}\n", self.old_size).into_bytes();
        for h in &self.proof {
            out.extend_from_slice(B64.encode(h).as_bytes());
            out.push(b'\n');
        }
        out.push(b'\n');
        out.extend_from_slice(&self.note);
        out
    }
}

/// What a witness remembers per origin: the latest cosigned tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeHead {
    pub size: u64,
    pub root: Hash,
}

/// A witness: its cosigning key and the logs it follows.
#[derive(Debug, Clone)]
pub struct Witness {
    cosigner: Cosigner,
    logs: BTreeMap<String, Vec<Ed25519Verifier>>,
}

impl Witness {
    pub fn new(cosigner: Cosigner) -> Self {
        Witness {
            cosigner,
            logs: BTreeMap::new(),
        }
    }

    /// Trusts `key` for the log whose origin is the key's name.
    pub fn add_log(&mut self, key: Ed25519Verifier) {
        self.logs
            .entry(key.name().to_owned())
            .or_default()
            .push(key);
    }

    pub fn cosigner(&self) -> &Cosigner {
        &self.cosigner
    }

    /// The origin named by a request's checkpoint (before any check), to look up its state.
    pub fn origin_of(req: &AddCheckpoint) -> Result<String, WitnessError> {
        let note = parse_note(&req.note)
            .map_err(|e| WitnessError::Malformed(format!("checkpoint note: {e}")))?;
        Checkpoint::parse(&note.text)
            .map(|c| c.origin().to_owned())
            .map_err(|e| WitnessError::Malformed(format!("checkpoint: {e}")))
    }

    /// Checks a request against the stored head for its origin (`None`: never cosigned).
    /// Returns the checkpoint to cosign and persist.
    pub fn check(
        &self,
        req: &AddCheckpoint,
        stored: Option<TreeHead>,
    ) -> Result<(Checkpoint, String), WitnessError> {
        let origin = Self::origin_of(req)?;
        let keys = self
            .logs
            .get(&origin)
            .ok_or_else(|| WitnessError::UnknownOrigin(origin.clone()))?;
        let verifiers: Vec<&dyn NoteVerifier> =
            keys.iter().map(|k| k as &dyn NoteVerifier).collect();
        let note = open_note(&req.note, &verifiers).map_err(|e| WitnessError::Forbidden {
            origin: origin.clone(),
            reason: e.to_string(),
        })?;
        let cp = Checkpoint::from_note(&note, &origin)
            .map_err(|e| WitnessError::Malformed(format!("checkpoint: {e}")))?;
        let size = cp.size();
        if req.old_size > size {
            return Err(WitnessError::OldAfterNew {
                old: req.old_size,
                size,
            });
        }
        let stored_size = stored.map_or(0, |s| s.size);
        if req.old_size != stored_size {
            return Err(WitnessError::SizeMismatch {
                old: req.old_size,
                stored: stored_size,
            });
        }
        match stored {
            None => {
                if !req.proof.is_empty() {
                    return Err(WitnessError::BadProof {
                        old: 0,
                        size,
                        reason: "the proof must be empty when the old size is zero".into(),
                    });
                }
            }
            Some(s) if s.size == size => {
                if s.root != *cp.root() {
                    return Err(WitnessError::RootMismatch { size });
                }
                if !req.proof.is_empty() {
                    return Err(WitnessError::BadProof {
                        old: s.size,
                        size,
                        reason: "the proof must be empty between equal sizes".into(),
                    });
                }
            }
            Some(s) => {
                if s.size == 0 && !req.proof.is_empty() {
                    return Err(WitnessError::BadProof {
                        old: 0,
                        size,
                        reason: "the proof must be empty when the old size is zero".into(),
                    });
                }
                if s.size > 0 {
                    verify_consistency(s.size, size, &s.root, cp.root(), &req.proof).map_err(
                        |e| WitnessError::BadProof {
                            old: s.size,
                            size,
                            reason: e.to_string(),
                        },
                    )?;
                }
            }
        }
        Ok((cp, note.text))
    }

    /// The response body: this witness's cosignature line on the checkpoint text.
    pub fn cosign(&self, text: &str, timestamp: u64) -> Result<String, WitnessError> {
        self.cosigner
            .cosign(text, timestamp)
            .map(|s| s.line())
            .map_err(|e| WitnessError::Malformed(e.to_string()))
    }
}

/// A witness cosigner from a signer key file's text (`PRIVATE+KEY+<name>+<id>+<base64>`,
/// as written by `probity register keygen`): the same Ed25519 seed used for cosignatures.
pub fn cosigner_from_skey(skey: &str) -> Result<Cosigner, KeyError> {
    let signer = Ed25519Signer::from_skey(skey.trim())?;
    // PRIVATE+KEY+<name>+<hex8 id>+<base64>: names hold no '+', base64 may.
    let skey = signer.skey();
    let data = skey
        .strip_prefix("PRIVATE+KEY+")
        .and_then(|rest| rest.splitn(3, '+').nth(2))
        .and_then(|b| B64.decode(b).ok())
        .ok_or(KeyError::Malformed("signer key is not base64"))?;
    let seed: [u8; 32] = data
        .get(1..)
        .and_then(|s| s.try_into().ok())
        .ok_or(KeyError::Malformed("Ed25519 seed must be 32 bytes"))?;
    Cosigner::from_seed(signer.verifier().name(), &seed)
}

/// Log side: the cosignatures by `witness` in a response body, checked against `text` (the
/// checkpoint note text). Lines by other keys are ignored, as the spec requires.
pub fn read_cosignatures(
    witness: &CosignatureVerifier,
    text: &str,
    body: &[u8],
) -> Result<Vec<NoteSignature>, String> {
    let mut note = format!("{text}\n").into_bytes();
    note.extend_from_slice(body);
    let opened = open_note(&note, &[witness as &dyn NoteVerifier])
        .map_err(|e| format!("no valid cosignature by {}: {e}", witness.name()))?;
    Ok(opened.verified)
}

/// Log side, k-of-n: the checkpoint note with the cosignatures appended, if at least `quorum`
/// distinct witnesses among `witnesses` have valid cosignatures in `cosignatures`.
pub fn cosigned_note(
    note: &[u8],
    witnesses: &[CosignatureVerifier],
    quorum: usize,
    cosignatures: &[NoteSignature],
) -> Option<String> {
    let parsed = parse_note(note).ok()?;
    let mut chosen: Vec<NoteSignature> = Vec::new();
    for w in witnesses {
        let ok = cosignatures.iter().find(|s| {
            s.name == w.name()
                && s.key_id == w.key_id()
                && w.verify(parsed.text.as_bytes(), &s.signature)
        });
        if let Some(s) = ok {
            if !chosen
                .iter()
                .any(|c| c.name == s.name && c.key_id == s.key_id)
            {
                chosen.push(s.clone());
            }
        }
    }
    if chosen.len() < quorum.max(1) {
        return None;
    }
    let mut all = parsed.signatures;
    all.retain(|s| {
        !chosen
            .iter()
            .any(|c| c.name == s.name && c.key_id == s.key_id)
    });
    all.extend(chosen);
    format_note(&parsed.text, &all).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::{sign_note, Ed25519Signer};
    use crate::store::{append_entries, MemoryStore};
    use crate::tlog::prove_consistency;

    const ORIGIN: &str = "example.com/log";

    fn log_signer() -> Ed25519Signer {
        Ed25519Signer::from_seed(ORIGIN, &[1; 32]).unwrap()
    }

    fn witness(seed: u8, name: &str) -> Witness {
        let mut w = Witness::new(Cosigner::from_seed(name, &[seed; 32]).unwrap());
        w.add_log(log_signer().verifier());
        w
    }

    /// A log whose tree holds `entries`: (store, signed note of size n) for any n.
    fn tree(entries: &[&str]) -> MemoryStore {
        let mut s = MemoryStore::new();
        append_entries(&mut s, 0, entries).unwrap();
        s
    }

    fn signed(store: &MemoryStore, n: u64) -> (Vec<u8>, Hash) {
        let root = crate::tlog::tree_hash(n, store).unwrap();
        let cp = Checkpoint::new(ORIGIN, n, root).unwrap();
        (
            sign_note(&cp.to_text(), &[&log_signer()])
                .unwrap()
                .into_bytes(),
            root,
        )
    }

    fn req(store: &MemoryStore, old: u64, n: u64) -> AddCheckpoint {
        let proof = if old == 0 || old >= n {
            Vec::new()
        } else {
            prove_consistency(old, n, store).unwrap()
        };
        AddCheckpoint {
            old_size: old,
            proof,
            note: signed(store, n).0,
        }
    }

    /// Submits and, on success, stores the new head like a witness would.
    fn submit(
        w: &Witness,
        head: &mut Option<TreeHead>,
        r: &AddCheckpoint,
    ) -> Result<String, WitnessError> {
        let parsed = AddCheckpoint::parse(&r.to_body())?;
        assert_eq!(&parsed, r);
        let (cp, text) = w.check(&parsed, *head)?;
        *head = Some(TreeHead {
            size: cp.size(),
            root: *cp.root(),
        });
        w.cosign(&text, 1_700_000_000)
    }

    #[test]
    fn parses_the_spec_example_and_rejects_malformed_bodies() {
        let body = "old 20852014\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\njrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
        let r = AddCheckpoint::parse(body.as_bytes()).unwrap();
        assert_eq!(r.old_size, 20852014);
        assert_eq!(r.proof.len(), 2);
        assert!(r.note.starts_with(b"example.com/behind-the-sofa\n"));
        assert_eq!(r.to_body(), body.as_bytes());
        for bad in [
            "",
            "old 1",
            "old 01\n\nx",
            "old -1\n\nx",
            "new 1\n\nx",
            "old 1\nnot base64\n\nx",
            "old 1\nAAAA\n\nx",
            "old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n",
        ] {
            let e = AddCheckpoint::parse(bad.as_bytes()).unwrap_err();
            assert_eq!(e.status(), 400, "{bad:?}");
        }
        let many = format!(
            "old 1\n{}\nx",
            "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n".repeat(64)
        );
        assert!(AddCheckpoint::parse(many.as_bytes()).is_err());
    }

    #[test]
    fn cosigns_a_growing_log_and_the_cosignature_verifies() {
        let store = tree(&["a", "b", "c", "d", "e", "f", "g"]);
        let w = witness(9, "witness.example/w1");
        let mut head = None;
        for (old, n) in [(0, 2), (2, 5), (5, 5), (5, 7)] {
            let line = submit(&w, &mut head, &req(&store, old, n)).unwrap();
            let text = parse_note(&signed(&store, n).0).unwrap().text;
            let sigs = read_cosignatures(&w.cosigner().verifier(), &text, line.as_bytes()).unwrap();
            assert_eq!(sigs.len(), 1);
        }
        assert_eq!(head.unwrap().size, 7);
    }

    #[test]
    fn refuses_forks_rollbacks_and_strangers_with_the_spec_statuses() {
        let store = tree(&["a", "b", "c", "d", "e", "f"]);
        let forked = tree(&["a", "b", "X", "d", "e", "f"]);
        let w = witness(9, "witness.example/w1");
        let mut head = None;
        submit(&w, &mut head, &req(&store, 0, 4)).unwrap();

        // Fork at the same size: 409.
        let e = submit(&w, &mut head, &req(&forked, 4, 4)).unwrap_err();
        assert_eq!(
            (e.status(), &e),
            (409, &WitnessError::RootMismatch { size: 4 })
        );
        // Fork at a larger size: its proof cannot verify from our root: 422.
        let e = submit(&w, &mut head, &req(&forked, 4, 6)).unwrap_err();
        assert_eq!(e.status(), 422, "{e}");
        // A fork with an honest proof grafted on: still 422.
        let mut r = req(&forked, 4, 6);
        r.proof = req(&store, 4, 6).proof;
        assert_eq!(submit(&w, &mut head, &r).unwrap_err().status(), 422);

        // Rollback: an older checkpoint with the stored size as old: 400; with its own: 409
        // and the stored size in the body.
        let e = submit(&w, &mut head, &req(&store, 4, 2)).unwrap_err();
        assert_eq!(e.status(), 400, "{e}");
        let e = submit(&w, &mut head, &req(&store, 0, 2)).unwrap_err();
        assert_eq!(e.status(), 409);
        assert_eq!(e.body(), ("4\n".to_string(), SIZE_CONTENT_TYPE));
        assert_eq!(head.unwrap().size, 4, "refusals never move the state");

        // Unknown origin 404; a wrong key 403.
        let other = Ed25519Signer::from_seed("example.com/other", &[2; 32]).unwrap();
        let cp = Checkpoint::new("example.com/other", 1, [0; 32]).unwrap();
        let r = AddCheckpoint {
            old_size: 0,
            proof: vec![],
            note: sign_note(&cp.to_text(), &[&other]).unwrap().into_bytes(),
        };
        assert_eq!(submit(&w, &mut head, &r).unwrap_err().status(), 404);
        let impostor = Ed25519Signer::from_seed(ORIGIN, &[3; 32]).unwrap();
        let cp = Checkpoint::new(ORIGIN, 6, [0; 32]).unwrap();
        let r = AddCheckpoint {
            old_size: 4,
            proof: vec![],
            note: sign_note(&cp.to_text(), &[&impostor]).unwrap().into_bytes(),
        };
        assert_eq!(submit(&w, &mut head, &r).unwrap_err().status(), 403);

        // The honest continuation is still cosigned.
        submit(&w, &mut head, &req(&store, 4, 6)).unwrap();
    }

    #[test]
    fn k_of_n_policy() {
        let store = tree(&["a", "b", "c"]);
        let (note, _) = signed(&store, 3);
        let text = parse_note(&note).unwrap().text;
        let ws: Vec<Witness> = (0..3)
            .map(|i| witness(10 + i, &format!("witness.example/w{i}")))
            .collect();
        let vs: Vec<CosignatureVerifier> = ws.iter().map(|w| w.cosigner().verifier()).collect();
        let sigs: Vec<NoteSignature> = ws
            .iter()
            .map(|w| w.cosigner().cosign(&text, 1_700_000_000).unwrap())
            .collect();
        assert!(cosigned_note(&note, &vs, 2, &sigs[..1]).is_none());
        let two = cosigned_note(&note, &vs, 2, &sigs[..2]).unwrap();
        let lv = log_signer().verifier();
        let all: Vec<&dyn NoteVerifier> = vec![&lv, &vs[0], &vs[1], &vs[2]];
        assert_eq!(open_note(two.as_bytes(), &all).unwrap().verified.len(), 3);
        // Duplicates and cosignatures on other text do not count.
        let dup = vec![sigs[0].clone(), sigs[0].clone()];
        assert!(cosigned_note(&note, &vs, 2, &dup).is_none());
        let other_text = parse_note(&signed(&store, 2).0).unwrap().text;
        let stale = ws[1].cosigner().cosign(&other_text, 1).unwrap();
        assert!(cosigned_note(&note, &vs, 2, &[sigs[0].clone(), stale]).is_none());
        // An unknown witness does not count either.
        assert!(cosigned_note(&note, &vs[..1], 2, &sigs).is_none());
        assert_eq!(
            open_note(
                cosigned_note(&note, &vs, 3, &sigs).unwrap().as_bytes(),
                &all
            )
            .unwrap()
            .verified
            .len(),
            4
        );
        // The log key still opens a cosigned note (cosignatures are ignored by it).
        assert!(open_note(two.as_bytes(), &[&lv]).is_ok());
    }

    #[test]
    fn witness_key_from_a_signer_key_file() {
        // Many seeds, so that base64 with '+' and '/' in it is covered.
        for i in 0..=255u8 {
            let seed = [i.wrapping_mul(37); 32];
            let s = Ed25519Signer::from_seed("witness.example/w1", &seed).unwrap();
            let c = cosigner_from_skey(&s.skey()).unwrap();
            let direct = Cosigner::from_seed("witness.example/w1", &seed).unwrap();
            assert_eq!(c.verifier(), direct.verifier());
        }
        assert!(cosigner_from_skey("nonsense").is_err());
    }
}
