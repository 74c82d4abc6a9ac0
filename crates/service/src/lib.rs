//! probity-service
