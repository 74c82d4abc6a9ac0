use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;

const T0: OffsetDateTime = datetime!(2026-03-02 09:00 UTC);

fn secs(n: i64) -> Duration {
    Duration::seconds(n)
}

/// A failed attempt at `now`, as the service runs it: begin (must be allowed), then settle.
fn fail(p: &ThrottlePolicy, s: ThrottleState, now: OffsetDateTime) -> (ThrottleState, bool) {
    let s = p.begin_attempt(s, now).expect("allowed");
    let (s, locked) = p.settle_failure(s, now);
    (s, locked.is_some())
}

#[test]
fn delays_grow_after_the_free_failures_and_are_capped() {
    let table: &[(ThrottlePolicy, u32, Option<i64>)] = &[
        (ThrottlePolicy::ACCOUNT, 0, None),
        (ThrottlePolicy::ACCOUNT, 1, None),
        (ThrottlePolicy::ACCOUNT, 2, None),
        (ThrottlePolicy::ACCOUNT, 3, Some(1)),
        (ThrottlePolicy::ACCOUNT, 4, Some(2)),
        (ThrottlePolicy::ACCOUNT, 9, Some(30)),
        (ThrottlePolicy::ACCOUNT, u32::MAX, Some(30)),
        (ThrottlePolicy::ADDRESS, 10, None),
        (ThrottlePolicy::ADDRESS, 11, Some(1)),
        (ThrottlePolicy::ADDRESS, 13, Some(4)),
        (ThrottlePolicy::ADDRESS, 29, Some(30)),
    ];
    for (policy, failures, want) in table {
        assert_eq!(
            policy.delay(*failures),
            want.map(secs),
            "{failures} failures"
        );
    }
}

#[test]
fn locks_double_and_are_capped() {
    let p = ThrottlePolicy::ACCOUNT;
    let table = [
        (1, 60),
        (2, 120),
        (3, 240),
        (6, 1920),
        (7, 3600),
        (40, 3600),
    ];
    for (n, want) in table {
        assert_eq!(p.lock_duration(n), secs(want), "lock {n}");
    }
}

#[test]
fn five_account_failures_lock_for_a_minute_with_waits_between() {
    let p = ThrottlePolicy::ACCOUNT;
    let mut s = ThrottleState::default();
    let mut now = T0;
    // (seconds after the previous failure, whether this failure locks)
    for (i, locks) in [false, false, false, false, true].into_iter().enumerate() {
        if let Some(d) = p.delay(s.failures) {
            // Too early: refused with the time the wait ends, and not counted.
            let early = p.check(s, now).expect_err("too early");
            assert_eq!(
                early,
                Refusal {
                    until: now + d,
                    locked: false
                },
                "failure {i}"
            );
            assert_eq!(p.begin_attempt(s, now), Err(early));
            now += d;
        }
        let (next, locked) = fail(&p, s, now);
        assert_eq!(locked, locks, "failure {}", i + 1);
        s = next;
    }
    assert_eq!(s.locks, 1);
    assert_eq!(s.failures, 0);
    let refusal = p.check(s, now + secs(59)).expect_err("locked");
    assert!(refusal.locked);
    assert_eq!(refusal.until, now + secs(60));
    assert_eq!(refusal.retry_after_secs(now + secs(59)), 1);
    assert_eq!(refusal.retry_after_secs(now), 60);
    // After the lock: another streak, and its lock lasts twice as long.
    now += secs(60);
    assert_eq!(p.check(s, now), Ok(()));
    for _ in 0..5 {
        if let Some(d) = p.delay(s.failures) {
            now += d;
        }
        s = fail(&p, s, now).0;
    }
    assert_eq!(s.locks, 2);
    assert_eq!(s.locked_until, Some(now + secs(120)));
}

#[test]
fn an_attempt_in_flight_counts_so_a_burst_cannot_pass_together() {
    let p = ThrottlePolicy::ACCOUNT;
    let mut s = ThrottleState::default();
    let mut let_through = 0;
    // Ten parallel attempts at the same instant, none settled yet.
    for _ in 0..10 {
        if let Ok(next) = p.begin_attempt(s, T0) {
            s = next;
            let_through += 1;
        }
    }
    assert_eq!(let_through, p.free_failures + 1);
}

#[test]
fn success_takes_back_the_provisional_failure() {
    let p = ThrottlePolicy::ADDRESS;
    let s = ThrottleState {
        failures: 4,
        ..ThrottleState::default()
    };
    let s = p.begin_attempt(s, T0).unwrap();
    assert_eq!(s.failures, 5);
    assert_eq!(p.settle_success(s).failures, 4);
    assert_eq!(p.settle_success(ThrottleState::default()).failures, 0);
}

#[test]
fn a_settled_failure_while_locked_does_not_lock_again() {
    let p = ThrottlePolicy::ACCOUNT;
    let s = ThrottleState {
        failures: 7,
        locks: 1,
        last_failure_at: Some(T0),
        locked_until: Some(T0 + secs(60)),
        lock_refusal_recorded: false,
    };
    assert_eq!(p.settle_failure(s, T0 + secs(1)), (s, None));
}

#[test]
fn old_failures_are_forgotten_but_not_during_a_lock() {
    let p = ThrottlePolicy::ACCOUNT;
    let s = ThrottleState {
        failures: 4,
        locks: 3,
        last_failure_at: Some(T0),
        locked_until: None,
        lock_refusal_recorded: false,
    };
    let later = T0 + p.forget_after;
    let s2 = p.begin_attempt(s, later).unwrap();
    assert_eq!((s2.failures, s2.locks), (1, 0));
    // Still within the window: the streak continues.
    let soon = T0 + secs(10);
    assert_eq!(p.begin_attempt(s, soon).unwrap().failures, 5);
    // A lock longer than the window is not cut short by forgetting.
    let locked = ThrottleState {
        locked_until: Some(T0 + p.forget_after + secs(5)),
        ..s
    };
    assert!(p.check(locked, later).is_err());
}

#[test]
fn bad_tokens_are_counted_in_one_step() {
    let p = ThrottlePolicy::TOKEN_ADDRESS;
    let mut s = ThrottleState::default();
    let mut now = T0;
    let mut locked_at = None;
    for i in 1..=p.lock_after {
        if let Some(d) = p.delay(s.failures) {
            now += d;
        }
        assert_eq!(p.check(s, now), Ok(()), "attempt {i}");
        let (next, lock) = p.record_failure(s, now);
        s = next;
        if lock.is_some() {
            locked_at = Some(i);
        }
    }
    assert_eq!(locked_at, Some(p.lock_after));
    assert!(p.check(s, now).unwrap_err().locked);
}
