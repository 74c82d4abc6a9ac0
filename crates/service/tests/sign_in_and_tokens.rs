//! Sign-in throttling and locks, and API tokens (scope, expiry, revocation, last use), on
//! both backends, with the audit events each records.
mod common;

use std::net::{IpAddr, Ipv4Addr};

use probity_service::auth;
use probity_service::domain::api_token::TokenScope;
use probity_service::domain::throttle::ThrottlePolicy;
use probity_service::sign_in::ClientAddr;
use probity_service::store::{audit, Store};
use probity_service::testing::{Backend, TestDb, World, PASSWORD};
use probity_service::tokens::{self, NewToken};
use probity_service::ServiceError;
use serde_json::Value;
use sqlx::Row;
use time::Duration;

fn addr(last: u8) -> ClientAddr {
    ClientAddr(IpAddr::V4(Ipv4Addr::new(198, 51, 100, last)))
}

/// Audit events after `since`: (action, subject id, detail).
async fn events_since(store: &Store, since: i64) -> Vec<(String, String, Value)> {
    sqlx::query(
        "SELECT action, subject_id, detail_json FROM audit_events WHERE seq > $1 ORDER BY seq",
    )
    .bind(since)
    .fetch_all(store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| {
        let detail: String = r.get(2);
        (r.get(0), r.get(1), serde_json::from_str(&detail).unwrap())
    })
    .collect()
}

async fn head(store: &Store) -> i64 {
    audit::verify(store)
        .await
        .unwrap()
        .expect("chain verifies")
        .events
}

fn wait_secs(r: Result<impl std::fmt::Debug, ServiceError>) -> u64 {
    match r {
        Err(ServiceError::Throttled { retry_after_secs }) => retry_after_secs,
        other => panic!("expected to be throttled, got {other:?}"),
    }
}

/// Fail sign-in for `email` until the account locks, waiting out each delay on the clock.
async fn fail_until_locked(w: &World, email: &str, from: ClientAddr) {
    let policy = ThrottlePolicy::ACCOUNT;
    for n in 1..=policy.lock_after {
        if let Some(d) = policy.delay(n - 1) {
            // Too early first: refused without counting, then on time.
            if n == policy.free_failures + 1 {
                let early = auth::login(&w.ctx, email, "not the password", from).await;
                assert_eq!(wait_secs(early), d.whole_seconds() as u64);
            }
            w.clock.advance(d);
        }
        let r = auth::login(&w.ctx, email, "not the password", from).await;
        assert!(
            matches!(r, Err(ServiceError::Validation(_))),
            "failure {n}: {r:?}"
        );
    }
}

async fn an_account_locks_after_repeated_failures(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let since = head(&db.store).await;
    let email = w.exporter.email.clone();
    fail_until_locked(&w, &email, addr(1)).await;

    // Locked: even the right password is refused for a minute, from any address.
    let locked = auth::login(&w.ctx, &email, PASSWORD, addr(2)).await;
    assert_eq!(wait_secs(locked), 60);
    w.clock.advance(Duration::seconds(30));
    assert_eq!(
        wait_secs(auth::login(&w.ctx, &email, PASSWORD, addr(2)).await),
        30
    );

    let events = events_since(&db.store, since).await;
    let actions: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        actions,
        [
            &["sign_in.failed"; 5][..],
            &["sign_in.lock", "sign_in.failed"]
        ]
        .concat(),
        "five failures, the lock, and one refusal while locked (not one per request)"
    );
    let uid = w.exporter.user_id.to_string();
    assert!(events.iter().all(|e| e.1 == uid), "each names the account");
    assert_eq!(events[0].2["reason"], "bad_password");
    assert_eq!(events[0].2["address"], "198.51.100.1");
    assert_eq!(events[5].2["scope"], "account");
    assert_eq!(events[5].2["lock"], 1);
    assert_eq!(events[6].2["reason"], "locked");
    assert_eq!(events[6].2["address"], "198.51.100.2");
    let text = serde_json::to_string(&events).unwrap();
    assert!(!text.contains("not the password") && !text.contains(PASSWORD));

    // After the lock, the right password works and is recorded; the slate is clean again.
    w.clock.advance(Duration::seconds(30));
    let (_, actor) = auth::login(&w.ctx, &email, PASSWORD, addr(2))
        .await
        .unwrap()
        .complete()
        .expect("no second factor");
    assert_eq!(actor, w.exporter);
    let (action, subject, detail) = events_since(&db.store, since).await.pop().unwrap();
    assert_eq!(
        (action.as_str(), subject.as_str()),
        ("sign_in", uid.as_str())
    );
    assert_eq!(detail["address"], "198.51.100.2");
    let r = auth::login(&w.ctx, &email, "not the password", addr(2)).await;
    assert!(matches!(r, Err(ServiceError::Validation(_))), "{r:?}");
}

