-- Evidence files. `content` is BYTEA: PostgreSQL's binary type; SQLite gives that name
-- NUMERIC affinity, under which a blob is stored as a blob, so one dialect serves both.

-- Files attached to a dissent when it was filed, kept exactly as filed.
CREATE TABLE dissent_attachments (
    dissent_id TEXT NOT NULL REFERENCES dissents (id),
    number BIGINT NOT NULL,
    name TEXT NOT NULL,
    -- An `AttachmentType` decided from the file's own bytes.
    kind TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BYTEA NOT NULL,
    PRIMARY KEY (dissent_id, number)
);

-- Files given with a disclosure or an addition to it. Both the description (name, type,
-- size, digest) and the content are age-encrypted to oversight's key: nothing readable, not
-- even a file name, is in the database.
CREATE TABLE disclosure_attachments (
    disclosure_id TEXT NOT NULL REFERENCES disclosures (id),
    number BIGINT NOT NULL,
    -- The message (the disclosure, or an addition) the file came with.
    message_number BIGINT NOT NULL,
    -- ASCII-armoured age ciphertext of the description (JSON).
    sealed_meta TEXT NOT NULL,
    -- Binary age ciphertext of the file.
    sealed_content BYTEA NOT NULL,
    PRIMARY KEY (disclosure_id, number)
);
