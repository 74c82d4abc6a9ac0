//! Checkpoint bodies: strict parsing; whatever parses formats back to the same text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use probity_register::checkpoint::Checkpoint;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(cp) = Checkpoint::parse(text) {
        assert_eq!(cp.to_text(), text, "a parsed checkpoint formats back to its text");
    }
});
