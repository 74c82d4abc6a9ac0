-- Supporting documents of applications (end-user undertakings, specifications…), and the
-- documents caseworkers ask exporters for. `content` is BYTEA, as for dissent files.

-- What a caseworker asked the exporter for; answered by the document that fulfils it.
CREATE TABLE document_requests (
    case_id TEXT NOT NULL REFERENCES cases (id),
    number BIGINT NOT NULL,
    -- A `DocumentKind`.
    document_kind TEXT NOT NULL,
    note TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES users (id),
    requested_at BIGINT NOT NULL,
    -- The document (number, below) that answered the request; NULL while outstanding.
    fulfilled_by BIGINT,
    PRIMARY KEY (case_id, number)
);

CREATE TABLE supporting_documents (
    case_id TEXT NOT NULL REFERENCES cases (id),
    number BIGINT NOT NULL,
    document_kind TEXT NOT NULL,
    name TEXT NOT NULL,
    -- An `AttachmentType` decided from the file's own bytes.
    kind TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    uploaded_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, number)
);
