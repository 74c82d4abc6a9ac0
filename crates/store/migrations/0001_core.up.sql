-- Probity core schema. One dialect for SQLite and PostgreSQL: TEXT, BIGINT, no
-- backend-specific types. Ids are UUID text; times are UTC microseconds (BIGINT);
-- flags are 0/1 BIGINT; money is BIGINT minor units beside a currency code.

CREATE TABLE command_lock (
    id BIGINT PRIMARY KEY,
    taken BIGINT NOT NULL
);
INSERT INTO command_lock (id, taken) VALUES (1, 0);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    registration_number TEXT NOT NULL UNIQUE,
    address TEXT NOT NULL,
    country TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('licensing', 'advisory', 'policy', 'oversight', 'admin')),
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    organisation_id TEXT REFERENCES organisations (id),
    team_id TEXT REFERENCES teams (id),
    password_hash TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE reference_counters (
    prefix TEXT NOT NULL,
    year BIGINT NOT NULL,
    last_number BIGINT NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('application', 'appeal')),
    reference TEXT UNIQUE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    licence_type TEXT NOT NULL,
    status TEXT NOT NULL,
    draft_json TEXT NOT NULL,
    end_use_statement TEXT NOT NULL DEFAULT '',
    end_user_type TEXT,
    destinations TEXT NOT NULL DEFAULT '',
    total_value_minor BIGINT NOT NULL DEFAULT 0,
    assigned_to TEXT REFERENCES users (id),
    appeal_of TEXT REFERENCES cases (id),
    appeal_grounds TEXT,
    final_advice_json TEXT,
    final_advice_reasons TEXT,
    submitted_at BIGINT,
    finalised_at BIGINT,
    outcome TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX cases_by_status ON cases (status, updated_at);
CREATE INDEX cases_by_org ON cases (organisation_id, updated_at);
CREATE INDEX cases_by_assignee ON cases (assigned_to, status);
CREATE INDEX cases_by_submitted ON cases (submitted_at);
-- The "all cases" list walks this index newest-first instead of sorting every case.
CREATE INDEX cases_by_updated ON cases (updated_at, id);

CREATE TABLE goods_lines (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    position BIGINT NOT NULL,
    description TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit TEXT NOT NULL,
    value_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    incorporated BIGINT NOT NULL,
    UNIQUE (case_id, position)
);

CREATE TABLE goods_ratings (
    goods_line_id TEXT NOT NULL REFERENCES goods_lines (id),
    position BIGINT NOT NULL,
    rating TEXT NOT NULL,
    PRIMARY KEY (goods_line_id, position)
);
CREATE INDEX goods_ratings_by_rating ON goods_ratings (rating);

CREATE TABLE parties (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    position BIGINT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    country TEXT NOT NULL,
    end_user_type TEXT
);
CREATE INDEX parties_by_case ON parties (case_id);

CREATE TABLE case_destinations (
    case_id TEXT NOT NULL REFERENCES cases (id),
    country TEXT NOT NULL,
    PRIMARY KEY (case_id, country)
);
CREATE INDEX case_destinations_by_country ON case_destinations (country);

CREATE TABLE questions (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    asked_by TEXT NOT NULL REFERENCES users (id),
    asked_at BIGINT NOT NULL,
    body TEXT NOT NULL,
    answer TEXT,
    answered_by TEXT REFERENCES users (id),
    answered_at BIGINT
);
CREATE INDEX questions_by_case ON questions (case_id);

CREATE TABLE advice_requests (
    case_id TEXT NOT NULL REFERENCES cases (id),
    team_id TEXT NOT NULL REFERENCES teams (id),
    requested_by TEXT NOT NULL REFERENCES users (id),
    requested_at BIGINT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (case_id, team_id)
);
CREATE INDEX advice_requests_by_team ON advice_requests (team_id);

CREATE TABLE advice (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    level TEXT NOT NULL CHECK (level IN ('user', 'team', 'final')),
    team_id TEXT REFERENCES teams (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    destination TEXT NOT NULL,
    kind_json TEXT NOT NULL,
    reasons TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    superseded_at BIGINT
);
CREATE INDEX advice_by_case ON advice (case_id, level);

CREATE TABLE pending_decisions (
    case_id TEXT PRIMARY KEY REFERENCES cases (id),
    decision_json TEXT NOT NULL,
    reasons TEXT NOT NULL,
    decided_by TEXT NOT NULL REFERENCES users (id),
    decided_at BIGINT NOT NULL
);

CREATE TABLE licences (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    case_id TEXT NOT NULL REFERENCES cases (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    licence_type TEXT NOT NULL,
    status TEXT NOT NULL,
    provisos_json TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    valid_until BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX licences_by_org ON licences (organisation_id);
CREATE INDEX licences_by_status ON licences (status, valid_until);

CREATE TABLE licence_events (
    id TEXT PRIMARY KEY,
    licence_id TEXT NOT NULL REFERENCES licences (id),
    action TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    actor_id TEXT REFERENCES users (id),
    reason TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX licence_events_by_licence ON licence_events (licence_id, at);

CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX documents_by_case ON documents (case_id);

-- Hash-chained internal audit log. seq is dense from 1; hash covers prev_hash and the row.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id TEXT,
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    detail_json TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_by_subject ON audit_events (subject_type, subject_id, seq);

-- Public decision records waiting for (or already given) a register index.
CREATE TABLE decision_outbox (
    seq BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    licence_id TEXT REFERENCES licences (id),
    destination TEXT NOT NULL,
    decided_at BIGINT NOT NULL,
    record_json TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    published_at BIGINT,
    register_index BIGINT
);
CREATE INDEX decision_outbox_unpublished ON decision_outbox (published_at, seq);

-- Every destination of a record, so a record is found under each of them.
CREATE TABLE decision_outbox_destinations (
    country TEXT NOT NULL,
    seq BIGINT NOT NULL REFERENCES decision_outbox (seq),
    PRIMARY KEY (country, seq)
);
