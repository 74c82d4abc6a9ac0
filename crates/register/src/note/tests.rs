use super::*;

// The example key pair and note from the Go sumdb/note package, which the
// signed-note spec was extracted from.
const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const PETER_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                          then you don't know what your problem is.\n";
const PETER_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

// The example note in the signed-note spec itself (its key is not given).
const SPEC_NOTE: &str = "Ognuno sta solo sul cuor della terra\n\
trafitto da un raggio di sole:\n\
\n\
ed è subito sera.\n\
\n\
\u{2014} quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";

fn peter_note() -> String {
    format!("{PETER_TEXT}\n{PETER_SIG}")
}

#[test]
fn signing_reproduces_the_known_note() {
    let signer = Ed25519Signer::from_skey(PETER_SKEY).unwrap();
    assert_eq!(sign_note(PETER_TEXT, &[&signer]).unwrap(), peter_note());
}

#[test]
fn known_note_opens() {
    let v = Ed25519Verifier::from_vkey(PETER_VKEY).unwrap();
    let n = open_note(peter_note().as_bytes(), &[&v]).unwrap();
    assert_eq!(n.text, PETER_TEXT);
    assert_eq!(n.verified.len(), 1);
    assert_eq!(n.verified[0].key_id, 0xc74f20a3);
    assert!(n.unverified.is_empty());
}

#[test]
fn spec_example_parses_with_blank_line_in_text() {
    let p = parse_note(SPEC_NOTE.as_bytes()).unwrap();
    assert_eq!(
        p.text,
        "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n"
    );
    assert_eq!(p.signatures.len(), 1);
    assert_eq!(p.signatures[0].name, "quasimodo.example/salvatore");
    assert_eq!(p.signatures[0].key_id, 0x367ba04b);
    assert_eq!(p.signatures[0].signature.len(), 64);
    assert_eq!(
        p.signatures[0].line(),
        SPEC_NOTE.rsplit_once("\n\n").unwrap().1
    );
    // Not signed by a key we know: refused.
    let v = Ed25519Verifier::from_vkey(PETER_VKEY).unwrap();
    assert_eq!(
        open_note(SPEC_NOTE.as_bytes(), &[&v]),
        Err(NoteError::NoVerifiedSignature)
    );
}

#[test]
fn unknown_keys_are_ignored_known_bad_ones_reject() {
    let mut rng = rand::thread_rng();
    let peter = Ed25519Verifier::from_vkey(PETER_VKEY).unwrap();
    // Same name, different key: an unknown key, so its line is ignored.
    let impostor = Ed25519Signer::generate("PeterNeumann", &mut rng).unwrap();
    let extra = sign_note(PETER_TEXT, &[&impostor]).unwrap();
    let extra_line = extra.rsplit_once("\n\n").unwrap().1;
    let both = format!("{}{extra_line}", peter_note());
    let n = open_note(both.as_bytes(), &[&peter]).unwrap();
    assert_eq!(n.verified.len(), 1);
    assert_eq!(n.unverified.len(), 1);
    // Knowing the impostor too: both verify.
    let iv = impostor.verifier();
    let n = open_note(both.as_bytes(), &[&peter, &iv]).unwrap();
    assert_eq!(n.verified.len(), 2);
    // A known key whose signature fails rejects the note.
    let tampered = both.replacen("problem,", "problem;", 1);
    assert!(matches!(
        open_note(tampered.as_bytes(), &[&peter]),
        Err(NoteError::InvalidSignature { .. })
    ));
    // Two verifiers for the same (name, id) are ambiguous.
    assert!(matches!(
        open_note(peter_note().as_bytes(), &[&peter, &peter]),
        Err(NoteError::AmbiguousKey { .. })
    ));
}

#[test]
fn malformed_notes_are_refused() {
    let good = peter_note();
    let sig_b64 = PETER_SIG.trim_end().rsplit_once(' ').unwrap().1;
    let cases: Vec<(String, &str)> = vec![
        (good.trim_end_matches('\n').to_owned(), "no final newline"),
        (PETER_TEXT.to_owned(), "no signature block"),
        (format!("{PETER_TEXT}\n"), "empty signature block"),
        (good.replace('\u{2014}', "-"), "hyphen for em dash"),
        (good.replace("\u{2014} ", "\u{2014}"), "no space after dash"),
        (
            good.replace("\u{2014} ", "\u{2014}  "),
            "two spaces after dash",
        ),
        (
            good.replace("Neumann ", "Neumann  "),
            "two spaces before signature",
        ),
        (
            good.replace("PeterNeumann", "Peter+Neumann"),
            "plus in name",
        ),
        (
            good.replace(sig_b64, &sig_b64[..sig_b64.len() - 1]),
            "bad base64",
        ),
        (good.replace(sig_b64, "AAAAAA=="), "too short"),
        (good.replace(sig_b64, ""), "empty signature"),
        (good.replace("problem,", "problem,\r"), "carriage return"),
        (good.replace("problem,", "problem,\t"), "tab"),
        (format!("{good}\n"), "trailing blank line"),
        (format!("{good}garbage\n"), "trailing garbage line"),
        (
            format!("{good}\u{2014} PeterNeumann\n"),
            "line without signature",
        ),
    ];
    let v = Ed25519Verifier::from_vkey(PETER_VKEY).unwrap();
    for (note, why) in cases {
        assert!(
            open_note(note.as_bytes(), &[&v]).is_err(),
            "accepted: {why}"
        );
    }
    assert_eq!(
        parse_note(b"\xff\n\n\xe2\x80\x94 a AAAAAAA=\n"),
        Err(NoteError::NotUtf8)
    );
}

#[test]
fn signature_count_is_limited() {
    let line = PETER_SIG;
    let ok = format!("{PETER_TEXT}\n{}", line.repeat(MAX_SIGNATURES));
    assert_eq!(
        parse_note(ok.as_bytes()).unwrap().signatures.len(),
        MAX_SIGNATURES
    );
    let too_many = format!("{PETER_TEXT}\n{}", line.repeat(MAX_SIGNATURES + 1));
    assert_eq!(
        parse_note(too_many.as_bytes()),
        Err(NoteError::TooManySignatures)
    );
}

#[test]
fn sign_refuses_bad_text_and_verify_round_trips() {
    let mut rng = rand::thread_rng();
    let s = Ed25519Signer::generate("example.com/log", &mut rng).unwrap();
    for bad in ["", "no newline", "ctrl\u{7}\n"] {
        assert_eq!(sign_note(bad, &[&s]), Err(NoteError::InvalidText));
    }
    assert_eq!(sign_note("x\n", &[]), Err(NoteError::NoSigners));
    let text = "line one\n\nline three\n";
    let note = sign_note(text, &[&s]).unwrap();
    let v = Ed25519Verifier::from_vkey(&s.verifier().vkey()).unwrap();
    assert_eq!(open_note(note.as_bytes(), &[&v]).unwrap().text, text);
    assert!(Ed25519Signer::generate("bad name", &mut rng).is_err());
}
