//! Sign-in throttling policy: how long a key (an account, or a client address) must wait
//! after failed attempts, and when it is locked. Pure: the caller loads the state, asks, and
//! stores the answer, so several web processes can share the state through the database.
//!
//! An attempt counts as a failure from the moment it is let through
//! ([`ThrottlePolicy::begin_attempt`]) until it proves otherwise, so a burst of parallel
//! guesses cannot all pass the check before the first failure is written.
use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures in a row that cost no wait.
    pub free_failures: u32,
    /// The wait after the first failure beyond the free ones; it doubles with each further one.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// Failures in a row that lock the key.
    pub lock_after: u32,
    /// The first lock; each further lock doubles it, up to `max_lock`.
    pub first_lock: Duration,
    pub max_lock: Duration,
    /// Failures this long past (and no lock running) are forgotten.
    pub forget_after: Duration,
}

impl ThrottlePolicy {
    /// One account (keyed by the email typed, whether or not an account has it, so the
    /// answer does not reveal which emails exist): 2 free tries, then 1 s, 2 s, and the fifth
    /// failure locks for a minute, then 2, 4, … up to an hour.
    pub const ACCOUNT: ThrottlePolicy = ThrottlePolicy {
        free_failures: 2,
        first_delay: Duration::seconds(1),
        max_delay: Duration::seconds(30),
        lock_after: 5,
        first_lock: Duration::minutes(1),
        max_lock: Duration::hours(1),
        forget_after: Duration::hours(24),
    };

    /// One client address, over every email tried from it: higher limits, since an office
    /// behind one address has many people who mistype.
    pub const ADDRESS: ThrottlePolicy = ThrottlePolicy {
        free_failures: 10,
        first_delay: Duration::seconds(1),
        max_delay: Duration::seconds(30),
        lock_after: 30,
        first_lock: Duration::minutes(1),
        max_lock: Duration::hours(1),
        forget_after: Duration::hours(1),
    };

    /// Unknown, expired or revoked bearer tokens from one client address.
    pub const TOKEN_ADDRESS: ThrottlePolicy = ThrottlePolicy::ADDRESS;

    /// The wait after `failures` failures in a row, if any.
    pub fn delay(&self, failures: u32) -> Option<Duration> {
        if failures <= self.free_failures {
            return None;
        }
        let doublings = (failures - self.free_failures - 1).min(20);
        Some((self.first_delay * 2i32.pow(doublings)).min(self.max_delay))
    }

    /// How long lock number `n` (1-based) lasts.
    pub fn lock_duration(&self, n: u32) -> Duration {
        let doublings = n.saturating_sub(1).min(20);
        (self.first_lock * 2i32.pow(doublings)).min(self.max_lock)
    }

    /// The state as it stands at `now`: a finished streak long past is forgotten.
    fn current(&self, s: ThrottleState, now: OffsetDateTime) -> ThrottleState {
        let lock_running = s.locked_until.is_some_and(|u| u > now);
        match s.last_failure_at {
            Some(t) if !lock_running && now - t >= self.forget_after => ThrottleState::default(),
            _ => s,
        }
    }

    /// Whether an attempt may be made now.
    pub fn check(&self, s: ThrottleState, now: OffsetDateTime) -> Result<(), Refusal> {
        let s = self.current(s, now);
        if let Some(until) = s.locked_until.filter(|u| *u > now) {
            return Err(Refusal {
                until,
                locked: true,
            });
        }
        if let (Some(last), Some(delay)) = (s.last_failure_at, self.delay(s.failures)) {
            if last + delay > now {
                return Err(Refusal {
                    until: last + delay,
                    locked: false,
                });
            }
        }
        Ok(())
    }

    /// Let an attempt through, counting it as failed until [`settle_success`] says otherwise.
    ///
    /// [`settle_success`]: ThrottlePolicy::settle_success
    pub fn begin_attempt(
        &self,
        s: ThrottleState,
        now: OffsetDateTime,
    ) -> Result<ThrottleState, Refusal> {
        self.check(s, now)?;
        let mut s = self.current(s, now);
        s.failures += 1;
        s.last_failure_at = Some(now);
        Ok(s)
    }

    /// The attempt failed: lock the key if the streak has reached the limit. Returns the new
    /// state and, when this failure locked the key, until when.
    pub fn settle_failure(
        &self,
        mut s: ThrottleState,
        now: OffsetDateTime,
    ) -> (ThrottleState, Option<OffsetDateTime>) {
        if s.locked_until.is_some_and(|u| u > now) || s.failures < self.lock_after {
            return (s, None);
        }
        s.locks += 1;
        s.failures = 0;
        let until = now + self.lock_duration(s.locks);
        s.locked_until = Some(until);
        s.lock_refusal_recorded = false;
        (s, Some(until))
    }

    /// A failure counted in one step (a bad bearer token: nothing to verify slowly).
    pub fn record_failure(
        &self,
        s: ThrottleState,
        now: OffsetDateTime,
    ) -> (ThrottleState, Option<OffsetDateTime>) {
        let mut s = self.current(s, now);
        s.failures += 1;
        s.last_failure_at = Some(now);
        self.settle_failure(s, now)
    }

    /// The attempt succeeded: take back the failure [`begin_attempt`] counted. An account's
    /// slate is wiped by [`ThrottleState::default`] instead; an address keeps its other
    /// failures, so one valid account cannot reset the count for guesses at others.
    ///
    /// [`begin_attempt`]: ThrottlePolicy::begin_attempt
    pub fn settle_success(&self, mut s: ThrottleState) -> ThrottleState {
        s.failures = s.failures.saturating_sub(1);
        s
    }
}

/// What is remembered per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ThrottleState {
    /// Failures in the current streak (a lock starts a new one).
    pub failures: u32,
    /// Locks so far (each doubles the next), until the key is forgotten or succeeds.
    pub locks: u32,
    pub last_failure_at: Option<OffsetDateTime>,
    pub locked_until: Option<OffsetDateTime>,
    /// Whether a refusal during the running lock has been recorded (one per lock, so a
    /// locked key hammered by requests does not grow the audit chain per request).
    pub lock_refusal_recorded: bool,
}

/// Why an attempt may not be made yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub until: OffsetDateTime,
    /// A lock (rather than the short wait between attempts).
    pub locked: bool,
}

impl Refusal {
    /// Whole seconds to wait from `now`, at least one (for a `Retry-After` header).
    pub fn retry_after_secs(&self, now: OffsetDateTime) -> u64 {
        let wait = self.until - now;
        let secs = wait.whole_seconds() + i64::from(wait.subsec_nanoseconds() > 0);
        secs.max(1) as u64
    }
}

#[cfg(test)]
#[path = "throttle_tests.rs"]
mod tests;
