//! The parsers against small bad (and edge-case) files written here: each error names what
//! the person loading the file must fix.

use super::*;

// ---------------------------------------------------------------- UK HMT, bad files

const HMT_HEADER: &str = "Name 6,Name 1,Name 2,Name 3,Name 4,Name 5,Title,DOB,Town of Birth,\
Country of Birth,Nationality,Passport Details,NI Number,Position,Address 1,Address 2,Address 3,\
Address 4,Address 5,Address 6,Post/Zip Code,Country,Other Information,Group Type,Alias Type,\
Regime,Listed On,Last Updated,Group ID";

/// A row of the 29 HMT columns.
fn hmt_row(surname: &str, given: &str, dob: &str, other: &str, id: &str) -> String {
    format!(
        "{surname},{given},,,,,Sheikh,{dob},,,,,,,,,,,,,,,{other},Individual,Prime Alias,Libya,\
         01/02/2011,01/02/2011,{id}"
    )
}

fn hmt_file(rows: &[String]) -> String {
    let mut text = format!("Last Updated,13/04/2018\n{HMT_HEADER}\n");
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text
}

#[test]
fn hmt_missing_column_is_named() {
    let header = HMT_HEADER.replace(",Group ID", "");
    let text = format!("Last Updated,13/04/2018\n{header}\n");
    let message = wrong_format(parse(&ListKind::UkHmt, text.as_bytes(), BadLines::Refuse));
    assert!(message.contains("\"Group ID\""), "{message}");
    assert!(message.contains("line 2"), "{message}");
}

#[test]
fn hmt_bad_rows_are_refused_or_skipped_with_their_physical_lines() {
    let text = hmt_file(&[
        hmt_row("QADHAFI", "Muammar", "00/00/1942", "", "11702"), // line 3
        hmt_row("QADHAFI", "Aisha", "01/01/1978", "", "x12"),     // line 4: bad Group ID
        hmt_row(
            "QADHAFI",
            "Hannibal",
            "20/09/1975",
            "\"two\nlines\"",
            "11704",
        ), // lines 5-6
        hmt_row("QADHAFI", "Khamis", "31/02/1978", "", "11705"),  // line 7: bad DOB
        hmt_row("QADHAFI", "Mutassim", "00/00/1976", "", "11706"), // line 8
    ]);
    let (line, reason, more) = bad_line(parse(&ListKind::UkHmt, text.as_bytes(), BadLines::Refuse));
    assert_eq!((line, more), (4, 1));
    assert!(
        reason.contains("Group ID \"x12\" is not a number"),
        "{reason}"
    );

    let list = parse(&ListKind::UkHmt, text.as_bytes(), BadLines::Skip).expect("skips");
    let lines: Vec<u64> = list.skipped.iter().map(|s| s.line).collect();
    assert_eq!(
        lines,
        [4, 7],
        "the quoted two-line field counts as two lines"
    );
    assert!(list.skipped[1].reason.contains("DOB \"31/02/1978\""));
    let ids: Vec<&str> = list.entries.iter().map(|e| e.entry_id.as_str()).collect();
    assert_eq!(ids, ["11702", "11704", "11706"]);
    // The Title column ("Sheikh") is not part of the name.
    assert_eq!(list.entries[0].primary_name(), "Muammar QADHAFI");
    assert_eq!(dates(&list.entries[0]), ["1942"]);
}

#[test]
fn hmt_rows_without_a_name_or_with_too_few_columns_are_bad() {
    let text = hmt_file(&[
        hmt_row("", "", "", "", "1"),
        "QADHAFI,Saif,,,,12".to_owned(),
        hmt_row("QADHAFI", "Saadi", "", "", "3"),
    ]);
    let list = parse(&ListKind::UkHmt, text.as_bytes(), BadLines::Skip).expect("skips");
    assert_eq!(list.entries.len(), 1);
    assert!(
        list.skipped[0].reason.contains("no name"),
        "{:?}",
        list.skipped
    );
    assert!(
        list.skipped[1].reason.contains("6 columns"),
        "{:?}",
        list.skipped
    );
}

#[test]
fn hmt_reads_windows_1252_and_utf8_alike() {
    let utf8 = hmt_file(&[hmt_row(
        "NGENDAKUMANA",
        "Léonard",
        "24/11/1968",
        "",
        "13284",
    )]);
    // The same file with é as the one Windows-1252 byte E9 instead of UTF-8's C3 A9.
    let cp1252 = utf8.replace('é', "\u{1}").into_bytes();
    let cp1252: Vec<u8> = cp1252
        .into_iter()
        .map(|b| if b == 1 { 0xE9 } else { b })
        .collect();
    assert!(
        std::str::from_utf8(&cp1252).is_err(),
        "the fixture is really Windows-1252"
    );
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(utf8.as_bytes());
    for bytes in [utf8.as_bytes(), &cp1252, &with_bom] {
        let list = parse(&ListKind::UkHmt, bytes, BadLines::Refuse).expect("reads");
        assert_eq!(list.entries[0].primary_name(), "Léonard NGENDAKUMANA");
        assert_eq!(
            list.published.map(|d| d.to_string()).as_deref(),
            Some("2018-04-13")
        );
    }
}

