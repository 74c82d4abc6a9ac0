//! The walk's dissent and protected-disclosure journeys: an adviser dissents with evidence, the
//! decision-maker answers every point, and anyone makes a disclosure from the footer.
use std::path::Path;

use anyhow::{ensure, Result};

use crate::support::Browser;
use crate::{has, ADVISER, DECIDER, PASSWORD};

/// The adviser disagrees with the consolidated advice: a dissent in their name, with numbered
/// points, the criterion concerned and a file of evidence.
pub async fn adviser_dissents(b: &Browser, case_path: &str, evidence: &Path) -> Result<()> {
    b.sign_in(ADVISER, PASSWORD).await?;
    // Back to the case they advised on, as from a bookmark.
    b.goto(case_path).await?;
    b.click_link("Record a dissent on this case").await?;
    b.wait_heading("Record a dissent").await?;
    b.fill(
        "Points of disagreement",
        "The end user diverted similar cameras in 2023.\n\
         The consolidated advice leaves out the embassy's report.",
    )
    .await?;
    b.check("2c — Serious violations of international humanitarian law")
        .await?;
    b.fill("Evidence", "Embassy report of 3 March (attached).")
        .await?;
    b.attach("Files", evidence).await?;
    b.click_button("Record the dissent").await?;
    b.wait_heading("Dissent on the final advice").await?;
    let page = b.text("main").await?;
    ensure!(
        page.contains("embassy-report.txt") && page.contains("SHA-256"),
        "the dissent does not list its evidence file: {page}"
    );
    ensure!(
        has(&page, "Waiting for an answer"),
        "a new dissent should wait for an answer: {page}"
    );
    Ok(())
}

/// The decision-maker finds the decision held up, answers leaving a point out (refused, point
/// by point), then answers every point.
pub async fn decision_maker_answers_dissent(b: &Browser, reference: &str) -> Result<()> {
    b.sign_in(DECIDER, PASSWORD).await?;
    b.click_link("For decision").await?;
    b.wait_current_tab("For decision").await?;
    b.click_link(reference).await?;
    b.wait_heading(reference).await?;
    b.wait_text("main", "holds up the decision").await?;
    b.click_link("Final advice").await?;
    b.wait_heading("Dissent on the final advice").await?;
    b.choose_in("Point 1", "Not accepted").await?;
    b.fill_in(
        "Point 1",
        "Reasons",
        "The 2023 diversion was by a different end user; weighed under criterion 2c.",
    )
    .await?;
    b.select("What the answer changed", "No change").await?;
    b.click_button("Send the answer").await?;
    let problem = b.wait_text("[role=alert]", "Point 2").await?;
    ensure!(
        has(&problem, "point 2"),
        "the refusal should name the point left out: {problem}"
    );
    b.choose_in("Point 2", "Partly accepted").await?;
    b.fill_in(
        "Point 2",
        "Reasons",
        "The embassy's report is now on the case record; it shows no use against civilians, \
         which the evidence bears out.",
    )
    .await?;
    b.select("What the answer changed", "No change").await?;
    b.click_button("Send the answer").await?;
    b.wait_text("main", "What the answer changed: No change")
        .await?;
    Ok(())
}

/// Anyone, signed in or not, makes a protected disclosure with a file, keeps the receipt code,
/// and reads the disclosure back with it.
pub async fn someone_makes_a_protected_disclosure(b: &Browser, minutes: &Path) -> Result<()> {
    b.goto("/").await?;
    b.click_link("Make a protected disclosure").await?;
    b.wait_heading("Make a protected disclosure").await?;
    b.fill(
        "What is wrong",
        "Advice on an application was rewritten after a meeting with the office of the minister.",
    )
    .await?;
    b.attach("Files", minutes).await?;
    b.click_button("Make the disclosure").await?;
    b.wait_heading("Your disclosure has been made").await?;
    let code = b.text("#receipt-code").await?;
    ensure!(
        code.len() >= 34,
        "a receipt code of at least 130 bits: {code:?}"
    );
    b.click_link("/disclose/status").await?;
    b.fill("Your receipt code", &code).await?;
    b.click_button("Open").await?;
    b.wait_heading("Your disclosure").await?;
    let page = b.text("main").await?;
    ensure!(
        page.contains("meeting-minutes.txt") && page.contains("rewritten"),
        "the disclosure read back with its code: {page}"
    );
    Ok(())
}
