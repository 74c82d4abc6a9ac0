//! probity-screening
