//! probity-domain: the pure rules of strategic export licensing. No IO, no async, no database.
//!
//! Every type the other crates need is re-exported at the crate root.

pub mod account;
pub mod advice;
pub mod api_token;
pub mod application;
mod application_rules;
pub mod assessment;
pub mod assessment_diff;
pub mod assignment;
pub mod audit_anchor;
pub mod case;
pub mod commitment;
pub mod control_list;
mod countries_table;
pub mod country;
pub mod criteria;
mod criteria_text;
pub mod decision;
pub mod embargo;
pub mod ids;
pub mod licence;
pub mod log_entry;
pub mod money;
pub mod paging;
pub mod record;
pub mod reference;
pub mod register_entry;
pub mod scope;
pub mod text;
pub mod throttle;

pub use advice::*;
pub use application::*;
pub use assessment::*;
pub use assignment::*;
pub use audit_anchor::*;
pub use case::*;
pub use commitment::*;
pub use control_list::*;
pub use country::*;
pub use criteria::*;
pub use decision::*;
pub use embargo::*;
pub use ids::*;
pub use licence::*;
pub use log_entry::*;
pub use money::*;
pub use paging::*;
pub use record::*;
pub use reference::*;
pub use register_entry::*;
pub use scope::*;
pub use text::*;
