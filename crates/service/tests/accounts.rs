//! Looking after accounts: an administrator disables (sessions end, sign-in refused) and
//! re-enables an account and resets a lost second factor, each audited with a reason;
//! everyone changes their own password (current one required, other sessions ended).
mod common;

use common::*;
use probity_service::accounts::{self, AdminAction, PasswordChange};
use probity_service::auth::{self, Actor, Session, SignIn};
use probity_service::testing::{Backend, TestDb, World, PASSWORD};
use probity_service::two_factor::{self, Authenticator, TwoFactorPolicy};
use probity_service::{Ctx, ServiceError};

const LOCAL: probity_service::sign_in::ClientAddr = probity_service::testing::LOCAL_CLIENT;

const REASON: &str = "Left the department on 1 March.";

async fn session(c: &Ctx, actor: &Actor, password: &str) -> Session {
    auth::login(c, &actor.email, password, LOCAL)
        .await
        .unwrap()
        .complete()
        .expect("no second factor")
        .0
}

async fn live(c: &Ctx, s: &Session) -> bool {
    auth::session_actor(c, &s.token).await.unwrap().is_some()
}

async fn disabling_ends_sessions_and_refuses_sign_in(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let target = w.caseworker.user_id;
    let s = session(c, &w.caseworker, PASSWORD).await;
    // Only administrators, only with a reason, never themselves.
    assert!(matches!(
        accounts::administer(c, &w.oversight, target, AdminAction::Disable, REASON).await,
        Err(ServiceError::Forbidden(_))
    ));
    let errors =
        invalid(accounts::administer(c, &w.admin, target, AdminAction::Disable, "  ").await);
    assert_eq!(errors[0].0, "reason");
    assert!(matches!(
        accounts::administer(c, &w.admin, w.admin.user_id, AdminAction::Disable, REASON).await,
        Err(ServiceError::Conflict(_))
    ));
    assert!(live(c, &s).await);

    accounts::administer(c, &w.admin, target, AdminAction::Disable, REASON)
        .await
        .unwrap();
    assert!(!live(c, &s).await, "the session ended at once");
    let (_, action, role, actor, subject, detail) = last_event(&db.store).await;
    assert_eq!(
        (action.as_str(), role.as_str(), subject),
        ("user.disable", "admin", target.to_string())
    );
    assert_eq!(actor, Some(w.admin.user_id.to_string()));
    assert!(detail.contains(REASON), "{detail}");
    // Sign-in is refused with a plain message (to someone who knows the password).
    let errors = invalid(auth::login(c, &w.caseworker.email, PASSWORD, LOCAL).await);
    assert!(errors[0].1.contains("disabled"), "{errors:?}");
    // A wrong password still gets the usual answer, so disabling leaks nothing.
    let errors = invalid(auth::login(c, &w.caseworker.email, "not the password", LOCAL).await);
    assert!(!errors[0].1.contains("disabled"), "{errors:?}");
    let listed = accounts::list(c, &w.admin).await.unwrap();
    assert!(listed.iter().any(|a| a.user.user_id == target && !a.active));

    accounts::administer(c, &w.admin, target, AdminAction::Enable, REASON)
        .await
        .unwrap();
    assert_eq!(last_event(&db.store).await.1, "user.enable");
    assert!(live(c, &session(c, &w.caseworker, PASSWORD).await).await);
    assert!(matches!(
        accounts::administer(c, &w.admin, target, AdminAction::Enable, REASON).await,
        Err(ServiceError::Conflict(_))
    ));
}

async fn a_reset_second_factor_must_be_enrolled_again(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx.clone().with_two_factor(TwoFactorPolicy::Required);
    let dm = &w.decision_maker;
    let e = two_factor::start_enrolment(c, dm).await.unwrap();
    let phone = Authenticator::new(&e.secret_base32, &dm.email).unwrap();
    two_factor::confirm_enrolment(c, dm, &phone.code_at(w.now()))
        .await
        .unwrap();
    w.clock.advance(time::Duration::seconds(30));
    let SignIn::SecondFactor(p) = auth::login(c, &dm.email, PASSWORD, LOCAL).await.unwrap() else {
        panic!("a second step was expected");
    };
    let (s, _) =
        two_factor::sign_in::complete(c, &p.token, &p.csrf_token, &phone.code_at(w.now()), LOCAL)
            .await
            .unwrap();
    assert!(!two_factor::must_enrol(c, dm).await.unwrap());

    accounts::administer(
        c,
        &w.admin,
        dm.user_id,
        AdminAction::ResetSecondFactor,
        REASON,
    )
    .await
    .unwrap();
    let (_, action, _, actor, _, detail) = last_event(&db.store).await;
    assert_eq!(action, "two_factor.reset");
    assert_eq!(actor, Some(w.admin.user_id.to_string()));
    assert!(detail.contains(REASON));
    assert!(!live(c, &s).await, "sessions end with the reset");
    assert!(two_factor::must_enrol(c, dm).await.unwrap());
    assert_eq!(
        two_factor::status(c, dm).await.unwrap().recovery_codes_left,
        0
    );
    // The password alone signs in now, to a session that must enrol before anything else.
    let s = session(c, dm, PASSWORD).await;
    assert!(live(c, &s).await);
    let fresh = two_factor::start_enrolment(c, dm).await.unwrap();
    assert_ne!(fresh.secret_base32, e.secret_base32);
    assert!(matches!(
        accounts::administer(
            c,
            &w.admin,
            dm.user_id,
            AdminAction::ResetSecondFactor,
            REASON
        )
        .await,
        Err(ServiceError::Conflict(_))
    ));
}

