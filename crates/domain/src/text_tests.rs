use super::*;

const LONG_REASON: &str = "The end user has been listed for diversion.";

#[test]
fn rules_table() {
    let one_line = TextRule::new(1, 10, false);
    let multi = TextRule::new(3, 10, true);
    let cases: &[(&str, TextRule, Result<&str, TextError>)] = &[
        ("  ok  ", one_line, Ok("ok")),
        ("", one_line, Err(TextError::Empty)),
        ("   ", multi, Err(TextError::Empty)),
        ("ab", multi, Err(TextError::TooShort { min: 3, len: 2 })),
        (
            "abcdefghijk",
            one_line,
            Err(TextError::TooLong { max: 10, len: 11 }),
        ),
        // Length counts characters, not bytes.
        ("ééééééééé", one_line, Ok("ééééééééé")),
        (
            "a\0b",
            one_line,
            Err(TextError::ControlCharacter { at: 2, code: 0 }),
        ),
        (
            "a\0b",
            multi,
            Err(TextError::ControlCharacter { at: 2, code: 0 }),
        ),
        (
            "ab\u{7}c",
            multi,
            Err(TextError::ControlCharacter { at: 3, code: 7 }),
        ),
        (
            "ab\u{1b}c",
            multi,
            Err(TextError::ControlCharacter { at: 3, code: 0x1b }),
        ),
        (
            "ab\u{85}c",
            multi,
            Err(TextError::ControlCharacter { at: 3, code: 0x85 }),
        ),
        ("a\nb", one_line, Err(TextError::LineBreak { at: 2 })),
        ("a\tb", one_line, Err(TextError::LineBreak { at: 2 })),
        ("a\r\nb\tc", multi, Ok("a\r\nb\tc")),
        // Surrounding whitespace (line breaks included) is trimmed before the checks.
        ("\n abc \n", multi, Ok("abc")),
    ];
    for (input, rule, want) in cases {
        assert_eq!(&check_text(input, *rule), want, "{input:?} {rule:?}");
    }
}

#[test]
fn reasons_need_a_real_explanation() {
    assert_eq!(
        Reason::parse("because"),
        Err(TextError::TooShort {
            min: MIN_EXPLANATION_CHARS,
            len: 7
        })
    );
    assert_eq!(Reason::parse(""), Err(TextError::Empty));
    assert_eq!(Reason::parse(LONG_REASON).unwrap().as_str(), LONG_REASON);
    let huge = "x".repeat(5001);
    assert!(matches!(
        Reason::parse(&huge),
        Err(TextError::TooLong { max: 5000, .. })
    ));
    assert!(matches!(
        Reason::parse("The end user\0 has been listed"),
        Err(TextError::ControlCharacter { code: 0, .. })
    ));
}

#[test]
fn every_kind_has_a_maximum_and_refuses_nul() {
    type Parse = fn(&str) -> Result<(), TextError>;
    let kinds: &[(&str, TextRule, Parse)] = &[
        ("reason", Reason::RULE, |s| Reason::parse(s).map(drop)),
        ("explanation", Explanation::RULE, |s| {
            Explanation::parse(s).map(drop)
        }),
        ("advice reasons", AdviceReasons::RULE, |s| {
            AdviceReasons::parse(s).map(drop)
        }),
        ("proviso", Proviso::RULE, |s| Proviso::parse(s).map(drop)),
        ("note", Note::RULE, |s| Note::parse(s).map(drop)),
        ("question", QuestionText::RULE, |s| {
            QuestionText::parse(s).map(drop)
        }),
        ("answer", AnswerText::RULE, |s| {
            AnswerText::parse(s).map(drop)
        }),
        ("grounds", Grounds::RULE, |s| Grounds::parse(s).map(drop)),
        ("disclosure", DisclosureReason::RULE, |s| {
            DisclosureReason::parse(s).map(drop)
        }),
        ("name", Name::RULE, |s| Name::parse(s).map(drop)),
    ];
    for (what, rule, parse) in kinds {
        assert!(rule.max <= 20_000, "{what}");
        let fits = "y".repeat(rule.min.max(1));
        assert_eq!(parse(&fits), Ok(()), "{what}");
        let over = "y".repeat(rule.max + 1);
        assert!(
            matches!(parse(&over), Err(TextError::TooLong { .. })),
            "{what}"
        );
        let nul = format!("{fits}\0{fits}");
        assert!(
            matches!(
                parse(&nul),
                Err(TextError::ControlCharacter { code: 0, .. })
            ),
            "{what}"
        );
    }
}

#[test]
fn optional_notes_may_be_empty() {
    assert_eq!(Note::parse("  ").unwrap().as_str(), "");
    assert_eq!(Explanation::parse("").unwrap().as_str(), "");
}

#[test]
fn messages_say_what_to_do() {
    assert_eq!(
        TextError::ControlCharacter { at: 4, code: 0 }.to_string(),
        "remove the control character (U+0000) at character 4; it cannot be stored"
    );
    assert_eq!(
        TextError::TooShort { min: 20, len: 7 }.to_string(),
        "write at least 20 characters (you wrote 7)"
    );
}
