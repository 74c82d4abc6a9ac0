-- Back to one entry per outbox row. Refused (the NOT NULL fails) while the register holds an
-- audit anchor: entries of a signed log are never deleted, so such a register cannot go back.
DROP INDEX register_entries_anchors;

CREATE TABLE register_entries_v2 (
    idx BIGINT PRIMARY KEY,
    outbox_seq BIGINT NOT NULL UNIQUE REFERENCES decision_outbox (seq),
    entry TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
INSERT INTO register_entries_v2 (idx, outbox_seq, entry, created_at)
SELECT idx, outbox_seq, entry, created_at FROM register_entries;

CREATE TABLE register_entry_openings_v2 (
    entry_idx BIGINT PRIMARY KEY REFERENCES register_entries_v2 (idx),
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
INSERT INTO register_entry_openings_v2 (
    entry_idx, exporter_salt, exporter, consignee_salt, consignee, end_user_salt, end_user,
    goods_description_salt, goods_description, quantity_salt, quantity
)
SELECT entry_idx, exporter_salt, exporter, consignee_salt, consignee, end_user_salt, end_user,
    goods_description_salt, goods_description, quantity_salt, quantity
FROM register_entry_openings;

DROP TABLE register_entry_openings;
DROP TABLE register_entries;
ALTER TABLE register_entries_v2 RENAME TO register_entries;
ALTER TABLE register_entry_openings_v2 RENAME TO register_entry_openings;
