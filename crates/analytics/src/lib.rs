//! probity-analytics
