-- Private openings: one row per entry with the salt and value of each of its five committed
-- fields (docs/register-format.md §2), instead of one row per field. The sequencer writes one
-- row per entry appended rather than five, the largest single cost of an append.
CREATE TABLE register_entry_openings (
    entry_idx BIGINT PRIMARY KEY REFERENCES register_entries (idx),
    exporter_salt TEXT NOT NULL,
    exporter TEXT NOT NULL,
    consignee_salt TEXT NOT NULL,
    consignee TEXT NOT NULL,
    end_user_salt TEXT NOT NULL,
    end_user TEXT NOT NULL,
    goods_description_salt TEXT NOT NULL,
    goods_description TEXT NOT NULL,
    quantity_salt TEXT NOT NULL,
    quantity TEXT NOT NULL
);

-- Every entry has all five fields; a missing one is NULL here and fails the migration.
INSERT INTO register_entry_openings (
    entry_idx, exporter_salt, exporter, consignee_salt, consignee, end_user_salt, end_user,
    goods_description_salt, goods_description, quantity_salt, quantity
)
SELECT e.entry_idx,
    (SELECT o.salt FROM register_openings o WHERE o.entry_idx = e.entry_idx AND o.field = 'exporter'),
    (SELECT o.value FROM register_openings o WHERE o.entry_idx = e.entry_idx AND o.field = 'exporter'),
    (SELECT o.salt FROM register_openings o WHERE o.entry_idx = e.entry_idx AND o.field = 'consignee'),
    (SELECT o.value FROM register_openings o WHERE o.entry_idx = e.entry_idx AND o.field = 'consignee'),
    (SELECT o.salt FROM register_openings o WHERE o.entry_idx = e.entry_idx AND o.field = 'end_user'),
    (SELECT o.value FROM register_openings o WHERE o.entry_idx = e.entry_idx AND o.field = 'end_user'),
    (SELECT o.salt FROM register_openings o WHERE o.entry_idx = e.entry_idx AND o.field = 'goods_description'),
    (SELECT o.value FROM register_openings o WHERE o.entry_idx = e.entry_idx AND o.field = 'goods_description'),
    (SELECT o.salt FROM register_openings o WHERE o.entry_idx = e.entry_idx AND o.field = 'quantity'),
    (SELECT o.value FROM register_openings o WHERE o.entry_idx = e.entry_idx AND o.field = 'quantity')
FROM (SELECT DISTINCT entry_idx FROM register_openings) e;

DROP TABLE register_openings;
