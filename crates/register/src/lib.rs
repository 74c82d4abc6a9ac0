//! probity-register
