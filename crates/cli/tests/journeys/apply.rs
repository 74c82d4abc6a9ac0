//! The exporter's application through the task list: the type of licence, then each section
//! on its own page (one refused with an error that keeps what was typed), an end-user
//! undertaking uploaded, the answers checked, the declaration made, and the reference read
//! from the confirmation panel.
use std::path::Path;

use anyhow::{ensure, Context, Result};

use crate::support::Browser;
use crate::{has, EXPORTER, GOODS, PASSWORD};

pub async fn through_the_task_list(b: &Browser, dir: &Path) -> Result<String> {
    b.goto("/").await?;
    b.sign_in(EXPORTER, PASSWORD).await?;
    b.click_link("Apply for a licence").await?;
    b.wait_heading("Apply for an export licence").await?;
    // Continuing without a choice: told what to do, nothing made.
    b.click_button("Continue").await?;
    b.wait_text(".error-summary", "Choose the type of licence")
        .await?;
    b.choose("Standard individual export licence (SIEL)")
        .await?;
    b.click_button("Continue").await?;
    b.wait_heading("Your application").await?;
    let list = b.text("ol.task-list").await?;
    ensure!(
        has(&list, "Cannot start yet"),
        "checking should wait until every section is complete: {list}"
    );

    goods_with_an_error_round_trip(b).await?;

    b.click_link("Parties and destinations").await?;
    b.wait_heading("Parties and destinations").await?;
    ensure!(
        b.select_value_in("Party 1", "Role").await? == "end_user"
            && b.select_value_in("Party 2", "Role").await? == "consignee",
        "a new application should offer an end user (party 1) and a consignee (party 2)"
    );
    b.fill_in("Party 1", "Name", "Norwegian Defence Materiel Agency")
        .await?;
    b.fill_in("Party 1", "Address", "Postboks 800, 2617 Lillehammer")
        .await?;
    b.select_in("Party 1", "Country", "Norway").await?;
    b.select_in("Party 1", "Type of end user", "Government")
        .await?;
    b.fill_in("Party 2", "Name", "Nordic Defence Logistics AS")
        .await?;
    b.fill_in("Party 2", "Address", "Havnegata 5, 0150 Oslo")
        .await?;
    b.select_in("Party 2", "Country", "Norway").await?;
    b.click_button("Save and continue").await?;
    b.wait_text("[role=status]", "Parties and destinations saved")
        .await?;

    b.click_link("End use").await?;
    b.wait_heading("End use").await?;
    b.fill(
        "End-use statement",
        "Fitted to border surveillance vehicles operated by the Norwegian armed forces.",
    )
    .await?;
    b.click_button("Save and continue").await?;
    b.wait_text("[role=status]", "End use saved").await?;

    let undertaking = dir.join("end-user-undertaking.pdf");
    std::fs::write(
        &undertaking,
        "%PDF-1.4\n% Signed end-user undertaking of the Norwegian Defence Materiel Agency\n",
    )?;
    b.click_link("Supporting documents").await?;
    b.wait_heading("Supporting documents").await?;
    b.choose("End-user undertaking").await?;
    b.attach("File", &undertaking).await?;
    b.click_button("Upload").await?;
    b.wait_text("[role=status]", "Document uploaded").await?;
    let table = b.text("main table").await?;
    ensure!(
        table.contains("end-user-undertaking.pdf") && table.contains("SHA-256"),
        "the uploaded document is not listed with its digest: {table}"
    );
    b.click_link("Continue").await?;
    b.wait_heading("Your application").await?;

    b.click_link("Check answers and send").await?;
    b.wait_heading("Check your answers before sending your application")
        .await?;
    let answers = b.text("dl.check-answers").await?;
    for shown in [GOODS, "ML15", "Norway (NO)", "end-user-undertaking.pdf"] {
        ensure!(
            answers.contains(shown),
            "{shown:?} not among the answers: {answers}"
        );
    }
    b.check("I make this declaration").await?;
    b.click_button("Accept and send").await?;
    b.wait_heading("Application sent").await?;
    let reference = b.text(".panel .reference").await?.trim().to_string();
    ensure!(
        reference.starts_with("GBSIEL/") && reference.split('/').count() == 3,
        "unexpected reference {reference:?}"
    );
    let next = b.text("main").await?;
    ensure!(has(&next, "What happens next"), "no next steps: {next}");

    b.click_link("View the application").await?;
    b.wait_text("h1", &reference).await?;
    let status = b.summary_value("Status").await?;
    ensure!(
        has(&status, "submitted"),
        "status after submitting: {status:?}"
    );
    let page = b.text("main").await?;
    ensure!(
        page.contains(GOODS) && page.contains("end-user-undertaking.pdf"),
        "the case page lacks the goods or the document: {page}"
    );
    Ok(reference)
}

/// The goods section, first with a rating that is not on the control list: the page comes
/// back with the error by the field, linked from the summary, and what was typed kept.
async fn goods_with_an_error_round_trip(b: &Browser) -> Result<()> {
    b.click_link("Goods").await?;
    b.wait_heading("Goods").await?;
    b.fill_in("Goods line 1", "Description", GOODS).await?;
    b.fill_in("Goods line 1", "Control list ratings", "ML99z")
        .await?;
    b.fill_in("Goods line 1", "Quantity", "12").await?;
    b.fill_in("Goods line 1", "Unit", "items").await?;
    b.fill_in("Goods line 1", "Value in pounds sterling", "125000.00")
        .await?;
    b.click_button("Save and continue").await?;
    b.wait_text(".error-summary", "There is a problem").await?;
    let error = b
        .wait_text("div.has-error:has(> #g0_ratings) .field-error", "")
        .await
        .context("no error shown beside the goods line's ratings")?;
    ensure!(
        error.contains("ML99z"),
        "the error beside the ratings does not name the rejected rating: {error:?}"
    );
    let link = b
        .text(".error-summary a[href='#g0_ratings']")
        .await
        .context("the error summary has no link to the ratings field")?;
    ensure!(
        link.contains("Goods line 1"),
        "the error summary's link does not name goods line 1: {link:?}"
    );
    b.click_link_containing("Goods line 1").await?;
    for (label, want) in [
        ("Control list ratings", "ML99z"),
        ("Description", GOODS),
        ("Quantity", "12"),
        ("Value in pounds sterling", "125000.00"),
    ] {
        let got = b
            .field_in("Goods line 1", label)
            .await?
            .prop("value")
            .await?;
        ensure!(
            got.as_deref() == Some(want),
            "Goods line 1 / {label} was not kept after the error: {got:?}, wanted {want:?}"
        );
    }
    b.fill_in("Goods line 1", "Control list ratings", "ML15b")
        .await?;
    b.click_button("Save and continue").await?;
    b.wait_text("[role=status]", "Goods saved").await?;
    Ok(())
}
