use probity_domain::{ControlList, CriteriaSet};
use probity_store::Store;

use crate::Clock;

/// Everything a use case needs: the store, the deployment's reference data and a clock.
#[derive(Clone)]
pub struct Ctx {
    pub store: Store,
    pub criteria: &'static CriteriaSet,
    pub control_list: &'static ControlList,
    pub clock: Clock,
    /// Whether the deciding and overseeing roles must sign in with a second factor.
    pub two_factor: crate::two_factor::TwoFactorPolicy,
    /// The analytics table, provenance and query results kept between requests (shared by
    /// this context's clones).
    pub analytics: std::sync::Arc<crate::analytics::AnalyticsCache>,
    /// Working days to answer a dissent, per subject.
    pub dissent_deadlines: probity_domain::DissentDeadlines,
    /// Oversight's key for protected disclosures (none: disclosures are not taken).
    pub disclosure_keys: Option<std::sync::Arc<crate::disclosures::OversightKeys>>,
    /// Failed receipt-code lookups, in memory only (shared by this context's clones).
    pub disclosure_guard: std::sync::Arc<crate::disclosures::LookupGuard>,
    /// The screening index over the current lists (shared by this context's clones).
    pub screening: std::sync::Arc<crate::screening::ScreeningCache>,
}

impl Ctx {
    pub fn new(store: Store, criteria: &'static CriteriaSet, clock: Clock) -> Ctx {
        Ctx {
            store,
            criteria,
            control_list: ControlList::uk(),
            clock,
            two_factor: crate::two_factor::TwoFactorPolicy::Required,
            analytics: Default::default(),
            dissent_deadlines: Default::default(),
            disclosure_keys: None,
            disclosure_guard: Default::default(),
            screening: Default::default(),
        }
    }

    /// This context with oversight's disclosure key (`serve --oversight-identity`).
    pub fn with_disclosure_keys(mut self, keys: crate::disclosures::OversightKeys) -> Ctx {
        self.disclosure_keys = Some(std::sync::Arc::new(keys));
        self
    }

    /// This context with other dissent deadlines (`serve --dissent-deadlines`).
    pub fn with_dissent_deadlines(mut self, d: probity_domain::DissentDeadlines) -> Ctx {
        self.dissent_deadlines = d;
        self
    }

    /// This context with another two-factor policy (the demo, and tests not about it).
    pub fn with_two_factor(mut self, policy: crate::two_factor::TwoFactorPolicy) -> Ctx {
        self.two_factor = policy;
        self
    }
}
