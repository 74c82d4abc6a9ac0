use std::sync::{Arc, Mutex};

use time::OffsetDateTime;

/// The time source. Tests and the demo move a fixed clock to exercise deadlines and expiry.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    fixed: Option<Arc<Mutex<OffsetDateTime>>>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock { fixed: None }
    }

    pub fn fixed(at: OffsetDateTime) -> Clock {
        Clock {
            fixed: Some(Arc::new(Mutex::new(at))),
        }
    }

    pub fn now(&self) -> OffsetDateTime {
        match &self.fixed {
            Some(t) => *t.lock().unwrap_or_else(|p| p.into_inner()),
            None => OffsetDateTime::now_utc(),
        }
    }

    /// Move a fixed clock (no effect on the system clock).
    pub fn set(&self, at: OffsetDateTime) {
        if let Some(t) = &self.fixed {
            *t.lock().unwrap_or_else(|p| p.into_inner()) = at;
        }
    }

    pub fn advance(&self, by: time::Duration) {
        let now = self.now();
        self.set(now + by);
    }
}
