//! Oversight may be given the openings of a register entry's commitments: each disclosure
//! needs a reason, is audited, is checked against the public entry first, and is refused to
//! every other role — on both databases.
use probity_register::note::Ed25519Signer;
use probity_service::domain::{ConfidentialField, RegisterEntry};
use probity_service::register::disclosure::{disclose, DISCLOSED};
use probity_service::register::Sequencer;
use probity_service::testing::{Backend, Stage, TestDb, World};
use probity_service::{Ctx, ServiceError};
use probity_store::register as reg;

fn sequencer() -> Sequencer {
    Sequencer::new(Ed25519Signer::from_seed("probity.test/register", &[9; 32]).unwrap())
}

async fn disclosures(ctx: &Ctx) -> i64 {
    probity_store::count(
        &ctx.store,
        &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_events WHERE action = '{DISCLOSED}'"),
    )
    .await
    .unwrap()
}

async fn public_entry(ctx: &Ctx, index: u64) -> RegisterEntry {
    let mut conn = ctx.store.pool().acquire().await.unwrap();
    let stored = reg::read_entries(&mut conn, index, 1)
        .await
        .unwrap()
        .remove(0);
    RegisterEntry::decode(&stored.bytes).unwrap()
}

async fn oversight_gets_checked_openings_and_the_disclosure_is_audited(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    w.case_at(Stage::Granted).await;
    assert_eq!(sequencer().run_once(c).await.unwrap(), 1);
    let reason = "Committee on Arms Export Controls inquiry, letter of 3 May";

    let all = disclose(c, &w.oversight, 0, None, reason).await.unwrap();
    let fields: Vec<_> = all.iter().map(|o| o.field).collect();
    assert_eq!(fields, ConfidentialField::ALL);
    let entry = public_entry(c, 0).await;
    assert!(all.iter().all(|o| o.opens(&entry)));
    assert_eq!(all[0].value, "Acme Defence Ltd");

    let one = disclose(c, &w.oversight, 0, Some(ConfidentialField::EndUser), reason)
        .await
        .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0], all[2]);

    // Each disclosure is in the audit chain, with who, which fields and why.
    assert_eq!(disclosures(c).await, 2);
    let detail: String = sqlx::query_scalar(
        "SELECT detail_json FROM audit_events WHERE action = $1 ORDER BY seq DESC LIMIT 1",
    )
    .bind(DISCLOSED)
    .fetch_one(c.store.pool())
    .await
    .unwrap();
    let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["fields"], serde_json::json!(["end_user"]));
    assert_eq!(detail["reason"], reason);
    assert!(
        !detail.to_string().contains("Acme"),
        "no disclosed value in the audit"
    );
}

async fn nobody_else_and_no_bad_request_gets_an_opening(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    w.case_at(Stage::Granted).await;
    assert_eq!(sequencer().run_once(c).await.unwrap(), 1);
    let reason = "Inspection of licensing decisions, 2026 annual review";
    for (who, actor) in w.everyone() {
        if who == "oversight" {
            continue;
        }
        let err = disclose(c, actor, 0, None, reason).await.unwrap_err();
        assert!(matches!(err, ServiceError::Forbidden(_)), "{who}: {err:?}");
    }
    let err = disclose(c, &w.oversight, 0, None, "because")
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Validation(_)), "{err:?}");
    let err = disclose(c, &w.oversight, 7, None, reason)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::NotFound(_)), "{err:?}");
    assert_eq!(disclosures(c).await, 0);

    // A stored opening that no longer opens the public entry is never handed over.
    sqlx::query("UPDATE register_entry_openings SET exporter = 'Someone Else Ltd'")
        .execute(c.store.pool())
        .await
        .unwrap();
    let err = disclose(
        c,
        &w.oversight,
        0,
        Some(ConfidentialField::Exporter),
        reason,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("does not open"), "{err}");
    assert!(disclose(
        c,
        &w.oversight,
        0,
        Some(ConfidentialField::Quantity),
        reason
    )
    .await
    .is_ok());
    assert_eq!(disclosures(c).await, 1);
}

probity_service::backend_tests!(
    oversight_gets_checked_openings_and_the_disclosure_is_audited,
    nobody_else_and_no_bad_request_gets_an_opening,
);
