//! Every destination name in every real CAAT file maps to a code and a region.

mod common;

use probity_analytics::countries::{self, Region};

#[test]
fn every_name_in_the_real_files_maps() {
    let files: &[(&str, &str)] = &[
        ("values-2008-2015q1.csv", "country"),
        ("destinations.csv", "destination"),
        ("sources.csv", "source"),
        ("footnotes_region.csv", "name"),
        ("2025/incorporation-destinations.csv", "destination"),
        ("2025/footnotes-region.csv", "name"),
        ("2025/trade-sources.csv", "source"),
    ];
    let mut seen = std::collections::BTreeSet::new();
    let mut unmapped = Vec::new();
    for (file, column) in files {
        let (h, rows) = common::read_csv(file);
        let i = h
            .iter()
            .position(|c| c == column)
            .unwrap_or_else(|| panic!("{file}: no {column}"));
        for r in rows {
            let name = &r[i];
            if seen.insert(name.clone()) {
                match countries::lookup(name) {
                    Some(c) => assert_ne!(c.region, Region::Unknown, "{name}"),
                    None => unmapped.push(format!("{file}: {name:?}")),
                }
            }
        }
    }
    assert!(
        unmapped.is_empty(),
        "names without a mapping: {unmapped:#?}"
    );
    assert_eq!(seen.len(), 230, "distinct names across the files");
}

#[test]
fn codes_agree_with_caats_own_iso2_except_documented_choices() {
    // Deliberate differences, each documented in the mapping.
    let ours_differs = [
        ("Kosovo", "RS", "XK"),
        (
            "Bonaire, Curacao, Saba, Sint Eustatius and Sint Maarten",
            "NL",
            "AN",
        ),
        ("French Overseas Territory", "TF", "XF"),
    ];
    let (h, rows) = common::read_csv("2025/incorporation-destinations.csv");
    assert_eq!(h, ["licence_cohort_id", "destination", "iso2"]);
    let pairs: std::collections::BTreeSet<(String, String)> = rows
        .into_iter()
        .map(|r| (r[1].clone(), r[2].clone()))
        .collect();
    for (name, caat) in pairs {
        let ours = countries::lookup(&name).unwrap().code;
        match ours_differs.iter().find(|(n, _, _)| *n == name) {
            Some((_, theirs, mine)) => assert_eq!((caat.as_str(), ours), (*theirs, *mine)),
            None => assert_eq!(ours, caat, "{name}"),
        }
    }
}

#[test]
fn regions_of_some_destinations() {
    let r = |n: &str| countries::lookup(n).unwrap().region;
    assert_eq!(r("Israel"), Region::MiddleEastNorthAfrica);
    assert_eq!(r("Saudi Arabia"), Region::MiddleEastNorthAfrica);
    assert_eq!(r("Nigeria"), Region::SubSaharanAfrica);
    assert_eq!(r("Kazakhstan"), Region::CentralAsia);
    assert_eq!(r("India"), Region::SouthAsia);
    assert_eq!(r("Taiwan"), Region::EastAsiaPacific);
    assert_eq!(r("United States of America"), Region::NorthAmerica);
    assert_eq!(r("Brazil"), Region::LatinAmericaCaribbean);
    assert_eq!(r("Turkey"), Region::Europe);
    assert_eq!(r("Malta"), Region::Europe);
    assert_eq!(r("Non Specific Country"), Region::Other);
}
