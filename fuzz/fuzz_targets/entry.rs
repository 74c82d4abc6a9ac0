//! Register entries of either kind (probity_domain::LogEntry: decisions and audit anchors):
//! strict decoding; a decoded entry re-encodes to exactly its input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use probity_domain::LogEntry;

fuzz_target!(|data: &[u8]| {
    if let Ok(entry) = LogEntry::decode(data) {
        let again = entry.encode().expect("a decoded entry encodes");
        assert_eq!(again, data, "decode/encode round trip");
    }
});
