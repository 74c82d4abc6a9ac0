//! Screening in the workflow: a case's parties inside the command that submits it, and every
//! open case and licence in force again after a list changes, chunk by chunk.
use super::*;

/// A party's country for matching: its name when the code is known ("IR" → "Iran").
fn party_query(p: &store::PartyToScreen) -> NameQuery {
    let country = probity_domain::CountryCode::parse(&p.country)
        .map(|c| c.name().to_owned())
        .ok();
    // Only an end user of type "individual" is known to be a person; other parties may be
    // either, so the kind is left to the name.
    let kind = (p.end_user_type.as_deref() == Some("individual")).then_some(EntryKind::Individual);
    NameQuery {
        name: p.name.clone(),
        kind,
        country,
        address: Some(p.address.clone()).filter(|a| !a.trim().is_empty()),
    }
}

/// Screen a case's parties inside the command that submits it, recording every match; returns
/// how many matches are new.
pub(crate) async fn screen_case_in_tx(
    cmd: &mut Command<'_>,
    loaded: &Loaded,
    case_id: &str,
) -> ServiceResult<usize> {
    if loaded.index.is_empty() {
        return Ok(0);
    }
    let parties = store::parties_of_case(&mut ***cmd, case_id).await?;
    let mut scratch = Scratch::default();
    let mut new = 0;
    let now = to_micros(cmd.now);
    for p in &parties {
        let q = party_query(p);
        for m in loaded
            .index
            .screen_with(&mut scratch, &q.as_query(), DEFAULT_THRESHOLD)
        {
            new += usize::from(record_match(cmd, loaded, p, &m, now).await?);
        }
    }
    Ok(new)
}

async fn record_match(
    cmd: &mut Command<'_>,
    loaded: &Loaded,
    p: &store::PartyToScreen,
    m: &Match,
    now: i64,
) -> ServiceResult<bool> {
    let version_id = loaded.version_of(&m.list).unwrap_or("denials");
    let id = Uuid::now_v7().to_string();
    Ok(store::upsert_match(
        cmd,
        &store::NewMatch {
            id: &id,
            case_id: &p.case_id,
            party_id: &p.party_id,
            list: &m.list,
            version_id,
            entry_id: &m.entry_id,
            matched_name: &m.matched_name,
            score: (m.score * 100.0).round() as i64,
            explanation: &m.explanation,
            found_at: now,
        },
    )
    .await?)
}

/// Progress of a re-screen, told after each chunk: (parties done, parties in all).
pub type Progress<'a> = &'a mut (dyn FnMut(u64, u64) + Send);

/// What a re-screen found.
#[derive(Debug, Clone, Default)]
pub struct RescreenReport {
    pub run_id: String,
    pub parties: usize,
    pub new_matches: usize,
    /// New matches on parties of licences in force.
    pub on_licences: usize,
}

/// Re-screen every party of an open case and of a licence in force against the current lists
/// (after a list update), in chunks of one transaction each, recording progress in a run.
pub async fn rescreen_all(
    ctx: &Ctx,
    reason: RescreenReason,
    version_id: Option<&str>,
    progress: Progress<'_>,
) -> ServiceResult<RescreenReport> {
    let loaded = loaded(ctx).await?;
    let parties = store::parties_in_scope(ctx.store.pool()).await?;
    let total = parties.len() as u64;
    let run_id = Uuid::now_v7().to_string();
    {
        let mut cmd = Command::system(ctx).await?;
        let now = to_micros(cmd.now);
        store::insert_run(
            &mut cmd,
            &run_id,
            reason.as_str(),
            version_id,
            now,
            total as i64,
        )
        .await?;
        cmd.finish(
            "screening.rescreen_start",
            ("screening_run", &run_id),
            serde_json::json!({"reason": reason.as_str(), "parties": total}),
        )
        .await?;
    }
    // Matching is CPU work: done off the async workers, a chunk at a time.
    let mut report = RescreenReport {
        run_id: run_id.clone(),
        parties: parties.len(),
        ..Default::default()
    };
    let parties = Arc::new(parties);
    for start in (0..parties.len()).step_by(RESCREEN_CHUNK) {
        let end = (start + RESCREEN_CHUNK).min(parties.len());
        let (chunk_parties, chunk_loaded) = (parties.clone(), loaded.clone());
        let found: Vec<(usize, Vec<Match>)> = crate::auth::off_the_runtime(move || {
            let mut scratch = Scratch::default();
            (start..end)
                .filter_map(|i| {
                    let q = party_query(&chunk_parties[i]);
                    let m = chunk_loaded.index.screen_with(
                        &mut scratch,
                        &q.as_query(),
                        DEFAULT_THRESHOLD,
                    );
                    (!m.is_empty()).then_some((i, m))
                })
                .collect()
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("could not screen: {e}")))?;
        let mut cmd = Command::system(ctx).await?;
        let now = to_micros(cmd.now);
        let (mut new, mut on_licences) = (0usize, 0usize);
        for (i, matches) in &found {
            let p = &parties[*i];
            for m in matches {
                if record_match(&mut cmd, &loaded, p, m, now).await? {
                    new += 1;
                    on_licences += usize::from(p.licence_id.is_some());
                }
            }
        }
        let last = end == parties.len();
        store::advance_run(
            &mut cmd,
            &run_id,
            (end - start) as i64,
            new as i64,
            on_licences as i64,
            last.then_some(now),
        )
        .await?;
        cmd.finish(
            "screening.rescreen_chunk",
            ("screening_run", &run_id),
            serde_json::json!({"parties": end - start, "new_matches": new, "on_licences": on_licences}),
        )
        .await?;
        report.new_matches += new;
        report.on_licences += on_licences;
        progress(end as u64, total);
    }
    if parties.is_empty() {
        let mut cmd = Command::system(ctx).await?;
        let now = to_micros(cmd.now);
        store::advance_run(&mut cmd, &run_id, 0, 0, 0, Some(now)).await?;
        cmd.finish(
            "screening.rescreen_chunk",
            ("screening_run", &run_id),
            serde_json::json!({"parties": 0}),
        )
        .await?;
    }
    Ok(report)
}

/// Parties screened per transaction in a re-screen.
const RESCREEN_CHUNK: usize = 2_000;
