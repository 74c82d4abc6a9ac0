use probity_domain::{BoundedText, FieldError, ValidationErrors};
use probity_store::StoreError;
use thiserror::Error;

/// The one error type of the use cases; the web layer maps each variant to a response.
#[derive(Debug, Error)]
pub enum ServiceError {
    #[error("sign-in required")]
    Unauthenticated,
    #[error("you are not allowed to {0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("the input is not valid")]
    Validation(ValidationErrors),
    /// An illegal transition or a clash with the current state.
    #[error("{0}")]
    Conflict(String),
    /// Finalisation refused while any of these hold.
    #[error("cannot finalise yet: {}", .0.join("; "))]
    Blocked(Vec<String>),
    /// Too many failed attempts from this account or address: wait before trying again.
    #[error("too many failed attempts: wait {} and try again", wait_text(*retry_after_secs))]
    Throttled { retry_after_secs: u64 },
    /// Something is still being loaded (the analytics table after a start or an import):
    /// try again shortly; every other page works meanwhile.
    #[error("{what} are loading ({percent}% done): try again in a few seconds")]
    Loading { what: &'static str, percent: u8 },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A fault on our side outside the database (a hashing library, a worker thread): logged,
    /// never shown; the user is told only that nothing was changed.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl From<sqlx::Error> for ServiceError {
    fn from(e: sqlx::Error) -> Self {
        ServiceError::Store(StoreError::Database(e))
    }
}

/// Parse a free-text field into its domain type; a refusal names the field.
pub(crate) fn parse_text<T: BoundedText>(field: &str, input: &str) -> ServiceResult<T> {
    T::parse(input).map_err(|e| ServiceError::field(field, e.to_string()))
}

impl ServiceError {
    /// A validation error on one field.
    pub fn field(field: &str, message: impl Into<String>) -> ServiceError {
        ServiceError::Validation(ValidationErrors(vec![FieldError {
            field: field.to_string(),
            message: message.into(),
        }]))
    }
}

/// "45 seconds", "1 minute", "12 minutes" (rounded up).
fn wait_text(secs: u64) -> String {
    match secs {
        0..=1 => "1 second".to_string(),
        2..=90 => format!("{secs} seconds"),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}