async fn unknown_emails_are_throttled_alike_and_recorded_by_address(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let since = head(&db.store).await;
    fail_until_locked(&w, "nobody@acme.test", addr(3)).await;
    assert_eq!(
        wait_secs(auth::login(&w.ctx, "nobody@acme.test", "x", addr(3)).await),
        60
    );
    let events = events_since(&db.store, since).await;
    assert_eq!(events[0].0, "sign_in.failed");
    assert_eq!(events[0].1, "198.51.100.3");
    assert_eq!(events[0].2["reason"], "unknown_account");
    assert_eq!(events[5].0, "sign_in.lock");
    assert!(!serde_json::to_string(&events).unwrap().contains("nobody@"));
}

async fn an_address_locks_after_failures_across_accounts(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let policy = ThrottlePolicy::ADDRESS;
    let since = head(&db.store).await;
    for n in 1..=policy.lock_after {
        if let Some(d) = policy.delay(n - 1) {
            w.clock.advance(d);
        }
        // A different email each time: no one account reaches its own limit.
        let email = format!("guess{n}@acme.test");
        let r = auth::login(&w.ctx, &email, "not the password", addr(4)).await;
        assert!(
            matches!(r, Err(ServiceError::Validation(_))),
            "attempt {n}: {r:?}"
        );
    }
    // The address is locked, even for a real account with the right password...
    let locked = auth::login(&w.ctx, &w.caseworker.email, PASSWORD, addr(4)).await;
    assert_eq!(wait_secs(locked), 60);
    // ...but another address signs in.
    auth::login(&w.ctx, &w.caseworker.email, PASSWORD, addr(5))
        .await
        .unwrap();
    let locks: Vec<_> = events_since(&db.store, since)
        .await
        .into_iter()
        .filter(|e| e.0 == "sign_in.lock")
        .collect();
    assert_eq!(locks.len(), 1);
    assert_eq!(locks[0].1, "198.51.100.4");
    assert_eq!(locks[0].2["scope"], "address");
}

fn new_token(name: &str, scope: &str, days: Option<i64>) -> NewToken {
    NewToken {
        name: name.into(),
        scope: scope.into(),
        expires_in_days: days,
    }
}

