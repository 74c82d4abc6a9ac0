//! probity-screening: sanctions and denial-list screening of parties (parsers for the UK, UN
//! and US lists, name normalisation, matching). Not built yet: a later issue fills this crate;
//! until then finalisation counts no unresolved screening matches.
