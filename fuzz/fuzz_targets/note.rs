//! Signed notes: parsing, and opening against an Ed25519 verifier and a cosignature verifier
//! whose names and key IDs the input may hit. Anything may be rejected; nothing may panic,
//! and a parsed note must format back to a note that parses the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use probity_register::cosignature::Cosigner;
use probity_register::note::{format_note, open_note, parse_note, Ed25519Signer, NoteVerifier};

fuzz_target!(|data: &[u8]| {
    let log = Ed25519Signer::from_seed("example.com/log", &[1; 32])
        .expect("valid name")
        .verifier();
    let witness = Cosigner::from_seed("example.com/log", &[2; 32])
        .expect("valid name")
        .verifier();
    let verifiers: [&dyn NoteVerifier; 2] = [&log, &witness];
    let _ = open_note(data, &verifiers);
    if let Ok(note) = parse_note(data) {
        if let Ok(text) = format_note(&note.text, &note.signatures) {
            let again = parse_note(text.as_bytes()).expect("a formatted note parses");
            assert_eq!(again, note);
        }
    }
});
