//! `probity register monitor`: follow a register from run to run. The state directory holds
//! the last verified signed checkpoint and what the monitor learnt from the entries so far
//! (`state.json`, replaced atomically; `checkpoint` is a copy for people). Each run fetches
//! the new checkpoint, checks it is consistent with the remembered one
//! (`probity_register::monitor`) and checks every new entry's meaning
//! (`probity_service::register::semantics`). On any failure once the new checkpoint's
//! signature is verified, both signed checkpoints are kept under `<state>/evidence-<time>/`
//! and the command exits 1; the state is left unchanged.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use probity_service::register::log::monitor::{check_update, MonitorError, Step, Trusted};
use probity_service::register::log::note::Ed25519Verifier;
use probity_service::register::semantics::LogFacts;
use serde_json::json;

use crate::register_fetch::Source;

const STATE: &str = "state.json";

/// What the monitor remembers.
struct State {
    trusted: Trusted,
    facts: LogFacts,
}

fn load(dir: &Path, key: &Ed25519Verifier) -> Result<Option<State>> {
    let file = dir.join(STATE);
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(anyhow!(e).context(format!("could not read {}", file.display()))),
    };
    let v: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", file.display()))?;
    let note = v["checkpoint"]
        .as_str()
        .ok_or_else(|| anyhow!("{} has no checkpoint", file.display()))?;
    let trusted = Trusted::open(note.as_bytes(), key).map_err(|e| {
        anyhow!(
            "the remembered checkpoint in {} does not verify with --key: {e}",
            file.display()
        )
    })?;
    let facts: LogFacts = serde_json::from_value(v["facts"].clone())
        .with_context(|| format!("{} has no valid facts", file.display()))?;
    if facts.entries != trusted.checkpoint.size() {
        bail!(
            "{} is inconsistent: facts for {} entries, checkpoint of {}",
            file.display(),
            facts.entries,
            trusted.checkpoint.size()
        );
    }
    Ok(Some(State { trusted, facts }))
}

fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, data).with_context(|| format!("could not write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("could not replace {}", path.display()))
}

fn save(dir: &Path, note: &[u8], facts: &LogFacts) -> Result<()> {
    let note_text = std::str::from_utf8(note).context("checkpoint is not UTF-8")?;
    let v = json!({ "checkpoint": note_text, "facts": facts });
    write_atomic(
        &dir.join(STATE),
        serde_json::to_string_pretty(&v)?.as_bytes(),
    )?;
    write_atomic(&dir.join("checkpoint"), note)
}

/// Keeps both signed checkpoints and the reason; returns the evidence directory.
fn keep_evidence(
    dir: &Path,
    remembered: Option<&[u8]>,
    new: &[u8],
    reason: &str,
) -> Result<PathBuf> {
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    let ev = dir.join(format!("evidence-{stamp}"));
    std::fs::create_dir_all(&ev).with_context(|| format!("could not create {}", ev.display()))?;
    if let Some(r) = remembered {
        std::fs::write(ev.join("remembered.checkpoint"), r)?;
    }
    std::fs::write(ev.join("new.checkpoint"), new)?;
    std::fs::write(ev.join("reason.txt"), format!("{reason}\n"))?;
    Ok(ev)
}

pub async fn monitor(url: &str, key: &str, dir: &Path) -> Result<ExitCode> {
    let key = Ed25519Verifier::from_vkey(key.trim()).map_err(|e| anyhow!("invalid --key: {e}"))?;
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    let state = load(dir, &key)?;
    let src = Source::new(url)?;
    let note = src.require("checkpoint").await?;

    let mut fetched: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let prev = state.as_ref().map(|s| &s.trusted);
    let result = loop {
        let fetch = |p: &str| fetched.get(p).cloned();
        match check_update(prev, &note, &key, &fetch) {
            // Evidence is kept unless the new checkpoint itself is not validly signed.
            Step::Done(r) => {
                break r.map_err(|e| (!matches!(e, MonitorError::Checkpoint(_)), e.to_string()))
            }
            Step::NeedMore(paths) => {
                let got = src.get_many(&paths).await?;
                if let Some(missing) = paths.iter().find(|p| !got.contains_key(*p)) {
                    break Err((true, format!("register/{missing} is missing")));
                }
                fetched.extend(got);
            }
        }
    };
    let remembered = prev.map(|p| p.note.as_slice());
    let fail = |reason: String| -> Result<ExitCode> {
        println!("FAILED: {reason}");
        let ev = keep_evidence(dir, remembered, &note, &reason)?;
        println!("  evidence (both signed checkpoints): {}", ev.display());
        Ok(ExitCode::from(1))
    };
    let update = match result {
        Ok(u) => u,
        Err((false, reason)) => {
            println!("FAILED: {reason}");
            return Ok(ExitCode::from(1));
        }
        Err((true, reason)) => return fail(reason),
    };

    let mut facts = state.as_ref().map(|s| s.facts.clone()).unwrap_or_default();
    let before = facts.clone();
    for (k, e) in update.entries.iter().enumerate() {
        let index = update.first + k as u64;
        if let Err(reason) = facts.check(index, e) {
            return fail(reason);
        }
    }
    save(dir, &update.note, &facts)?;

    let cp = &update.checkpoint;
    match &state {
        None => println!(
            "OK: register {} — first run, trusting the checkpoint of {} entries after checking every entry",
            cp.origin(),
            cp.size()
        ),
        Some(s) if s.trusted.checkpoint.size() == cp.size() => println!(
            "OK: register {} — unchanged at {} entries",
            cp.origin(),
            cp.size()
        ),
        Some(s) => println!(
            "OK: register {} grew from {} to {} entries, consistently",
            cp.origin(),
            s.trusted.checkpoint.size(),
            cp.size()
        ),
    }
    println!("  root:         {}", B64.encode(cp.root()));
    println!("  new entries:  {}", update.entries.len());
    for (kind, n) in &facts.kinds {
        let new = n - before.kinds.get(kind).copied().unwrap_or(0);
        if new > 0 {
            println!("    {:<18} {new}", format!("{}:", kind.replace('_', " ")));
        }
    }
    println!("  licences granted in the log: {}", facts.grants.len());
    println!("  state:        {}", dir.join(STATE).display());
    Ok(ExitCode::SUCCESS)
}