fn change(current: &str, new: &str) -> PasswordChange {
    PasswordChange {
        current_password: current.into(),
        new_password: new.into(),
        confirm_password: new.into(),
    }
}

async fn a_password_change_needs_the_old_one_and_ends_other_sessions(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let me = &w.exporter;
    let here = session(c, me, PASSWORD).await;
    let elsewhere = session(c, me, PASSWORD).await;
    let colleague = session(c, &w.other_exporter, PASSWORD).await;
    let new = "a completely new passphrase";

    let errors = invalid(
        accounts::change_password(c, me, &here.token, &change("wrong password!", new)).await,
    );
    assert_eq!(errors[0].0, "current_password");
    let errors =
        invalid(accounts::change_password(c, me, &here.token, &change(PASSWORD, "short")).await);
    assert_eq!(errors[0].0, "new_password");
    let errors =
        invalid(accounts::change_password(c, me, &here.token, &change(PASSWORD, PASSWORD)).await);
    assert_eq!(errors[0].0, "new_password");
    let long = "x".repeat(1025);
    let errors =
        invalid(accounts::change_password(c, me, &here.token, &change(PASSWORD, &long)).await);
    assert_eq!(errors[0].0, "new_password");
    let mut mismatched = change(PASSWORD, new);
    mismatched.confirm_password = "something else entirely".into();
    let errors = invalid(accounts::change_password(c, me, &here.token, &mismatched).await);
    assert_eq!(errors[0].0, "confirm_password");
    assert!(live(c, &elsewhere).await, "nothing changed yet");

    accounts::change_password(c, me, &here.token, &change(PASSWORD, new))
        .await
        .unwrap();
    assert!(live(c, &here).await, "this session stays");
    assert!(!live(c, &elsewhere).await, "every other session ends");
    assert!(live(c, &colleague).await, "other users' sessions stay");
    let (_, action, _, actor, ..) = last_event(&db.store).await;
    assert_eq!(action, "user.password_change");
    assert_eq!(actor, Some(me.user_id.to_string()));
    invalid(auth::login(c, &me.email, PASSWORD, LOCAL).await);
    session(c, me, new).await;
}

/// Guessing the current password from a borrowed session is throttled like sign-in: wrong
/// guesses count against the account, and once it locks even the right one waits.
async fn the_current_password_cannot_be_guessed_from_a_session(backend: Backend) {
    let db = TestDb::new(backend).await;
    let w = World::new(&db).await;
    let c = &w.ctx;
    let me = &w.exporter;
    let here = session(c, me, PASSWORD).await;
    let new = "a completely new passphrase";
    for guess in 0..5 {
        let errors = invalid(
            accounts::change_password(c, me, &here.token, &change(&format!("guess {guess}!"), new))
                .await,
        );
        assert_eq!(errors[0].0, "current_password");
        w.clock.advance(time::Duration::seconds(10));
    }
    let (_, action, ..) = last_event(&db.store).await;
    assert_eq!(action, "sign_in.lock");
    let r = accounts::change_password(c, me, &here.token, &change(PASSWORD, new)).await;
    assert!(matches!(r, Err(ServiceError::Throttled { .. })), "{r:?}");
    w.clock.advance(time::Duration::minutes(2));
    accounts::change_password(c, me, &here.token, &change(PASSWORD, new))
        .await
        .expect("the right password once the lock has passed");
}

probity_service::backend_tests!(
    the_current_password_cannot_be_guessed_from_a_session,
    disabling_ends_sessions_and_refuses_sign_in,
    a_reset_second_factor_must_be_enrolled_again,
    a_password_change_needs_the_old_one_and_ends_other_sessions,
);
