//! The list parsers against the real files in the shared data folder; bad input in
//! `lists/bad_input.rs`. Every expected value about a real file was read from the file itself
//! (see `/work/shared/data/README.md`, section "sanctions/").

#[path = "lists/bad_input.rs"]
mod bad_input;

use probity_screening::lists::parse;
use probity_screening::{
    BadLines, EntryKind, ListEntry, ListError, ListKind, NameKind, ParsedList,
};
use std::sync::OnceLock;

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/sanctions/"
);

fn real_file(name: &str) -> Vec<u8> {
    let dir = std::path::Path::new(DATA);
    assert!(
        dir.is_dir(),
        "the shared sanctions data is missing: expected the folder {DATA} \
         (see /work/shared/data/README.md, section \"sanctions/\")"
    );
    let path = dir.join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn real(kind: ListKind, name: &str, cell: &'static OnceLock<ParsedList>) -> &'static ParsedList {
    cell.get_or_init(|| {
        parse(&kind, &real_file(name), BadLines::Refuse)
            .unwrap_or_else(|e| panic!("{name} is refused: {e}"))
    })
}

fn hmt() -> &'static ParsedList {
    static CELL: OnceLock<ParsedList> = OnceLock::new();
    real(ListKind::UkHmt, "uk-hmt-conlist-2018-04-13.csv", &CELL)
}

fn un() -> &'static ParsedList {
    static CELL: OnceLock<ParsedList> = OnceLock::new();
    real(ListKind::Un, "un-consolidated-2018-10-29.xml", &CELL)
}

fn ofac() -> &'static ParsedList {
    static CELL: OnceLock<ParsedList> = OnceLock::new();
    real(ListKind::OfacSdn, "ofac-sdn-2024-05-03.csv", &CELL)
}

fn entry<'a>(list: &'a ParsedList, id: &str) -> &'a ListEntry {
    list.entries
        .iter()
        .find(|e| e.entry_id == id)
        .unwrap_or_else(|| panic!("{} has no entry {id}", list.kind))
}

fn names_of(e: &ListEntry, kind: NameKind) -> Vec<&str> {
    e.names
        .iter()
        .filter(|n| n.kind == kind)
        .map(|n| n.name.as_str())
        .collect()
}

fn dates(e: &ListEntry) -> Vec<String> {
    e.dates_of_birth.iter().map(ToString::to_string).collect()
}

fn bad_line(result: Result<ParsedList, ListError>) -> (u64, String, usize) {
    match result {
        Err(ListError::BadLine { first, more }) => (first.line, first.reason, more),
        other => panic!("expected a bad line, got {other:?}"),
    }
}

fn wrong_format(result: Result<ParsedList, ListError>) -> String {
    match result {
        Err(e @ ListError::WrongFormat { .. }) => e.to_string(),
        other => panic!("expected a wrong format, got {other:?}"),
    }
}
// ---------------------------------------------------------------- UK HMT, real file

#[test]
fn hmt_has_one_entry_per_group_id() {
    let list = hmt();
    // 9,487 rows after the two heading lines, 2,106 distinct Group IDs.
    assert_eq!(list.entries.len(), 2106);
    assert!(list.skipped.is_empty());
    assert_eq!(
        list.published.map(|d| d.to_string()).as_deref(),
        Some("2018-04-13")
    );
    assert_eq!(list.file_sha256.len(), 64);
}

