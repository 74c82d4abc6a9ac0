//! Two-factor sign-in: enrolment with a current code, the second step of sign-in (a pending
//! sign-in, never a session, until the code), refusal of a reused code, single-use recovery
//! codes, and which roles must have it.
mod common;

use common::*;
use probity_service::auth::{self, Actor, Role, SignIn};
use probity_service::testing::{Backend, TestDb, World, PASSWORD};
use probity_service::two_factor::sign_in::{self, PendingSignIn, SecondStepError};
use probity_service::two_factor::{self, Authenticator, TwoFactorPolicy};
use probity_service::{Ctx, ServiceError};

const LOCAL: probity_service::sign_in::ClientAddr = probity_service::testing::LOCAL_CLIENT;

/// Enrol `actor`: returns the authenticator (as their phone would hold it) and the recovery
/// codes. The clock then moves on a step, so the enrolment code is not the next one needed.
pub async fn enrol(w: &World, c: &Ctx, actor: &Actor) -> (Authenticator, Vec<String>) {
    let e = two_factor::start_enrolment(c, actor).await.unwrap();
    let phone = Authenticator::new(&e.secret_base32, &actor.email).unwrap();
    let codes = two_factor::confirm_enrolment(c, actor, &phone.code_at(w.now()))
        .await
        .unwrap();
    w.clock.advance(time::Duration::seconds(30));
    (phone, codes)
}

async fn pending(c: &Ctx, actor: &Actor) -> PendingSignIn {
    match auth::login(c, &actor.email, PASSWORD, LOCAL).await.unwrap() {
        SignIn::SecondFactor(p) => p,
        SignIn::Complete(..) => panic!("{} signed in without a second factor", actor.email),
    }
}

async fn sessions(db: &TestDb) -> i64 {
    probity_service::store::count(&db.store, "SELECT CAST(COUNT(*) AS BIGINT) FROM sessions")
        .await
        .unwrap()
}

fn wrong_code<T: std::fmt::Debug>(r: Result<T, SecondStepError>) {
    match r {
        Err(SecondStepError::Service(ServiceError::Validation(v))) => {
            assert_eq!(v.0[0].field, "code")
        }
        other => panic!("expected a wrong-code error, got {other:?}"),
    }
}

async fn enrolment_needs_a_current_code(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let e = two_factor::start_enrolment(c, &w.caseworker).await.unwrap();
    assert!(e.uri.starts_with("otpauth://totp/Probity:"), "{}", e.uri);
    // Reloading the page shows the same secret (a scanned code stays valid).
    let again = two_factor::start_enrolment(c, &w.caseworker).await.unwrap();
    assert_eq!(again.secret_base32, e.secret_base32);
    let phone = Authenticator::new(&e.secret_base32, &w.caseworker.email).unwrap();
    // Not on until a right code is typed.
    let stale = phone.code_at(w.now() - time::Duration::minutes(5));
    let errors = invalid(two_factor::confirm_enrolment(c, &w.caseworker, &stale).await);
    assert_eq!(errors[0].0, "code");
    assert!(!two_factor::status(c, &w.caseworker).await.unwrap().enabled);
    assert!(matches!(
        auth::login(c, &w.caseworker.email, PASSWORD, LOCAL)
            .await
            .unwrap(),
        SignIn::Complete(..)
    ));
    let codes = two_factor::confirm_enrolment(c, &w.caseworker, &phone.code_at(w.now()))
        .await
        .unwrap();
    assert_eq!(codes.len(), 10);
    let distinct: std::collections::HashSet<_> = codes.iter().collect();
    assert_eq!(distinct.len(), 10);
    let status = two_factor::status(c, &w.caseworker).await.unwrap();
    assert!(status.enabled && !status.required);
    assert_eq!(status.recovery_codes_left, 10);
    let (_, action, _, actor, ..) = last_event(&db.store).await;
    assert_eq!(action, "two_factor.enable");
    assert_eq!(actor, Some(w.caseworker.user_id.to_string()));
    // Enrolled once: a second enrolment is refused (an administrator resets a lost one).
    assert!(matches!(
        two_factor::start_enrolment(c, &w.caseworker).await,
        Err(ServiceError::Conflict(_))
    ));
    // Only hashes are stored.
    let stored: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM recovery_codes")
        .fetch_all(db.store.pool())
        .await
        .unwrap();
    assert!(codes
        .iter()
        .all(|code| !stored.iter().any(|h| h.contains(code))));
}

