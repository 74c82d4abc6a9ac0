//! tlog-witness `add-checkpoint` bodies, and a witness checking them (it must answer with a
//! status, never panic). Also entry bundles, which share the length-prefixed framing style.
#![no_main]

use libfuzzer_sys::fuzz_target;
use probity_register::bundle::parse_bundle;
use probity_register::cosignature::Cosigner;
use probity_register::note::Ed25519Signer;
use probity_register::witness::{AddCheckpoint, TreeHead, Witness};

fuzz_target!(|data: &[u8]| {
    let _ = parse_bundle(data);
    let Ok(req) = AddCheckpoint::parse(data) else {
        return;
    };
    assert_eq!(AddCheckpoint::parse(&req.to_body()).as_ref(), Ok(&req));
    let mut w = Witness::new(Cosigner::from_seed("w.example", &[3; 32]).expect("valid name"));
    w.add_log(
        Ed25519Signer::from_seed("example.com/log", &[1; 32])
            .expect("valid name")
            .verifier(),
    );
    for stored in [None, Some(TreeHead { size: 3, root: [0; 32] })] {
        if let Err(e) = w.check(&req, stored) {
            let _ = (e.status(), e.body());
        }
    }
});
