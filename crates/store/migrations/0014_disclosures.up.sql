-- Anonymous protected disclosures. Nothing here says who made one: no address, no agent, no
-- time of day (dates only). `lookup` names a disclosure in its receipt code; `code_hash` is
-- the slow salted hash of the whole code. Every text is age-encrypted to oversight's key.
CREATE TABLE disclosures (
    id TEXT PRIMARY KEY,
    lookup TEXT NOT NULL UNIQUE,
    code_hash TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'answered')),
    -- ISO dates (YYYY-MM-DD): when it was made, and by when the open part must be answered.
    received_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    -- The date of oversight's latest answer, and whether it came after the due date.
    answered_on TEXT,
    answered_late BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX disclosures_by_status ON disclosures (status, due_on);

-- What was said, in order: the disclosure, what the discloser added, oversight's answers.
CREATE TABLE disclosure_messages (
    disclosure_id TEXT NOT NULL REFERENCES disclosures (id),
    number BIGINT NOT NULL,
    author TEXT NOT NULL CHECK (author IN ('discloser', 'oversight')),
    on_date TEXT NOT NULL,
    -- ASCII-armoured age ciphertext.
    sealed TEXT NOT NULL,
    PRIMARY KEY (disclosure_id, number)
);