async fn tokens_are_scoped_and_revocation_and_expiry_apply_at_once(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let since = head(&db.store).await;
    let made = tokens::create(c, &w.exporter, &new_token("ERP", "read_write", None))
        .await
        .unwrap();
    assert_eq!(made.info.scope, TokenScope::ReadWrite);
    assert_eq!(
        made.info.expires_at - made.info.created_at,
        Duration::days(90)
    );
    assert_eq!(made.info.last_used_at, None);
    // The secret is stored only as its hash.
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_all(db.store.pool())
        .await
        .unwrap();
    assert!(!stored.contains(&made.token));

    // Use: the account, the scope; last use noted; one use event per day, however many uses.
    let user = tokens::token_actor(c, &made.token, addr(6))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (user.actor, user.scope),
        (w.exporter.clone(), TokenScope::ReadWrite)
    );
    w.clock.advance(Duration::minutes(5));
    tokens::token_actor(c, &made.token, addr(6))
        .await
        .unwrap()
        .unwrap();
    let listed = tokens::list(c, &w.exporter).await.unwrap();
    assert_eq!(listed[0].last_used_at, Some(w.clock.now()));
    assert_eq!(listed[0].state, "active");
    w.clock.advance(Duration::days(1));
    tokens::token_actor(c, &made.token, addr(6))
        .await
        .unwrap()
        .unwrap();
    let actions: Vec<String> = events_since(&db.store, since)
        .await
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(
        actions,
        ["api_token.create", "api_token.use", "api_token.use"]
    );

    // Revoked: refused at the next request.
    tokens::revoke(c, &w.exporter, made.info.id).await.unwrap();
    assert!(tokens::token_actor(c, &made.token, addr(6))
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        tokens::list(c, &w.exporter).await.unwrap()[0].state,
        "revoked"
    );
    // Someone else's token does not exist for them; revoking twice records once.
    assert!(matches!(
        tokens::revoke(c, &w.other_exporter, made.info.id).await,
        Err(ServiceError::NotFound(_))
    ));
    tokens::revoke(c, &w.exporter, made.info.id).await.unwrap();
    let events = events_since(&db.store, since).await;
    assert_eq!(
        events.iter().filter(|e| e.0 == "api_token.revoke").count(),
        1
    );

    // Expired: refused the moment the expiry passes.
    let short = tokens::create(c, &w.exporter, &new_token("nightly", "read", Some(1)))
        .await
        .unwrap();
    assert_eq!(short.info.scope, TokenScope::Read);
    w.clock.advance(Duration::days(1) - Duration::seconds(1));
    assert!(tokens::token_actor(c, &short.token, addr(6))
        .await
        .unwrap()
        .is_some());
    w.clock.advance(Duration::seconds(1));
    assert!(tokens::token_actor(c, &short.token, addr(6))
        .await
        .unwrap()
        .is_none());
    let text = serde_json::to_string(&events_since(&db.store, since).await).unwrap();
    assert!(!text.contains(&made.token) && !text.contains(&short.token));
}

async fn only_exporters_create_tokens_within_a_year(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    for (label, actor) in w.everyone() {
        let r = tokens::create(c, actor, &new_token("x", "read", None)).await;
        if actor.role == auth::Role::Exporter {
            r.unwrap_or_else(|e| panic!("{label}: {e}"));
        } else {
            assert!(
                matches!(r, Err(ServiceError::Forbidden(_))),
                "{label}: {r:?}"
            );
        }
    }
    let errors = common::invalid(
        tokens::create(c, &w.exporter, &new_token("x", "read_write", Some(366))).await,
    );
    assert_eq!(errors[0].0, "expires_in_days");
}

async fn bad_tokens_lock_the_address(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let good = tokens::create(c, &w.exporter, &new_token("ERP", "read", None))
        .await
        .unwrap();
    let since = head(&db.store).await;
    let policy = ThrottlePolicy::TOKEN_ADDRESS;
    for n in 1..=policy.lock_after {
        if let Some(d) = policy.delay(n - 1) {
            w.clock.advance(d);
        }
        let r = tokens::token_actor(c, "prb_guessed", addr(7)).await;
        assert!(matches!(r, Ok(None)), "attempt {n}: {r:?}");
    }
    // Locked: even a good token from that address waits; other addresses do not.
    assert_eq!(
        wait_secs(tokens::token_actor(c, &good.token, addr(7)).await),
        60
    );
    assert!(tokens::token_actor(c, &good.token, addr(8))
        .await
        .unwrap()
        .is_some());
    let events = events_since(&db.store, since).await;
    assert_eq!(events[0].0, "api_token.lock");
    assert_eq!(events[0].1, "198.51.100.7");
}

probity_service::backend_tests!(
    an_account_locks_after_repeated_failures,
    unknown_emails_are_throttled_alike_and_recorded_by_address,
    an_address_locks_after_failures_across_accounts,
    tokens_are_scoped_and_revocation_and_expiry_apply_at_once,
    only_exporters_create_tokens_within_a_year,
    bad_tokens_lock_the_address,
);
