//! probity-store