async fn sign_in_takes_a_second_step_and_refuses_a_reused_code(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let (phone, _) = enrol(&w, c, &w.decision_maker).await;
    let before = sessions(&db).await;
    let p = pending(c, &w.decision_maker).await;
    // The half-signed-in state is not a session.
    assert_eq!(sessions(&db).await, before);
    assert!(auth::session_actor(c, &p.token).await.unwrap().is_none());
    wrong_code(sign_in::complete(c, &p.token, &p.csrf_token, "000000x", LOCAL).await);
    let code = phone.code_at(w.now());
    let (session, actor) = sign_in::complete(c, &p.token, &p.csrf_token, &code, LOCAL)
        .await
        .unwrap();
    assert_eq!(actor, w.decision_maker);
    let (live, _) = auth::session_actor(c, &session.token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(live, w.decision_maker);
    let (_, action, ..) = last_event(&db.store).await;
    assert_eq!(action, "sign_in.second_factor");
    // The same code (the same step) a second time is refused, and so is the previous step's.
    let p = pending(c, &w.decision_maker).await;
    wrong_code(sign_in::complete(c, &p.token, &p.csrf_token, &code, LOCAL).await);
    let previous = phone.code_at(w.now() - time::Duration::seconds(30));
    wrong_code(sign_in::complete(c, &p.token, &p.csrf_token, &previous, LOCAL).await);
    // The next step's code is accepted.
    w.clock.advance(time::Duration::seconds(30));
    sign_in::complete(c, &p.token, &p.csrf_token, &phone.code_at(w.now()), LOCAL)
        .await
        .unwrap();
}

async fn a_recovery_code_signs_in_once(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let (_, codes) = enrol(&w, c, &w.policy).await;
    let p = pending(c, &w.policy).await;
    // Typed in capitals and without dashes: still the same code.
    let typed = codes[3].replace('-', "").to_uppercase();
    sign_in::complete(c, &p.token, &p.csrf_token, &typed, LOCAL)
        .await
        .unwrap();
    assert_eq!(
        two_factor::status(c, &w.policy)
            .await
            .unwrap()
            .recovery_codes_left,
        9
    );
    let p = pending(c, &w.policy).await;
    wrong_code(sign_in::complete(c, &p.token, &p.csrf_token, &codes[3], LOCAL).await);
    // Another user's code is no code of this user's.
    let (_, others) = enrol(&w, c, &w.oversight).await;
    wrong_code(sign_in::complete(c, &p.token, &p.csrf_token, &others[0], LOCAL).await);
    sign_in::complete(c, &p.token, &p.csrf_token, &codes[4], LOCAL)
        .await
        .unwrap();
}

async fn a_pending_sign_in_is_short_lived_single_use_and_bound(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let (phone, _) = enrol(&w, c, &w.admin).await;
    // A form token from elsewhere is refused.
    let p = pending(c, &w.admin).await;
    assert!(matches!(
        sign_in::complete(c, &p.token, "forged", &phone.code_at(w.now()), LOCAL).await,
        Err(SecondStepError::Forged)
    ));
    // Used once.
    sign_in::complete(c, &p.token, &p.csrf_token, &phone.code_at(w.now()), LOCAL)
        .await
        .unwrap();
    w.clock.advance(time::Duration::seconds(30));
    assert!(matches!(
        sign_in::complete(c, &p.token, &p.csrf_token, &phone.code_at(w.now()), LOCAL).await,
        Err(SecondStepError::Expired)
    ));
    // Expires after five minutes.
    let p = pending(c, &w.admin).await;
    assert!(sign_in::pending_form_token(c, &p.token)
        .await
        .unwrap()
        .is_some());
    w.clock.advance(time::Duration::minutes(6));
    assert!(sign_in::pending_form_token(c, &p.token)
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        sign_in::complete(c, &p.token, &p.csrf_token, &phone.code_at(w.now()), LOCAL).await,
        Err(SecondStepError::Expired)
    ));
    // Five wrong codes end it: the password must be given again.
    let p = pending(c, &w.admin).await;
    for _ in 0..4 {
        wrong_code(sign_in::complete(c, &p.token, &p.csrf_token, "999999x", LOCAL).await);
        // Past the account's growing waits between codes (codes_are_throttled_… tests them).
        w.clock.advance(time::Duration::seconds(10));
    }
    assert!(matches!(
        sign_in::complete(c, &p.token, &p.csrf_token, "999999x", LOCAL).await,
        Err(SecondStepError::Expired)
    ));
    let (_, action, ..) = last_event(&db.store).await;
    assert_eq!(action, "sign_in.second_factor_failed");
    assert!(matches!(
        sign_in::complete(c, &p.token, &p.csrf_token, &phone.code_at(w.now()), LOCAL).await,
        Err(SecondStepError::Expired)
    ));
}

