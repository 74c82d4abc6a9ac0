use super::*;

#[test]
fn statements_split_at_semicolons_outside_quotes_and_comments() {
    let sql = "-- a comment; with a semicolon\n\
               CREATE TABLE t (a TEXT DEFAULT 'x;y', \"b;c\" TEXT); /* block; comment */\n\
               INSERT INTO t (a) VALUES ('it''s; fine');INSERT INTO t (a) VALUES ('z') -- tail;\n\
               ;\n\
               CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n\
               SELECT $1";
    assert_eq!(
        statements(sql),
        vec![
            "CREATE TABLE t (a TEXT DEFAULT 'x;y', \"b;c\" TEXT)",
            "INSERT INTO t (a) VALUES ('it''s; fine')",
            "INSERT INTO t (a) VALUES ('z')",
            "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql",
            "SELECT $1",
        ]
    );
}

#[test]
fn every_migration_splits_into_statements_without_comments() {
    for m in MIGRATIONS {
        for (dir, sql) in [("up", m.up), ("down", m.down)] {
            let stmts = statements(sql);
            assert!(!stmts.is_empty(), "{} {dir} has no statement", m.name);
            for s in stmts {
                assert!(!s.contains("--"), "{} {dir}: comment left in {s}", m.name);
                assert!(!s.ends_with(';'), "{} {dir}: {s}", m.name);
            }
        }
    }
}

#[test]
fn versions_increase_and_checksums_ignore_line_endings() {
    for pair in MIGRATIONS.windows(2) {
        assert_eq!(pair[1].version, pair[0].version + 1);
    }
    let m = &MIGRATIONS[0];
    let crlf: &'static str = Box::leak(m.up.replace('\n', "\r\n").into_boxed_str());
    let same = Migration { up: crlf, ..*m };
    assert_eq!(same.checksum(), m.checksum());
    let edited = Migration {
        up: "CREATE TABLE x (a TEXT)",
        ..*m
    };
    assert_ne!(edited.checksum(), m.checksum());
}