#[test]
fn hmt_group_13349_gathers_its_sixteen_rows() {
    let e = entry(hmt(), "13349");
    assert_eq!(e.kind, EntryKind::Individual);
    // The "Prime Alias" rows (lines 1285-1286) come after AKA rows of the group (lines 3-4).
    assert_eq!(e.primary_name(), "Nayef Salam Muhammad Ujaym AL-HABABI");
    let aliases = names_of(e, NameKind::Alias);
    for alias in [
        "Sheikh Farooq AL-QAHTANI",
        "Farouq al-Qahtani AL QATARI",
        "Nayf Salam Muhammad Ujaym AL-HABABI",
        "Faruq AL-QATARI",
        "Imran Farouk SHAYKH",
    ] {
        assert!(aliases.contains(&alias), "{alias} missing from {aliases:?}");
    }
    // DOB 00/00/1980 and 00/00/1981: years only.
    assert_eq!(dates(e), ["1980", "1981"]);
    // Nationality "1) Saudi Arabia 2) Qatar", Country "Afghanistan (since 2009)".
    for country in ["Saudi Arabia", "Qatar", "Afghanistan"] {
        assert!(
            e.countries.iter().any(|c| c == country),
            "{country}: {:?}",
            e.countries
        );
    }
    assert_eq!(
        e.programmes,
        ["The ISIL (Da'esh) and Al-Qaida organisations"]
    );
    assert_eq!(
        e.listed_on.map(|d| d.to_string()).as_deref(),
        Some("2016-04-01")
    );
    assert!(e.remarks.starts_with("UN Ref QDe.004."), "{}", e.remarks);
    assert_eq!(
        e.remarks.matches("UN Ref QDe.004").count(),
        1,
        "remarks are de-duplicated"
    );
}

#[test]
fn hmt_entity_keeps_its_former_name_apart() {
    let e = entry(hmt(), "11044");
    assert_eq!(e.kind, EntryKind::Entity);
    assert_eq!(e.primary_name(), "AL-QAIDA IN THE ARABIAN PENINSULA (AQAP)");
    assert_eq!(names_of(e, NameKind::Former), ["AL-QAIDA IN YEMEN (AQY)"]);
    assert!(names_of(e, NameKind::Alias).contains(&"ANSAR AL-SHARI'A (AAS)"));
    assert_eq!(e.names.len(), 7);
}

#[test]
fn hmt_windows_1252_letters_are_read() {
    // Line 7080: Name 1 is "L\xe9onard" in Windows-1252.
    let e = entry(hmt(), "13284");
    assert_eq!(e.primary_name(), "Léonard NGENDAKUMANA");
    assert_eq!(dates(e), ["1968-11-24"]);
    assert_eq!(e.programmes, ["Burundi"]);
}
// ---------------------------------------------------------------- UN, real file

#[test]
fn un_has_every_individual_and_entity() {
    let list = un();
    assert_eq!(list.entries.len(), 703 + 390);
    let individuals = list
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Individual)
        .count();
    assert_eq!(individuals, 703);
    assert!(list.skipped.is_empty());
    assert_eq!(
        list.published.map(|d| d.to_string()).as_deref(),
        Some("2018-10-29")
    );
}

#[test]
fn un_kpi_033_ri_won_ho() {
    let e = entry(un(), "KPi.033");
    // FIRST_NAME " RI ", SECOND_NAME "WON HO", THIRD_NAME empty.
    assert_eq!(e.primary_name(), "RI WON HO");
    assert_eq!(dates(e), ["1964-07-17"]);
    assert_eq!(e.programmes, ["DPRK"]);
    assert_eq!(e.countries, ["Democratic People's Republic of Korea"]);
    assert_eq!(
        e.listed_on.map(|d| d.to_string()).as_deref(),
        Some("2016-11-30")
    );
    // Its only INDIVIDUAL_ALIAS is empty.
    assert_eq!(e.names.len(), 1);
}

#[test]
fn un_reference_numbers_are_trimmed() {
    // The file has "KPi.034 " with a trailing space.
    assert_eq!(entry(un(), "KPi.034").primary_name(), "JO YONG CHOL");
}

#[test]
fn un_original_script_and_alias_qualities() {
    let e = entry(un(), "QDi.001");
    assert_eq!(e.primary_name(), "SAYF-AL ADL");
    assert_eq!(names_of(e, NameKind::OriginalScript), ["سيف العدل"]);
    assert_eq!(
        names_of(e, NameKind::Alias),
        [
            "Mohammed Salahaldin Abd El Halim Zidan",
            "Muhamad Ibrahim Makkawi"
        ]
    );
    assert_eq!(
        names_of(e, NameKind::WeakAlias),
        ["Ibrahim al-Madani", "Saif Al-'Adil", "Seif al Adel"]
    );
    assert_eq!(dates(e), ["1963-04-11"]);
    assert!(e.countries.iter().any(|c| c == "Egypt"));
}

