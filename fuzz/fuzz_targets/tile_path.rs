//! tlog-tiles paths (`tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`): parsing, and every
//! tile that parses names itself with the same path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use probity_register::tile::{parse_tile_path, TileResource};

fuzz_target!(|data: &[u8]| {
    let Ok(path) = std::str::from_utf8(data) else {
        return;
    };
    match parse_tile_path(path) {
        Ok(TileResource::Hashes(t)) => {
            assert_eq!(t.path(), path, "a parsed tile names itself");
            let _ = t.stored_indexes();
        }
        Ok(TileResource::Entries(t)) => {
            assert_eq!(t.entries_path().expect("level-0 tile"), path);
        }
        Err(_) => {}
    }
});
