//! probity-web