#[test]
fn a_un_file_is_not_an_hmt_file() {
    let message = wrong_format(parse(
        &ListKind::UkHmt,
        &real_file("un-consolidated-2018-10-29.xml"),
        BadLines::Skip,
    ));
    assert!(message.contains("Name 6"), "{message}");
}
// ---------------------------------------------------------------- UN, bad files

const UN_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<CONSOLIDATED_LIST dateGenerated=\"2018-10-29T19:09:49.856-04:00\">\n<INDIVIDUALS>\n";

fn un_individual(reference: &str, first: &str) -> String {
    format!(
        "<INDIVIDUAL><FIRST_NAME>{first}</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE>\
         {reference}<LISTED_ON>2016-11-30</LISTED_ON></INDIVIDUAL>\n"
    )
}

#[test]
fn un_rejects_what_is_not_its_xml() {
    let message = wrong_format(parse(
        &ListKind::Un,
        b"Name 6,Name 1\nQADHAFI,Aisha\n",
        BadLines::Skip,
    ));
    assert!(message.contains("CONSOLIDATED_LIST"), "{message}");
    let message = wrong_format(parse(
        &ListKind::Un,
        b"<?xml version=\"1.0\"?>\n<sdnList><sdnEntry/></sdnList>",
        BadLines::Skip,
    ));
    assert!(message.contains("<sdnList>"), "{message}");
}

#[test]
fn un_entry_without_reference_number_is_a_bad_line() {
    let text = format!(
        "{UN_HEAD}{}{}{}</INDIVIDUALS>\n</CONSOLIDATED_LIST>\n",
        un_individual("<REFERENCE_NUMBER>KPi.033</REFERENCE_NUMBER>", "RI WON HO"), // line 4
        un_individual("", "CHANG CHANG HA"),                                        // line 5
        un_individual(
            "<REFERENCE_NUMBER>KPi.038</REFERENCE_NUMBER>",
            "CHO CHUN RYONG"
        ),
    );
    let (line, reason, more) = bad_line(parse(&ListKind::Un, text.as_bytes(), BadLines::Refuse));
    assert_eq!((line, more), (5, 0));
    assert!(reason.contains("REFERENCE_NUMBER"), "{reason}");

    let list = parse(&ListKind::Un, text.as_bytes(), BadLines::Skip).expect("skips");
    assert_eq!(list.entries.len(), 2);
    assert_eq!(list.skipped.len(), 1);
    assert_eq!(list.skipped[0].line, 5);
}

#[test]
fn un_repeated_reference_number_is_a_bad_line() {
    let one = un_individual("<REFERENCE_NUMBER>KPi.033</REFERENCE_NUMBER>", "RI WON HO");
    let text = format!("{UN_HEAD}{one}{one}</INDIVIDUALS>\n</CONSOLIDATED_LIST>\n");
    let (line, reason, _) = bad_line(parse(&ListKind::Un, text.as_bytes(), BadLines::Refuse));
    assert_eq!(line, 5);
    assert!(
        reason.contains("KPi.033 appears again (first on line 4)"),
        "{reason}"
    );
}

#[test]
fn un_malformed_xml_is_refused_even_when_skipping_and_names_the_line() {
    let text = format!(
        "{UN_HEAD}{}<INDIVIDUAL><FIRST_NAME>X</SECOND_NAME></INDIVIDUAL>\n</INDIVIDUALS>\n</CONSOLIDATED_LIST>\n",
        un_individual("<REFERENCE_NUMBER>KPi.033</REFERENCE_NUMBER>", "RI WON HO"),
    );
    let (line, reason, _) = bad_line(parse(&ListKind::Un, text.as_bytes(), BadLines::Skip));
    assert_eq!(line, 5);
    assert!(reason.contains("malformed"), "{reason}");

    assert!(reason.contains("</SECOND_NAME>"), "{reason}");

    // A file cut short after a whole entry: the last line is named.
    let cut = format!(
        "{UN_HEAD}{}",
        un_individual("<REFERENCE_NUMBER>KPi.033</REFERENCE_NUMBER>", "RI WON HO")
    );
    let (line, reason, _) = bad_line(parse(&ListKind::Un, cut.as_bytes(), BadLines::Skip));
    assert_eq!(line, 4);
    assert!(reason.contains("cut short"), "{reason}");
}
// ---------------------------------------------------------------- OFAC, bad files

const OFAC_306: &str = "306,\"BANCO NACIONAL DE CUBA\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. 'BNC'.\"\r\n";
const OFAC_36: &str =
    "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";

