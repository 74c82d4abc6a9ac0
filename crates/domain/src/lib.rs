//! probity-domain: the pure rules of strategic export licensing. No IO, no async, no database.
//!
//! Every type the other crates need is re-exported at the crate root.

pub mod advice;
pub mod api_token;
pub mod application;
mod application_rules;
pub mod case;
pub mod commitment;
pub mod control_list;
mod countries_table;
pub mod country;
pub mod criteria;
mod criteria_text;
pub mod decision;
pub mod ids;
pub mod licence;
pub mod money;
pub mod record;
pub mod reference;
pub mod register_entry;
pub mod throttle;

pub use advice::*;
pub use application::*;
pub use case::*;
pub use commitment::*;
pub use control_list::*;
pub use country::*;
pub use criteria::*;
pub use decision::*;
pub use ids::*;
pub use licence::*;
pub use money::*;
pub use record::*;
pub use reference::*;
pub use register_entry::*;
