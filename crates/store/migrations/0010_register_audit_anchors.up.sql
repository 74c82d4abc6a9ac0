-- Audit anchors (docs/register-format.md §3) are register entries with no outbox row: the
-- log's other kind of entry, publishing the audit chain's length and head. `outbox_seq`
-- becomes optional (NULL for an anchor); everything else is as before. Neither backend can
-- drop a NOT NULL in one statement of a shared dialect, so the table is rebuilt, and with it
-- the openings that reference it (SQLite refuses to drop a referenced table).
CREATE TABLE register_entries_v10 (
    idx BIGINT PRIMARY KEY,
    outbox_seq BIGINT UNIQUE REFERENCES decision_outbox (seq),
    entry TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
INSERT INTO register_entries_v10 (idx, outbox_seq, entry, created_at)
SELECT idx, outbox_seq, entry, created_at FROM register_entries;

CREATE TABLE register_entry_openings_v10 (
    entry_idx BIGINT PRIMARY KEY REFERENCES register_entries_v10 (idx),
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
INSERT INTO register_entry_openings_v10 (
    entry_idx, exporter_salt, exporter, consignee_salt, consignee, end_user_salt, end_user,
    goods_description_salt, goods_description, quantity_salt, quantity
)
SELECT entry_idx, exporter_salt, exporter, consignee_salt, consignee, end_user_salt, end_user,
    goods_description_salt, goods_description, quantity_salt, quantity
FROM register_entry_openings;

DROP TABLE register_entry_openings;
DROP TABLE register_entries;
-- SQLite rewrites the openings' reference to follow the rename; PostgreSQL's follows the table.
ALTER TABLE register_entries_v10 RENAME TO register_entries;
ALTER TABLE register_entry_openings_v10 RENAME TO register_entry_openings;

-- The newest anchor, which the sequencer reads on every poll: an ordered scan of anchors only.
CREATE INDEX register_entries_anchors ON register_entries (idx) WHERE outbox_seq IS NULL;