#[test]
fn ofac_bad_ent_num_and_column_count() {
    let text = format!(
        "{OFAC_36}X1,\"NOBODY\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\
         7,\"SHORT\",-0- \r\n{OFAC_306}\x1a"
    );
    let (line, reason, more) =
        bad_line(parse(&ListKind::OfacSdn, text.as_bytes(), BadLines::Refuse));
    assert_eq!((line, more), (2, 1));
    assert!(
        reason.contains("ent_num \"X1\" is not a number"),
        "{reason}"
    );

    let list = parse(&ListKind::OfacSdn, text.as_bytes(), BadLines::Skip).expect("skips");
    assert_eq!(list.entries.len(), 2);
    assert_eq!(list.skipped[1].line, 3);
    assert!(
        list.skipped[1].reason.contains("3 columns"),
        "{:?}",
        list.skipped
    );
}

#[test]
fn ofac_invalid_utf8_is_an_encoding_error_with_its_line() {
    let mut bytes = format!("{OFAC_36}{OFAC_306}").into_bytes();
    bytes.extend_from_slice(
        b"424,\"BOUTIQUE LA MAISON\xE9\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n",
    );
    assert_eq!(
        parse(&ListKind::OfacSdn, &bytes, BadLines::Skip),
        Err(ListError::Encoding {
            encoding: "UTF-8",
            line: 3
        })
    );
}

#[test]
fn an_hmt_file_read_as_ofac_is_refused_not_empty() {
    for bad in [BadLines::Refuse, BadLines::Skip] {
        let message = wrong_format(parse(
            &ListKind::OfacSdn,
            &real_file("uk-hmt-conlist-2018-04-13.csv"),
            bad,
        ));
        assert!(message.contains("12 columns"), "{message}");
    }
}
// ---------------------------------------------------------------- documented CSV

fn other() -> ListKind {
    ListKind::Other("eu-fsf".to_owned())
}

#[test]
fn simple_csv_reads_and_merges_rows_of_one_id() {
    let text = "id,name,kind,aliases,date_of_birth,country,address,programme,remarks\n\
                A1,Aisha QADHAFI,individual,Aisha GADDAFI;Aicha KADHAFI,1976;1976-05,Libya,,LIBYA,daughter\n\
                B2,Libyan Investment Authority,entity,LIA,,Libya,\"1 Tripoli St, Tripoli\",LIBYA,\n\
                A1,Aisha Muammar Muhammad Abu Minyar QADHAFI,,,1976-05-01,Oman,,,daughter\n";
    let list = parse(&other(), text.as_bytes(), BadLines::Refuse).expect("reads");
    assert_eq!(list.kind, other());
    assert_eq!(list.entries.len(), 2);
    let a = &list.entries[0];
    assert_eq!(a.entry_id, "A1");
    assert_eq!(a.kind, EntryKind::Individual);
    assert_eq!(a.primary_name(), "Aisha QADHAFI");
    assert_eq!(
        names_of(a, NameKind::Alias),
        [
            "Aisha GADDAFI",
            "Aicha KADHAFI",
            "Aisha Muammar Muhammad Abu Minyar QADHAFI"
        ]
    );
    assert_eq!(dates(a), ["1976", "1976-05", "1976-05-01"]);
    assert_eq!(a.countries, ["Libya", "Oman"]);
    assert_eq!(a.remarks, "daughter");
    assert_eq!(list.entries[1].addresses, ["1 Tripoli St, Tripoli"]);
}

#[test]
fn simple_csv_refuses_unknown_and_missing_columns() {
    let message = wrong_format(parse(
        &other(),
        b"id,name,contry\n1,X,Libya\n",
        BadLines::Skip,
    ));
    assert!(message.contains("\"contry\""), "{message}");
    let message = wrong_format(parse(&other(), b"id,aliases\n1,X\n", BadLines::Skip));
    assert!(message.contains("\"name\""), "{message}");
}

#[test]
fn simple_csv_bad_rows() {
    let text = "id,name,date_of_birth,kind\n1,A,1960,individual\n,B,,\n3,C,1960-13,\n4,D,,person\n5,E,,robot\n";
    let list = parse(&other(), text.as_bytes(), BadLines::Skip).expect("skips");
    let lines: Vec<u64> = list.skipped.iter().map(|s| s.line).collect();
    assert_eq!(lines, [3, 4, 6]);
    assert_eq!(list.entries.len(), 2);
    let (line, _, more) = bad_line(parse(&other(), text.as_bytes(), BadLines::Refuse));
    assert_eq!((line, more), (3, 2));
}

#[test]
fn empty_files_are_empty() {
    assert_eq!(parse(&other(), b"", BadLines::Skip), Err(ListError::Empty));
    assert_eq!(
        parse(&other(), b"id,name\n", BadLines::Skip),
        Err(ListError::Empty)
    );
    assert_eq!(
        parse(&ListKind::OfacSdn, b"\r\n\x1a", BadLines::Skip),
        Err(ListError::Empty)
    );
    // Every row bad and skipped: nothing is left to load.
    assert_eq!(
        parse(&other(), b"id,name\n,X\n", BadLines::Skip),
        Err(ListError::Empty)
    );
}

#[test]
fn simple_csv_must_be_utf8() {
    assert_eq!(
        parse(&other(), b"id,name\n1,L\xE9onard\n", BadLines::Skip),
        Err(ListError::Encoding {
            encoding: "UTF-8",
            line: 2
        })
    );
}