#[test]
fn un_entity_former_names_and_address() {
    let e = entry(un(), "CDe.001");
    assert_eq!(e.kind, EntryKind::Entity);
    assert_eq!(e.primary_name(), "ADF");
    assert_eq!(names_of(e, NameKind::Alias), ["Allied Democratic Forces"]);
    assert_eq!(
        names_of(e, NameKind::Former),
        [
            // The source breaks this name over two lines.
            "Forces Démocratiques Alliées-Armée Nationale de Libération de l’Ouganda",
            "ADF/NALU",
            "NALU",
        ]
    );
    assert_eq!(
        e.addresses,
        ["North Kivu, Democratic Republic of the Congo"]
    );
    assert_eq!(e.programmes, ["DRC"]);
}

#[test]
fn un_year_ranges_give_each_year() {
    // TAi.002: FROM_YEAR 1955 TO_YEAR 1958, and FROM_YEAR 1945 TO_YEAR 1950.
    let e = entry(un(), "TAi.002");
    assert_eq!(e.primary_name(), "MOHAMMAD HASSAN AKHUND");
    assert_eq!(
        dates(e),
        ["1955", "1956", "1957", "1958", "1945", "1946", "1947", "1948", "1949", "1950"]
    );
    assert_eq!(names_of(e, NameKind::OriginalScript), ["محمد حسن آخوند"]);
}
// ---------------------------------------------------------------- OFAC, real file

#[test]
fn ofac_has_every_line() {
    let list = ofac();
    // 14,965 CRLF lines of 12 columns with distinct numeric ent_num, then the 0x1A byte.
    assert_eq!(list.entries.len(), 14965);
    assert!(list.skipped.is_empty());
    assert_eq!(
        list.published, None,
        "sdn.csv does not say when it was published"
    );
    let vessels = list
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Vessel)
        .count();
    let aircraft = list
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Aircraft)
        .count();
    let individuals = list
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Individual)
        .count();
    assert_eq!((individuals, vessels, aircraft), (6854, 851, 376));
}

#[test]
fn ofac_306_banco_nacional_de_cuba() {
    let e = entry(ofac(), "306");
    assert_eq!(e.kind, EntryKind::Entity);
    assert_eq!(e.primary_name(), "BANCO NACIONAL DE CUBA");
    assert_eq!(names_of(e, NameKind::Alias), ["BNC"]);
    assert_eq!(e.programmes, ["CUBA"]);
    assert_eq!(e.remarks, "a.k.a. 'BNC'.");
}

#[test]
fn ofac_individual_names_and_aliases_read_given_names_first() {
    // 6924 "FADHIL, Mustafa Mohamed": a.k.a. 'HUSSEIN'; a.k.a. 'ANIS, Abu'; a.k.a. 'YUSSRR, Abu';
    // a.k.a. 'KHALID'; DOB 23 Jun 1976; citizen Egypt; alt. citizen Kenya.
    let e = entry(ofac(), "6924");
    assert_eq!(e.kind, EntryKind::Individual);
    assert_eq!(e.primary_name(), "Mustafa Mohamed FADHIL");
    assert_eq!(
        names_of(e, NameKind::Alias),
        ["HUSSEIN", "Abu ANIS", "Abu YUSSRR", "KHALID"]
    );
    assert_eq!(dates(e), ["1976-06-23"]);
    assert_eq!(e.countries, ["Egypt", "Kenya"]);
    assert_eq!(e.programmes, ["SDGT"]);
}

#[test]
fn ofac_programmes_split_at_bracket_pairs() {
    // 4632 BANK MARKAZI JOMHOURI ISLAMI IRAN: Program "IRAN] [SDGT] [IRGC] [IFSR".
    let e = entry(ofac(), "4632");
    assert_eq!(e.programmes, ["IRAN", "SDGT", "IRGC", "IFSR"]);
}

#[test]
fn ofac_dates_of_birth_from_remarks() {
    // 2674 "ABBAS, Abu": DOB 10 Dec 1948. 6367 "AL-MASRI, Abu Hafs": DOB 1951; alt. DOB 1956;
    // alt. DOB 1944.
    assert_eq!(dates(entry(ofac(), "2674")), ["1948-12-10"]);
    assert_eq!(entry(ofac(), "2674").primary_name(), "Abu ABBAS");
    assert_eq!(dates(entry(ofac(), "6367")), ["1951", "1956", "1944"]);
}
