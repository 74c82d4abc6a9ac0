//! The demo's content: fictional exporters, realistic goods with their control-list ratings,
//! destinations with their end users, and generators built from them.
use probity_domain::{ApplicationInput, GoodsLineInput, PartyInput, PartyRole};
use rand::rngs::StdRng;
use rand::Rng;

pub(super) const EXPORTERS: &[(&str, &str, &str)] = &[
    (
        "Northbridge Defence Systems Ltd",
        "Unit 4, Harbour Road, Barrow-in-Furness LA14 2XX",
        "north",
    ),
    (
        "Caledonian Optronics plc",
        "12 Kelvin Way, Glasgow G3 8AA",
        "caledonian",
    ),
    (
        "Severn Aerospace Components Ltd",
        "Aston Park, Filton, Bristol BS34 7QQ",
        "severn",
    ),
    (
        "Pennine Secure Communications Ltd",
        "3 Mill Lane, Huddersfield HD1 5NT",
        "pennine",
    ),
];

/// (ratings, description, unit, typical value in pounds)
const GOODS: &[(&[&str], &str, &str, u32)] = &[
    (
        &["ML1a"],
        "Semi-automatic rifles, 5.56 mm, with spare magazines",
        "items",
        2_400,
    ),
    (&["ML3a"], "Ammunition, 5.56 mm ball, boxed", "rounds", 1),
    (
        &["ML5b"],
        "Fire-control radar sub-assemblies for naval guns",
        "items",
        180_000,
    ),
    (
        &["ML10a", "ML10d"],
        "Spare parts for military fixed-wing training aircraft",
        "kits",
        45_000,
    ),
    (
        &["ML11a"],
        "Military tactical radios with encryption modules",
        "items",
        6_500,
    ),
    (&["ML13c"], "Body armour plates, NIJ level IV", "items", 650),
    (&["ML15b"], "Thermal imaging weapon sights", "items", 8_900),
    (
        &["ML6a"],
        "Armoured patrol vehicles, 4x4, unarmed",
        "vehicles",
        410_000,
    ),
    (
        &["5A002.a.1"],
        "Network encryption appliances for government networks",
        "items",
        12_000,
    ),
    (
        &["6A003.b.4"],
        "Cooled thermal cameras for border surveillance",
        "items",
        38_000,
    ),
    (
        &["9A012"],
        "Unmanned aerial vehicles for reconnaissance, 25 kg class",
        "systems",
        260_000,
    ),
    (
        &["1A004"],
        "Chemical protective suits and respirator filters",
        "sets",
        420,
    ),
    (
        &["PL5017"],
        "Military display and test equipment",
        "items",
        15_000,
    ),
];

/// (destination, end user, end-user type, kind of outcome bias)
const DESTINATIONS: &[(&str, &str, &str)] = &[
    (
        "US",
        "Department of the Army, Picatinny Arsenal",
        "armed_forces",
    ),
    ("FR", "Direction générale de l'armement", "government"),
    (
        "DE",
        "Bundeswehr Procurement Office (BAAINBw)",
        "armed_forces",
    ),
    ("NO", "Norwegian Defence Materiel Agency", "government"),
    ("AU", "Australian Department of Defence", "government"),
    ("IN", "Bharat Electronics Limited", "commercial"),
    (
        "SA",
        "Ministry of Defence, Kingdom of Saudi Arabia",
        "armed_forces",
    ),
    (
        "AE",
        "UAE General Headquarters Armed Forces",
        "armed_forces",
    ),
    ("IL", "Israel Ministry of Defense, SIBAT", "government"),
    ("TR", "Aselsan A.S.", "commercial"),
    (
        "EG",
        "Egyptian Armed Forces Armament Authority",
        "armed_forces",
    ),
    ("BR", "Embraer Defesa e Segurança", "commercial"),
    (
        "JP",
        "Acquisition, Technology and Logistics Agency",
        "government",
    ),
    ("KE", "Kenya Police Service", "government"),
];

pub(super) fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

pub(super) fn application(rng: &mut StdRng, org_address: &str) -> ApplicationInput {
    let (dest, end_user, eut) = *pick(rng, DESTINATIONS);
    let lines = rng.gen_range(1..=3);
    let mut goods = Vec::new();
    let mut used = Vec::new();
    for _ in 0..lines {
        let g = pick(rng, GOODS);
        if used.contains(&g.1) {
            continue;
        }
        used.push(g.1);
        let qty: u32 = if g.3 <= 10 {
            rng.gen_range(10_000..500_000)
        } else {
            rng.gen_range(1..200)
        };
        let value = u64::from(g.3) * u64::from(qty) * rng.gen_range(90..110) / 100;
        goods.push(GoodsLineInput {
            description: g.1.to_string(),
            ratings: g.0.iter().map(|r| r.to_string()).collect(),
            quantity: qty.to_string(),
            unit: g.2.to_string(),
            value: format!("{value}.00"),
            incorporated: rng.gen_bool(0.15),
        });
    }
    ApplicationInput {
        licence_type: "siel".into(),
        goods,
        parties: vec![
            PartyInput { role: PartyRole::EndUser, name: end_user.into(), address: format!("Procurement directorate, {dest}"), country: dest.into(), end_user_type: Some(eut.into()) },
            PartyInput { role: PartyRole::Consignee, name: format!("{end_user} (receiving depot)"), address: format!("Central logistics depot, {dest}"), country: dest.into(), end_user_type: None },
        ],
        end_use_statement: format!(
            "For use by the end user named in this application for its own operational requirements. The goods will not be re-exported without UK approval. Exporter address: {org_address}."
        ),
    }
}

pub(super) fn password(rng: &mut StdRng) -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..18)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}
