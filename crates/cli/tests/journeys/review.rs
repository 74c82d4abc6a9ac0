//! The walk's review journeys: policy records a clear risk and opens a review, the
//! decision-maker suspends in bulk, and the public reads the review's counts.
use std::time::Instant;

use anyhow::{ensure, Result};

use crate::support::Browser;
use crate::{has, DECIDER, PASSWORD, POLICY};

/// Policy records a clear risk for the destination over the walk's goods, previews the
/// review (which lists the licence just granted) and opens it.
pub async fn policy_finds_clear_risk_and_opens_review(b: &Browser, reference: &str) -> Result<()> {
    b.sign_in(POLICY, PASSWORD).await?;
    b.click_link("Assessments").await?;
    b.wait_heading("Destination assessments").await?;
    b.fill("Destination (ISO code)", "NO").await?;
    b.fill_in(
        "Scope: the licences the finding is about",
        "Ratings",
        "ML15",
    )
    .await?;
    b.fill(
        "Evidence",
        "Reporting on the end user's operations, assessed by officials.",
    )
    .await?;
    b.fill(
        "Reasons",
        "A clear risk that thermal sights might be used in serious violations.",
    )
    .await?;
    b.fill("Legal basis relied on", "Criterion 2(c)").await?;
    b.fill(
        "Public summary",
        "A clear risk under criterion 2(c) for thermal imaging sights.",
    )
    .await?;
    b.click_button("Record this version").await?;
    b.wait_heading("Norway (NO), criterion 2c: version 1")
        .await?;
    b.click_button("Publish the summary").await?;
    // The page comes back without the button, and with the date it was published.
    b.wait_url_contains("/assessments/").await?;
    let deadline = Instant::now() + std::time::Duration::from_secs(10);
    // (A read during the page change may find the old page gone: that counts as not yet.)
    while b
        .summary_value("Published")
        .await
        .map_or(true, |v| has(&v, "not yet"))
    {
        ensure!(Instant::now() < deadline, "the summary was never published");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    b.click_link("Review the licences it touches").await?;
    b.wait_heading("Open a review").await?;
    let in_scope = b.summary_value("In scope").await?;
    ensure!(
        in_scope.trim() == "1",
        "the preview finds {in_scope:?} licences in scope"
    );
    b.click_button("Open the review").await?;
    b.wait_heading("Worklist").await?;
    let rows = b.rows_containing(&format!("{reference}/L1")).await?;
    ensure!(
        rows.iter().any(|r| has(r, "rating ML15")),
        "the worklist does not list the licence with its reason: {rows:?}"
    );
    Ok(())
}

/// The decision-maker suspends every licence the (empty) filter selects.
pub async fn decision_maker_suspends_in_bulk(b: &Browser) -> Result<()> {
    b.sign_in(DECIDER, PASSWORD).await?;
    b.click_link("Reviews").await?;
    b.wait_heading("Reviews of extant licences").await?;
    b.click_link_containing("Norway (NO)").await?;
    b.click_link("Open the worklist").await?;
    b.wait_heading("Worklist").await?;
    b.fill(
        "Reason",
        "A clear risk under criterion 2(c): suspended while the review runs.",
    )
    .await?;
    b.choose("every licence matching the filter (1)").await?;
    b.click_button("Record the outcome").await?;
    b.wait_text("[role=status]", "1 licence(s) decided").await?;
    Ok(())
}

/// Anyone sees the review, with its counts.
pub async fn public_review_page_shows_counts(b: &Browser) -> Result<()> {
    b.goto("/").await?;
    b.wait_text("header", "Sign in").await?;
    b.click_link("Reviews").await?;
    b.wait_heading("Reviews of extant licences").await?;
    b.click_link_containing("Norway (NO)").await?;
    let suspended = b.summary_value("Suspended").await?;
    ensure!(
        suspended.trim() == "1",
        "the public page shows {suspended:?} suspended"
    );
    let in_scope = b.summary_value("Licences in scope").await?;
    ensure!(
        has(&in_scope, "1 (with an outcome: 1)"),
        "in scope: {in_scope:?}"
    );
    Ok(())
}
