use super::*;
use crate::{GoodsLineInput, PartyInput, PartyRole};

fn list() -> &'static ControlList {
    ControlList::uk()
}

fn complete() -> ApplicationInput {
    ApplicationInput {
        licence_type: "siel".into(),
        goods: vec![GoodsLineInput {
            description: "Thermal imaging camera cores".into(),
            ratings: vec!["ML15a".into()],
            quantity: "12".into(),
            unit: "items".into(),
            value: "1,200".into(),
            incorporated: false,
        }],
        parties: vec![
            PartyInput {
                role: PartyRole::EndUser,
                name: "Ministry of Defence".into(),
                address: "Oslo".into(),
                country: "NO".into(),
                end_user_type: Some("armed_forces".into()),
            },
            PartyInput {
                role: PartyRole::Consignee,
                name: "Central Logistics Depot".into(),
                address: "Oslo".into(),
                country: "NO".into(),
                end_user_type: None,
            },
        ],
        end_use_statement: "For the armed forces' border patrols.".into(),
    }
}

fn state_of(input: &ApplicationInput, docs: usize, s: ApplicationSection) -> SectionState {
    section_states(input, list(), docs)
        .0
        .into_iter()
        .find(|(x, _)| *x == s)
        .unwrap()
        .1
}

#[test]
fn a_complete_application_is_ready_and_every_form_section_completed() {
    let (states, ready) = section_states(&complete(), list(), 0);
    assert!(ready);
    assert_eq!(states.len(), ApplicationSection::ALL.len());
    for (s, state) in states {
        let want = if s == ApplicationSection::Documents {
            SectionState::Optional
        } else {
            SectionState::Completed
        };
        assert_eq!(state, want, "{s:?}");
    }
    assert_eq!(
        state_of(&complete(), 2, ApplicationSection::Documents),
        SectionState::Completed
    );
}

#[test]
fn only_the_section_with_the_problem_is_incomplete() {
    let mut bad_rating = complete();
    bad_rating.goods[0].ratings = vec![];
    let (_, ready) = section_states(&bad_rating, list(), 0);
    assert!(!ready);
    assert_eq!(
        state_of(&bad_rating, 0, ApplicationSection::Goods),
        SectionState::InProgress
    );
    assert_eq!(
        state_of(&bad_rating, 0, ApplicationSection::Parties),
        SectionState::Completed
    );

    let mut no_consignee = complete();
    no_consignee.parties.pop();
    assert_eq!(
        state_of(&no_consignee, 0, ApplicationSection::Parties),
        SectionState::InProgress
    );
    assert_eq!(
        state_of(&no_consignee, 0, ApplicationSection::Goods),
        SectionState::Completed
    );
}

#[test]
fn untouched_sections_are_not_started() {
    let start = ApplicationInput {
        licence_type: "oiel".into(),
        ..Default::default()
    };
    let (states, ready) = section_states(&start, list(), 0);
    assert!(!ready);
    let by = |s| states.iter().find(|(x, _)| *x == s).unwrap().1;
    assert_eq!(by(ApplicationSection::LicenceType), SectionState::Completed);
    assert_eq!(by(ApplicationSection::Goods), SectionState::NotStarted);
    assert_eq!(by(ApplicationSection::Parties), SectionState::NotStarted);
    assert_eq!(by(ApplicationSection::EndUse), SectionState::NotStarted);
}

#[test]
fn every_validation_field_belongs_to_a_section() {
    // Whatever the validation names must map to a section, or its problem would be shown
    // against no section and the task list would call a broken application "completed".
    let mut input = complete();
    input.licence_type = "x".into();
    input.goods[0].ratings = vec!["ML99".into()];
    input.goods[0].value = "-1".into();
    input.parties[0].country = "ZZ".into();
    input.parties[0].end_user_type = None;
    input.end_use_statement = String::new();
    let errors = validate(&input, list()).unwrap_err().0;
    assert!(errors.len() >= 5, "{errors:?}");
    for e in errors {
        assert!(
            ApplicationSection::of_field(&e.field).is_some(),
            "{}",
            e.field
        );
    }
}

#[test]
fn documents_rules_follow_the_case_status() {
    for s in CaseStatus::ALL {
        assert_eq!(may_add_documents(s), !s.is_terminal(), "{s:?}");
        assert_eq!(may_remove_documents(s), s == CaseStatus::Draft, "{s:?}");
        assert_eq!(
            may_request_documents(s),
            s != CaseStatus::Draft && !s.is_terminal(),
            "{s:?}"
        );
    }
    for k in DocumentKind::ALL {
        assert_eq!(k.as_str().parse::<DocumentKind>(), Ok(k));
    }
    assert!("passport".parse::<DocumentKind>().is_err());
}
