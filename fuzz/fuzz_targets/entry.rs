//! Register entries (probity_domain::register_entry): strict decoding; a decoded entry
//! re-encodes to exactly its input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use probity_domain::RegisterEntry;

fuzz_target!(|data: &[u8]| {
    if let Ok(entry) = RegisterEntry::decode(data) {
        let again = entry.encode().expect("a decoded entry encodes");
        assert_eq!(again, data, "decode/encode round trip");
    }
});
