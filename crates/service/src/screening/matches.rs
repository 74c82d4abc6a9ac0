//! Matches after they are found: a case's, a caseworker's resolution, what they mean for a
//! decision, and the worklist of those still unresolved.
use super::*;
/// A case's matches, for those who may see lists.
pub async fn matches_of_case(
    ctx: &Ctx,
    actor: &Actor,
    case_id: &str,
) -> ServiceResult<Vec<MatchRow>> {
    actor.require(MAY_SEE_LISTS, "see screening matches")?;
    Ok(store::matches_of_case(ctx.store.pool(), case_id).await?)
}

/// A caseworker resolves a match as a true match or a false positive, with a reason. A true
/// match on a sanctions list for a party of a licence in force puts the licence under review
/// in the same transaction; the review is returned.
pub async fn resolve(
    ctx: &Ctx,
    actor: &Actor,
    case_id: &str,
    match_id: &str,
    verdict: &str,
    reason: &str,
) -> ServiceResult<Option<ReviewedLicence>> {
    actor.require(MAY_RESOLVE_MATCHES, "resolve screening matches")?;
    let verdict = MatchVerdict::parse(verdict)
        .ok_or_else(|| ServiceError::field("verdict", "choose true match or false positive"))?;
    let reason = crate::parse_text::<probity_domain::Reason>("reason", reason)?;
    let mut cmd = Command::begin(ctx, actor).await?;
    let found = store::find_match(&mut **cmd, match_id)
        .await?
        .filter(|m| m.case_id == case_id)
        .ok_or(ServiceError::NotFound("screening match"))?;
    let by = actor.user_id.to_string();
    let now = to_micros(cmd.now);
    if !store::resolve(
        &mut cmd,
        match_id,
        verdict.as_str(),
        &by,
        now,
        reason.as_str(),
    )
    .await?
    {
        return Err(ServiceError::Conflict(format!(
            "this match was already resolved as {} by {}",
            probity_domain::screening::match_status_label(&found.status).to_lowercase(),
            found.resolved_by_name.as_deref().unwrap_or("someone else")
        )));
    }
    let reviewed = if verdict == MatchVerdict::TrueMatch {
        let country =
            probity_store::screening::reviews::party_country(&mut cmd, &found.party_id).await?;
        super::reviews::review_licence(&mut cmd, &found, country.as_deref()).await?
    } else {
        None
    };
    cmd.finish(
        "screening.resolve",
        ("case", &found.case_id),
        serde_json::json!({
            "match": match_id, "party": found.party_id, "list": found.list,
            "entry_id": found.entry_id, "verdict": verdict.as_str(), "reason": reason.as_str(),
            "review": reviewed.as_ref().map(|r| r.review_id.to_string()),
        }),
    )
    .await?;
    Ok(reviewed)
}

/// What screening says about deciding a case, read on the deciding transaction's connection:
/// (matches not yet resolved, parties resolved as true matches on a sanctions list).
pub(crate) async fn decision_facts(
    conn: &mut sqlx::AnyConnection,
    case_id: &str,
) -> ServiceResult<(usize, usize)> {
    let unresolved = store::unresolved_count(conn, case_id).await?;
    let listed =
        store::listed_party_count(conn, case_id, probity_domain::screening::DENIALS_LIST).await?;
    Ok((unresolved as usize, listed as usize))
}

/// One page of the matches waiting for a caseworker.
#[derive(Debug, Clone)]
pub struct OpenMatches {
    pub rows: Vec<OpenMatchRow>,
    /// Unresolved matches in all, and those on licences in force.
    pub total: i64,
    pub on_licences: i64,
    pub page: i64,
    pub pages: i64,
}

/// Matches still unresolved across every case (licences in force included), best first: the
/// caseworkers' worklist after a list update.
pub async fn open_matches(
    ctx: &Ctx,
    actor: &Actor,
    on_licences: bool,
    page: i64,
) -> ServiceResult<OpenMatches> {
    actor.require(MAY_SEE_LISTS, "see screening matches")?;
    let paging = crate::cases::paging(page, 50)?;
    let mut tx = ctx.store.begin_read().await?;
    let (total, on) = store::unresolved_totals(&mut tx).await?;
    let rows = store::unresolved_matches(&mut *tx, on_licences, paging.per_page(), paging.offset())
        .await?;
    let shown = if on_licences { on } else { total };
    Ok(OpenMatches {
        rows,
        total,
        on_licences: on,
        page: paging.page(),
        pages: paging.pages(shown),
    })
}
