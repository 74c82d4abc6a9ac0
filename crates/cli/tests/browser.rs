//! The browser walk: one standard individual export licence application, from apply to licence,
//! through the real server-rendered pages in headless Chromium, as each user would do it.
//!
//! The test starts everything itself: a temporary SQLite database filled through the `probity`
//! CLI, `probity serve` on a free port, and ChromeDriver (driving Debian's Chromium). It needs
//! Chromium and ChromeDriver: PROBITY_CHROMIUM and PROBITY_CHROMEDRIVER (exported by
//! scripts/test.sh), else /usr/bin/chromium and /usr/bin/chromedriver. Without them it fails,
//! saying so: it never passes without having run.
//!
//! Every step is driven by following links and pressing buttons, finding form fields through
//! their `<label>`s (which also checks that the labels are tied to their fields), and waiting for
//! what the next page should show rather than sleeping.
#[path = "journeys/apply.rs"]
mod apply;
#[path = "journeys/dissent.rs"]
mod dissent;
#[path = "journeys/review.rs"]
mod review;
mod support;
#[path = "journeys/tour.rs"]
mod tour;

use std::path::Path;
use std::time::Instant;

use anyhow::{ensure, Context, Result};
use support::{cli, Browser, Driver, Server};

const PASSWORD: &str = "browser-walk-password-1";
const EXPORTER: &str = "exporter@acme-optics.example";
const CASEWORKER: &str = "caseworker@licensing.example";
const ADVISER: &str = "adviser@fcdo.example";
const DECIDER: &str = "decider@licensing.example";
const POLICY: &str = "policy@licensing.example";
const ADVISORY_TEAM: &str = "Foreign Affairs Advisory";
const GOODS: &str = "Thermal imaging cameras for border surveillance";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn application_walks_from_apply_to_licence_in_chromium() {
    let started = Instant::now();
    let tools = support::browser_tools();
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = format!("sqlite://{}", dir.path().join("probity.db").display());

    // Data the pages cannot create: an organisation, teams and one user per role.
    let org = cli(
        &db,
        &[
            "org",
            "add",
            "--name",
            "Acme Optics Ltd",
            "--registration-number",
            "01234567",
            "--address",
            "1 Lens Street, Leeds LS1 1AA",
        ],
        None,
    );
    let licensing = cli(
        &db,
        &[
            "team",
            "add",
            "--name",
            "Export Licensing",
            "--kind",
            "licensing",
        ],
        None,
    );
    let advisory = cli(
        &db,
        &["team", "add", "--name", ADVISORY_TEAM, "--kind", "advisory"],
        None,
    );
    let policy_team = cli(
        &db,
        &[
            "team",
            "add",
            "--name",
            "Licensing Policy",
            "--kind",
            "policy",
        ],
        None,
    );
    for (email, name, role, org_or_team) in [
        (
            EXPORTER,
            "Erin Exporter",
            "exporter",
            ("--organisation", org.as_str()),
        ),
        (
            CASEWORKER,
            "Casey Caseworker",
            "caseworker",
            ("--team", licensing.as_str()),
        ),
        (
            ADVISER,
            "Ada Adviser",
            "adviser",
            ("--team", advisory.as_str()),
        ),
        (
            DECIDER,
            "Dana Decider",
            "decision_maker",
            ("--team", licensing.as_str()),
        ),
        (
            POLICY,
            "Pat Policy",
            "policy",
            ("--team", policy_team.as_str()),
        ),
    ] {
        cli(
            &db,
            &[
                "user",
                "add",
                "--email",
                email,
                "--name",
                name,
                "--role",
                role,
                org_or_team.0,
                org_or_team.1,
                "--password-stdin",
            ],
            Some(PASSWORD),
        );
    }

    let server = Server::start(&db, dir.path());
    let driver = Driver::start(&tools, dir.path());
    let browser = Browser::connect(&driver, &tools, dir.path(), &server.base).await;

    let outcome = walk(&browser, dir.path()).await;
    // Every page the walk reached, checked with axe-core and at 375 px wide.
    let outcome = outcome.and_then(|()| {
        let pages = browser.audit_verdict()?;
        eprintln!("{pages} pages checked with axe-core and at 375 px: no problems");
        Ok(())
    });
    if let Err(e) = &outcome {
        let state = browser.describe().await;
        browser.close().await;
        panic!(
            "browser walk failed: {e:#}\n\n{state}\n\n--- probity serve log (tail) ---\n{}",
            server.log_tail()
        );
    }
    browser.close().await;
    drop(driver);
    drop(server);
    eprintln!("browser walk passed in {:.1?}", started.elapsed());
}

