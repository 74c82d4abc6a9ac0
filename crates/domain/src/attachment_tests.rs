use super::*;

fn up(name: &str, bytes: &[u8]) -> Upload {
    Upload {
        name: name.into(),
        bytes: bytes.to_vec(),
    }
}

fn message(r: Result<Attachment, FieldError>) -> String {
    r.expect_err("should be refused").message
}

#[test]
fn accepted_types_are_decided_by_their_bytes() {
    let pdf = check_attachment("evidence", up("report.PDF", b"%PDF-1.7\n...")).unwrap();
    assert_eq!(pdf.kind, AttachmentType::Pdf);
    assert_eq!(pdf.name, "report.PDF");
    let png = check_attachment("evidence", up("a.png", b"\x89PNG\r\n\x1a\nrest")).unwrap();
    assert_eq!(png.kind, AttachmentType::Png);
    let jpg = check_attachment("evidence", up("a.jpeg", &[0xFF, 0xD8, 0xFF, 0xE0])).unwrap();
    assert_eq!(jpg.kind, AttachmentType::Jpeg);
    let txt = check_attachment("evidence", up("notes.txt", "Über\r\n\tok".as_bytes())).unwrap();
    assert_eq!(txt.kind, AttachmentType::Text);
    let csv = check_attachment("evidence", up("t.csv", b"\xEF\xBB\xBFa,b\n1,2\n")).unwrap();
    assert_eq!(csv.kind, AttachmentType::Csv);
    let docx = check_attachment(
        "evidence",
        up("memo.docx", b"PK\x03\x04....[Content_Types].xml...."),
    )
    .unwrap();
    assert_eq!(docx.kind, AttachmentType::Docx);
    let odt = check_attachment(
        "evidence",
        up(
            "memo.odt",
            b"PK\x03\x04....mimetypeapplication/vnd.oasis.opendocument.text",
        ),
    )
    .unwrap();
    assert_eq!(odt.kind, AttachmentType::Odt);
}

#[test]
fn the_digest_is_the_sha256_of_the_bytes() {
    // SHA-256("abc") from FIPS 180-2, appendix B.1.
    let a = check_attachment("evidence", up("abc.txt", b"abc")).unwrap();
    assert_eq!(
        a.sha256,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn a_renamed_file_is_refused_by_its_contents() {
    let m = message(check_attachment(
        "evidence",
        up("invoice.pdf", b"MZ\x90\x00"),
    ));
    assert!(
        m.contains("“invoice.pdf”") && m.contains("not a PDF file"),
        "{m}"
    );
    let m = message(check_attachment("evidence", up("x.txt", b"text\x00binary")));
    assert!(m.contains("not a TEXT file"), "{m}");
    let m = message(check_attachment(
        "evidence",
        up("x.docx", b"PK\x03\x04 no manifest"),
    ));
    assert!(m.contains("not a DOCX file"), "{m}");
}

#[test]
fn types_outside_the_allow_list_are_refused_naming_what_is_accepted() {
    for name in [
        "setup.exe",
        "page.html",
        "image.svg",
        "macro.docm",
        "noextension",
    ] {
        let m = message(check_attachment("evidence", up(name, b"%PDF-")));
        assert!(m.contains("is not a type we accept"), "{name}: {m}");
        assert!(m.contains("PDF, PNG, JPEG"), "{name}: {m}");
    }
}

#[test]
fn oversized_and_empty_files_are_refused_with_their_size() {
    let mut big = b"%PDF-".to_vec();
    big.resize(MAX_ATTACHMENT_BYTES + 1, b' ');
    let m = message(check_attachment("evidence", up("big.pdf", &big)));
    assert_eq!(
        m,
        "“big.pdf” is 5.1 MB, over the limit of 5.0 MB for one attachment"
    );
    let mut exact = b"%PDF-".to_vec();
    exact.resize(MAX_ATTACHMENT_BYTES, b' ');
    assert!(check_attachment("evidence", up("max.pdf", &exact)).is_ok());
    let m = message(check_attachment("evidence", up("e.pdf", b"")));
    assert!(m.contains("is empty"), "{m}");
}

#[test]
fn names_lose_paths_control_characters_and_excess_length() {
    let a = check_attachment("e", up("C:\\Users\\me\\secret.txt", b"x")).unwrap();
    assert_eq!(a.name, "secret.txt");
    let a = check_attachment("e", up("../../etc/\"a\u{7}b\".txt", b"x")).unwrap();
    assert_eq!(a.name, "ab.txt");
    let long = format!("{}.pdf", "n".repeat(300));
    let a = check_attachment("e", up(&long, b"%PDF-")).unwrap();
    assert_eq!(a.name.chars().count(), 120);
    assert!(a.name.ends_with(".pdf"));
}

#[test]
fn every_problem_of_a_filing_is_reported() {
    let uploads = vec![
        up("ok.txt", b"fine"),
        up("bad.exe", b"MZ"),
        up("fake.png", b"nope"),
    ];
    let problems = check_attachments("evidence", uploads).unwrap_err();
    assert_eq!(problems.len(), 2);
    let many: Vec<Upload> = (0..=MAX_ATTACHMENTS)
        .map(|i| up(&format!("{i}.txt"), b"x"))
        .collect();
    let problems = check_attachments("evidence", many).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert!(problems[0].message.contains("attach at most 5"));
    assert_eq!(
        check_attachments("evidence", Vec::new()).unwrap(),
        Vec::new()
    );
}

#[test]
fn sizes_read_as_people_write_them() {
    assert_eq!(human_size(812), "812 bytes");
    assert_eq!(human_size(48 * 1024), "48 KB");
    assert_eq!(human_size(7 * 1024 * 1024 + 200 * 1024), "7.2 MB");
}
