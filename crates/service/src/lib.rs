//! Probity's use cases: one function per command or query.
//!
//! Every command authorises the actor, validates input through the pure domain, and writes the
//! change, its audit event and (if public) its outbox record in one transaction.

pub mod accountability;
pub mod accounts;
pub mod advice;
pub mod analytics;
pub mod appeals;
pub mod application_sections;
pub mod applications;
pub mod assessments;
pub mod attachments;
pub mod audit_anchors;
pub mod auth;
pub mod case_view;
pub mod cases;
mod casework;
mod clock;
mod command;
mod ctx;
pub mod decisions;
pub mod demo;
pub mod disclosures;
pub mod dissent_steps;
pub mod dissents;
pub mod documents;
mod error;
mod grant_blockers;
pub mod licences;
pub mod notification_delivery;
pub mod orgs;
pub mod previews;
pub mod records;
pub mod register;
pub mod review_outcomes;
mod review_records;
pub mod reviews;
pub mod screening;
pub mod sign_in;
pub mod supporting_documents;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tokens;
pub mod two_factor;

pub use clock::Clock;
pub use ctx::Ctx;
pub(crate) use error::parse_text;
pub use error::{ServiceError, ServiceResult};
pub use probity_domain as domain;
pub use probity_store as store;

/// Compile-time guard: command futures must be `Send` for axum handlers. A generic `Acquire`
/// bound once made them "not general enough"; this fails the build if that returns.
#[cfg(test)]
mod send_check {
    fn is_send<T: Send>(_: T) {}
    #[allow(dead_code)]
    fn check(
        ctx: &crate::Ctx,
        a: &crate::auth::Actor,
        id: probity_domain::CaseId,
        d: &crate::decisions::DecisionInput,
    ) {
        is_send(crate::decisions::finalise(ctx, a, id, d));
    }
}