async fn the_requirement_follows_the_role_and_the_switch(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let required = [
        Role::DecisionMaker,
        Role::Policy,
        Role::Oversight,
        Role::Admin,
    ];
    for role in Role::ALL {
        assert_eq!(
            TwoFactorPolicy::Required.required_for(role),
            required.contains(&role),
            "{role}"
        );
        assert!(!TwoFactorPolicy::Optional.required_for(role), "{role}");
    }
    let strict = w.ctx.clone().with_two_factor(TwoFactorPolicy::Required);
    for (label, actor) in w.everyone() {
        assert_eq!(
            two_factor::must_enrol(&strict, actor).await.unwrap(),
            required.contains(&actor.role),
            "{label}"
        );
        assert!(!two_factor::must_enrol(&w.ctx, actor).await.unwrap());
    }
    enrol(&w, &strict, &w.oversight).await;
    assert!(!two_factor::must_enrol(&strict, &w.oversight).await.unwrap());
    assert!(
        two_factor::status(&strict, &w.oversight)
            .await
            .unwrap()
            .required
    );
    // `serve`'s default.
    let fresh = Ctx::new(
        db.store.clone(),
        probity_service::domain::CriteriaSet::uk_selc(),
        w.clock.clone(),
    );
    assert_eq!(fresh.two_factor, TwoFactorPolicy::Required);
}

/// Two sign-ins racing with one code (say, a code read over a shoulder): never both win,
/// because "newer than the last step used" is decided inside the UPDATE.
async fn one_code_raced_twice_signs_in_once(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let (phone, codes) = enrol(&w, c, &w.decision_maker).await;
    let code = phone.code_at(w.now());
    let recovery = &codes[0];
    for typed in [code.as_str(), recovery.as_str()] {
        let mut attempts = Vec::new();
        for _ in 0..8 {
            attempts.push(pending(c, &w.decision_maker).await);
        }
        let results = complete_all(c, &attempts, typed).await;
        let won = results.iter().filter(|r| r.is_ok()).count();
        // Never two. The losers count as wrong codes, so when five of them run before the
        // winner the account's second step locks and nobody wins this round.
        let throttled = results.iter().any(|r| {
            matches!(
                r,
                Err(SecondStepError::Service(ServiceError::Throttled { .. }))
            )
        });
        assert!(won == 1 || (won == 0 && throttled), "{typed}: {results:?}");
        w.clock.advance(time::Duration::minutes(2));
    }
}

async fn complete_all(
    c: &Ctx,
    attempts: &[PendingSignIn],
    typed: &str,
) -> Vec<Result<(auth::Session, Actor), SecondStepError>> {
    let tasks: Vec<_> = attempts
        .iter()
        .map(|p| {
            let (c, p, typed) = (c.clone(), p.clone(), typed.to_string());
            tokio::spawn(async move {
                sign_in::complete(&c, &p.token, &p.csrf_token, &typed, LOCAL).await
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("the task ran"));
    }
    out
}

/// A stolen password must not buy unlimited rounds of code guesses: wrong codes count against
/// the account across pending sign-ins, lock it (then even the right code waits), and only a
/// completed second step wipes the count.
async fn codes_are_throttled_across_pending_sign_ins(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let (phone, _) = enrol(&w, c, &w.caseworker).await;
    let not_the_code = |right: String| {
        let first = (right.as_bytes()[0] - b'0' + 5) % 10;
        format!("{first}{}", &right[1..])
    };
    let mut throttled_in_round = None;
    for round in 0..10 {
        // A fresh pending sign-in each round, as an attacker with the password would get.
        let p = pending(c, &w.caseworker).await;
        let guess = not_the_code(phone.code_at(w.now()));
        match sign_in::complete(c, &p.token, &p.csrf_token, &guess, LOCAL).await {
            Err(SecondStepError::Service(ServiceError::Throttled { .. })) => {
                throttled_in_round = Some(round);
                break;
            }
            other => wrong_code(other),
        }
        w.clock.advance(time::Duration::seconds(10));
    }
    assert_eq!(
        throttled_in_round,
        Some(5),
        "five wrong codes lock the second step"
    );
    let p = pending(c, &w.caseworker).await;
    let right = phone.code_at(w.now());
    assert!(matches!(
        sign_in::complete(c, &p.token, &p.csrf_token, &right, LOCAL).await,
        Err(SecondStepError::Service(ServiceError::Throttled { .. }))
    ));
    w.clock.advance(time::Duration::minutes(2));
    let p = pending(c, &w.caseworker).await;
    sign_in::complete(c, &p.token, &p.csrf_token, &phone.code_at(w.now()), LOCAL)
        .await
        .expect("the right code once the lock has passed");
}

probity_service::backend_tests!(
    codes_are_throttled_across_pending_sign_ins,
    one_code_raced_twice_signs_in_once,
    enrolment_needs_a_current_code,
    sign_in_takes_a_second_step_and_refuses_a_reused_code,
    a_recovery_code_signs_in_once,
    a_pending_sign_in_is_short_lived_single_use_and_bound,
    the_requirement_follows_the_role_and_the_switch,
);
