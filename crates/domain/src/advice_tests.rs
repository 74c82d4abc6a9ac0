use super::*;
use proptest::prelude::*;

use AdviceKind::{Approve, NoLicenceRequired as Nlr, Proviso, Refuse};

fn c(codes: &[&str]) -> Vec<CriterionCode> {
    codes
        .iter()
        .map(|s| CriterionCode::new(s).unwrap())
        .collect()
}

fn p(text: &str) -> AdviceKind {
    Proviso(text.to_string())
}

fn s(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|t| t.to_string()).collect()
}

#[test]
fn consolidation_table() {
    let table: Vec<(Vec<AdviceKind>, Consolidated)> = vec![
        (vec![], Consolidated::Empty),
        (vec![Approve], Consolidated::Approve),
        (vec![Approve, Approve, Approve], Consolidated::Approve),
        (vec![p("A")], Consolidated::Proviso(s(&["A"]))),
        (vec![Approve, p("A")], Consolidated::Proviso(s(&["A"]))),
        (
            vec![p("B"), Approve, p("A"), p("B")],
            Consolidated::Proviso(s(&["B", "A"])),
        ),
        (vec![p(" A "), p("A")], Consolidated::Proviso(s(&["A"]))),
        (vec![p("  ")], Consolidated::Approve),
        (vec![Refuse(c(&["2c"]))], Consolidated::Refuse(c(&["2c"]))),
        (
            vec![Refuse(c(&["7a", "2c"])), Refuse(c(&["2c", "1", "10"]))],
            Consolidated::Refuse(c(&["1", "2c", "7a", "10"])),
        ),
        (vec![Refuse(vec![])], Consolidated::Refuse(vec![])),
        (vec![Refuse(c(&["2c"])), Approve], Consolidated::Conflicting),
        (vec![p("A"), Refuse(c(&["2c"]))], Consolidated::Conflicting),
        (
            vec![Approve, Nlr, Refuse(c(&["1"]))],
            Consolidated::Conflicting,
        ),
        (vec![Nlr], Consolidated::NoLicenceRequired),
        (vec![Nlr, Nlr], Consolidated::NoLicenceRequired),
        (vec![Nlr, Approve], Consolidated::Approve),
        (vec![p("A"), Nlr], Consolidated::Proviso(s(&["A"]))),
        (
            vec![Nlr, Refuse(c(&["4"]))],
            Consolidated::Refuse(c(&["4"])),
        ),
        (vec![Nlr, p(" ")], Consolidated::Approve),
    ];
    for (items, expected) in table {
        assert_eq!(consolidate(&items), expected, "{items:?}");
    }
}

#[test]
fn serde_shapes_are_stable() {
    let table = [
        (Approve, r#"{"kind":"approve"}"#),
        (
            p("End-user undertaking required"),
            r#"{"kind":"proviso","detail":"End-user undertaking required"}"#,
        ),
        (
            Refuse(c(&["2c", "7"])),
            r#"{"kind":"refuse","detail":["2c","7"]}"#,
        ),
        (Nlr, r#"{"kind":"no_licence_required"}"#),
    ];
    for (advice, json) in table {
        assert_eq!(serde_json::to_string(&advice).unwrap(), json);
        assert_eq!(serde_json::from_str::<AdviceKind>(json).unwrap(), advice);
    }
    let conflicting = serde_json::to_string(&Consolidated::Conflicting).unwrap();
    assert_eq!(conflicting, r#"{"kind":"conflicting"}"#);
    for level in AdviceLevel::ALL {
        assert_eq!(level.as_str().parse::<AdviceLevel>(), Ok(level));
    }
}

#[test]
fn conflicting_cannot_be_passed_on() {
    assert_eq!(Consolidated::Conflicting.into_advice(), None);
    assert_eq!(Consolidated::Empty.into_advice(), Some(vec![]));
}

fn advice() -> impl Strategy<Value = AdviceKind> {
    prop_oneof![
        Just(Approve),
        Just(Nlr),
        prop::sample::select(vec!["A", "B", "C", " A", ""]).prop_map(p),
        prop::collection::vec(
            prop::sample::select(vec!["1", "2a", "2c", "7", "7f", "10"]),
            0..3
        )
        .prop_map(|codes| Refuse(c(&codes))),
    ]
}

/// Proviso order follows input order by design; compare outcomes with provisos sorted.
fn order_free(result: Consolidated) -> Consolidated {
    match result {
        Consolidated::Proviso(mut texts) => {
            texts.sort();
            Consolidated::Proviso(texts)
        }
        other => other,
    }
}

proptest! {
    #[test]
    fn order_does_not_matter(items in prop::collection::vec(advice(), 0..8), seed in any::<u64>()) {
        let mut shuffled = items.clone();
        // A deterministic shuffle driven by the generated seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(order_free(consolidate(&items)), order_free(consolidate(&shuffled)));
        let mut reversed = items.clone();
        reversed.reverse();
        prop_assert_eq!(order_free(consolidate(&items)), order_free(consolidate(&reversed)));
    }

    #[test]
    fn consolidating_a_result_gives_the_result(items in prop::collection::vec(advice(), 0..8)) {
        let result = consolidate(&items);
        if let Some(again) = result.clone().into_advice() {
            prop_assert_eq!(consolidate(&again), result.clone());
            // Adding the result to the advice it came from changes nothing either.
            let mut more = items.clone();
            more.extend(again);
            prop_assert_eq!(consolidate(&more), result);
        } else {
            prop_assert_eq!(result, Consolidated::Conflicting);
        }
    }

    #[test]
    fn duplicating_advice_changes_nothing(items in prop::collection::vec(advice(), 0..8)) {
        let doubled: Vec<AdviceKind> = items.iter().chain(items.iter()).cloned().collect();
        prop_assert_eq!(consolidate(&doubled), consolidate(&items));
    }

    #[test]
    fn a_refusal_is_never_lost(items in prop::collection::vec(advice(), 1..8)) {
        let has_refusal = items.iter().any(|a| matches!(a, Refuse(_)));
        let result = consolidate(&items);
        prop_assert_eq!(
            has_refusal,
            matches!(result, Consolidated::Refuse(_) | Consolidated::Conflicting)
        );
    }
}

#[test]
fn advice_fingerprint_ignores_order_and_sees_every_change() {
    let fp = |teams: &[&str], advice: &[&str]| {
        AdviceFingerprint::of(teams.iter().copied(), advice.iter().copied())
    };
    let base = fp(&["t1", "t2"], &["a1", "a2"]);
    assert_eq!(
        base,
        fp(&["t2", "t1"], &["a2", "a1", "a2"]),
        "order and repeats"
    );
    assert_eq!(base.as_str().len(), 64);
    assert_ne!(base, fp(&["t1", "t2"], &["a1", "a2", "a3"]), "new advice");
    assert_ne!(base, fp(&["t1", "t2"], &["a1", "a3"]), "superseded advice");
    assert_ne!(
        base,
        fp(&["t1", "t2", "t3"], &["a1", "a2"]),
        "a team newly asked"
    );
    // A team id and an advice id with the same text are different things.
    assert_ne!(fp(&["x"], &[]), fp(&[], &["x"]));
    assert_eq!(AdviceFingerprint::from_stored(base.as_str()), base);
}
