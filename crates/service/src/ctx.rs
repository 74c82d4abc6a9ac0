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
}

impl Ctx {
    pub fn new(store: Store, criteria: &'static CriteriaSet, clock: Clock) -> Ctx {
        Ctx {
            store,
            criteria,
            control_list: ControlList::uk(),
            clock,
        }
    }
}
