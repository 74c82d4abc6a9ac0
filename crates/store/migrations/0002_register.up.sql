-- The public register (transparency log). One dialect for SQLite and PostgreSQL: TEXT and
-- BIGINT only. Entries and stored hashes are append-only; nothing here is ever updated.

-- Taken (UPDATE) first in every sequencer transaction, so only one sequencer appends at a
-- time; a second one waits for the first to commit.
CREATE TABLE register_lock (
    id BIGINT PRIMARY KEY,
    taken BIGINT NOT NULL
);
INSERT INTO register_lock (id, taken) VALUES (1, 0);

-- Log entries: the encoded public decision record (base64 of the entry bytes).
CREATE TABLE register_entries (
    idx BIGINT PRIMARY KEY,
    outbox_seq BIGINT NOT NULL UNIQUE REFERENCES decision_outbox (seq),
    entry TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Stored Merkle hashes (probity_register::tlog layout): stored-hash index -> lowercase hex.
CREATE TABLE register_hashes (
    idx BIGINT PRIMARY KEY,
    hash TEXT NOT NULL
);

-- Every signed checkpoint (C2SP signed note text), one per tree size.
CREATE TABLE register_checkpoints (
    tree_size BIGINT PRIMARY KEY,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Private openings of the commitments in each entry: salt (hex) and committed value.
-- Never served publicly.
CREATE TABLE register_openings (
    entry_idx BIGINT NOT NULL REFERENCES register_entries (idx),
    field TEXT NOT NULL,
    salt TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (entry_idx, field)
);

CREATE UNIQUE INDEX decision_outbox_register_index ON decision_outbox (register_index);