/// Case-insensitive: status tags are styled in capitals, and WebDriver reads text as shown.
fn has(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

async fn walk(b: &Browser, dir: &Path) -> Result<()> {
    let reference = apply::through_the_task_list(b, dir)
        .await
        .context("exporter applying")?;
    b.sign_out().await?;

    caseworker_takes_and_refers(b, &reference)
        .await
        .context("caseworker taking the case and requesting advice")?;
    b.sign_out().await?;

    adviser_approves(b, &reference)
        .await
        .context("adviser giving advice")?;
    b.sign_out().await?;

    let case_path = caseworker_consolidates(b, &reference)
        .await
        .context("caseworker consolidating advice")?;
    b.sign_out().await?;

    let evidence = dir.join("embassy-report.txt");
    std::fs::write(
        &evidence,
        "Embassy report, 3 March: cameras of this kind seen at the border post.\n",
    )?;
    dissent::adviser_dissents(b, &case_path, &evidence)
        .await
        .context("adviser recording a dissent with evidence")?;
    b.sign_out().await?;

    dissent::decision_maker_answers_dissent(b, &reference)
        .await
        .context("decision-maker answering the dissent")?;
    b.sign_out().await?;

    decision_maker_grants(b, &reference)
        .await
        .context("decision-maker granting")?;
    b.sign_out().await?;

    exporter_sees_licence(b, &reference)
        .await
        .context("exporter reading the outcome")?;
    b.sign_out().await?;

    public_register_lists_grant(b, &reference)
        .await
        .context("public register")?;

    review::policy_finds_clear_risk_and_opens_review(b, &reference)
        .await
        .context("policy recording a finding and opening a review")?;
    b.sign_out().await?;

    review::decision_maker_suspends_in_bulk(b)
        .await
        .context("decision-maker suspending in bulk")?;
    b.sign_out().await?;

    review::public_review_page_shows_counts(b)
        .await
        .context("public review page")?;

    let minutes = dir.join("meeting-minutes.txt");
    std::fs::write(
        &minutes,
        "Minutes: the advice was to be rewritten before the decision.\n",
    )?;
    dissent::someone_makes_a_protected_disclosure(b, &minutes)
        .await
        .context("making a protected disclosure")?;

    let people = [
        None,
        Some((EXPORTER, PASSWORD)),
        Some((CASEWORKER, PASSWORD)),
        Some((ADVISER, PASSWORD)),
        Some((DECIDER, PASSWORD)),
        Some((POLICY, PASSWORD)),
    ];
    tour::every_menu_page(b, &people, &case_path)
        .await
        .context("every role's menu pages")?;
    Ok(())
}

async fn caseworker_takes_and_refers(b: &Browser, reference: &str) -> Result<()> {
    b.sign_in(CASEWORKER, PASSWORD).await?;
    b.click_link("Case queues").await?;
    b.click_link("New").await?;
    b.wait_current_tab("New").await?;
    b.click_link(reference).await?;
    b.wait_heading(reference).await?;
    // Following only what the header offers: take the case, then ask for advice.
    b.wait_text("#next-step", "Take this case to start work on it.")
        .await?;
    b.click_link("Take this case").await?;
    b.click_button("Take this case").await?;
    b.wait_text("[role=status]", "case taken").await?;
    b.wait_text("#next-step", "Ask the advisory teams for their advice")
        .await?;
    b.click_link("Request advice").await?;

    b.check(ADVISORY_TEAM).await?;
    b.fill(
        "Note to advisers",
        "Please advise on the end user and end use.",
    )
    .await?;
    b.click_button("Request advice").await?;
    b.wait_text("[role=status]", "advice requested").await?;
    let advice = b.text("main").await?;
    ensure!(
        advice.contains(&format!("Requested from: {ADVISORY_TEAM}")),
        "the case page does not say advice was requested from {ADVISORY_TEAM}"
    );
    Ok(())
}

async fn adviser_approves(b: &Browser, reference: &str) -> Result<()> {
    b.sign_in(ADVISER, PASSWORD).await?;
    b.click_link("Awaiting my advice").await?;
    b.wait_current_tab("Awaiting my team's advice").await?;
    b.click_link(reference).await?;
    b.wait_heading(reference).await?;
    // The caseworker's note came with the request.
    b.wait_text(
        "#note-to-advisers",
        "Please advise on the end user and end use.",
    )
    .await?;
    ensure!(
        b.field("Destination")
            .await?
            .prop("value")
            .await?
            .as_deref()
            == Some("NO"),
        "the advice form should offer Norway as the destination"
    );
    b.choose("Approve").await?;
    b.fill(
        "Reasons",
        "Government end user in a NATO member state; no concerns under any criterion.",
    )
    .await?;
    b.click_button("Record advice").await?;
    b.wait_text("[role=status]", "advice recorded").await?;
    let table = b.text("main").await?;
    ensure!(
        table.contains("Ada Adviser") && has(&table, "approve"),
        "the advice table does not show the adviser's approval"
    );
    Ok(())
}

async fn caseworker_consolidates(b: &Browser, reference: &str) -> Result<String> {
    b.sign_in(CASEWORKER, PASSWORD).await?;
    b.click_link("Case queues").await?;
    // The case comes back to its caseworker once every team has advised.
    b.click_link("Advice returned").await?;
    b.wait_current_tab("Advice returned").await?;
    b.click_link(reference).await?;
    b.wait_heading(reference).await?;
    b.wait_text("#next-step", "All the advice is in").await?;
    b.click_link("Consolidate advice").await?;
    b.fill(
        "Reasons",
        "All advice approves; no conflicting advice to resolve.",
    )
    .await?;
    b.click_button("Consolidate advice").await?;
    b.wait_text("[role=status]", "final advice consolidated")
        .await?;
    b.click_button("Send for decision").await?;
    b.wait_text("[role=status]", "sent for decision").await?;
    let status = b.summary_value("Status").await?;
    ensure!(
        has(&status, "under final review"),
        "status after sending for decision: {status:?}"
    );
    b.path().await
}

async fn decision_maker_grants(b: &Browser, reference: &str) -> Result<()> {
    b.sign_in(DECIDER, PASSWORD).await?;
    b.click_link("For decision").await?; // the navigation link
    b.wait_current_tab("For decision").await?;
    b.click_link(reference).await?;
    b.wait_heading(reference).await?;
    b.wait_text("#next-step", "Decide: grant a licence, refuse")
        .await?;
    b.click_link("Decide").await?;
    b.choose("Grant a licence").await?;
    b.fill(
        "Reasons",
        "Consistent with the criteria and with the advice received; grant.",
    )
    .await?;
    b.click_button("Record decision").await?;
    b.wait_text("[role=status]", "Done").await?;
    let status = b.summary_value("Status").await?;
    ensure!(
        has(&status, "finalised") && has(&status, "granted"),
        "status after the decision: {status:?}"
    );
    Ok(())
}

async fn exporter_sees_licence(b: &Browser, reference: &str) -> Result<()> {
    let number = format!("{reference}/L1");
    b.sign_in(EXPORTER, PASSWORD).await?;
    b.click_link("Our applications").await?;
    b.click_link(reference).await?;
    b.wait_heading(reference).await?;
    let status = b.summary_value("Status").await?;
    ensure!(
        has(&status, "finalised") && has(&status, "granted"),
        "the exporter sees status {status:?}"
    );

    b.click_link(&number).await?;
    b.wait_heading(&format!("Licence {number}")).await?;
    let status = b.summary_value("Status").await?;
    ensure!(
        status.trim().eq_ignore_ascii_case("issued"),
        "licence status {status:?}"
    );
    let valid_until = b.summary_value("Valid until").await?;
    ensure!(
        !valid_until.trim().is_empty(),
        "the licence has no end date"
    );

    // The licence document hangs off the case.
    b.click_link("View the case").await?;
    b.wait_heading(reference).await?;
    b.click_link(&format!("Licence {number}")).await?;
    b.wait_heading(&format!("Licence {number}")).await?;
    let doc = b.wait_text("pre.document", &number).await?;
    ensure!(
        doc.contains(GOODS) && doc.contains("ML15"),
        "the licence document does not name the goods: {doc}"
    );
    Ok(())
}

async fn public_register_lists_grant(b: &Browser, reference: &str) -> Result<()> {
    b.goto("/").await?;
    b.wait_text("header", "Sign in").await?;
    b.click_link("Public register").await?;
    b.wait_heading("Public register of licensing decisions")
        .await?;
    let rows = b.rows_containing(reference).await?;
    ensure!(
        rows.iter()
            .any(|r| has(r, "grant") && r.contains(&format!("{reference}/L1"))),
        "no grant for {reference} in the public register: {rows:?}"
    );
    // Filtered as a member of the public would: by the country's name.
    b.fill("Destination", "norway").await?;
    b.click_button("Filter").await?;
    b.wait_text("main", "as a destination").await?;
    let shown = b.text("main").await?;
    ensure!(
        shown.contains("with Norway (NO) as a destination"),
        "the register filtered by \"norway\" does not say so: {shown}"
    );
    let rows = b.rows_containing(reference).await?;
    ensure!(
        !rows.is_empty() && rows.iter().all(|r| r.contains("Norway (NO)")),
        "the filtered register lost the grant to Norway: {rows:?}"
    );
    Ok(())
}
