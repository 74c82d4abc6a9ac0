//! The public register: the sequencer that appends public decision records to the
//! transparency log and signs checkpoints, its signing key, and what the log serves.
//! Formats: docs/register-format.md.

pub mod anchoring;
pub mod disclosure;
pub mod keys;
pub mod public;
pub mod semantics;
pub mod sequencer;
pub mod witnessing;

/// The generic transparency-log library, for callers that parse tile paths or verify.
pub use probity_register as log;

pub use anchoring::DEFAULT_ANCHOR_INTERVAL;
pub use keys::{generate_key_file, load_key_file, load_or_generate, KeyFileError};
pub use sequencer::{confidential_values, Sequencer};
