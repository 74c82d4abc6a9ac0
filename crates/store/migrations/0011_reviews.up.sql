-- Destination assessments, embargoes, reviews and the exporters' notifications (issue 10).
-- Scope rules are stored as the JSON of probity_domain::ScopeRule, checked again on read.

-- One row per version; a version is never edited. `version` counts from 1 per
-- (destination, criterion). `published_at` is when policy released the public summary.
CREATE TABLE assessments (
    id TEXT PRIMARY KEY,
    destination TEXT NOT NULL,
    criterion TEXT NOT NULL,
    version BIGINT NOT NULL,
    finding TEXT NOT NULL CHECK (finding IN ('no_concern', 'caution', 'clear_risk')),
    rule_json TEXT NOT NULL,
    evidence TEXT NOT NULL,
    reasons TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    public_summary TEXT NOT NULL,
    author_id TEXT NOT NULL REFERENCES users (id),
    recorded_at BIGINT NOT NULL,
    published_at BIGINT,
    UNIQUE (destination, criterion, version)
);
CREATE INDEX assessments_by_finding ON assessments (finding, published_at);

-- Embargoes recorded by policy (the shipped starting set lives in the domain crate's data).
CREATE TABLE embargoes (
    id TEXT PRIMARY KEY,
    destination TEXT NOT NULL,
    regime TEXT NOT NULL,
    rule_json TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    reference TEXT NOT NULL,
    summary TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX embargoes_by_destination ON embargoes (destination);

-- A review of the licences a finding or an embargo touches. The rule is copied at opening:
-- the review answers for what was matched then, whatever later versions say.
CREATE TABLE reviews (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('restriction', 'reinstatement')),
    destination TEXT NOT NULL,
    criterion TEXT,
    assessment_id TEXT REFERENCES assessments (id),
    embargo_id TEXT,
    reinstates TEXT REFERENCES reviews (id),
    title TEXT NOT NULL,
    rule_json TEXT NOT NULL,
    -- Licences in force to the destination when the review opened (in scope or not).
    in_force BIGINT NOT NULL,
    opened_by TEXT NOT NULL REFERENCES users (id),
    opened_at BIGINT NOT NULL,
    closed_by TEXT REFERENCES users (id),
    closed_at BIGINT,
    closing_note TEXT
);
CREATE INDEX reviews_by_opened ON reviews (opened_at);

-- Every licence a review matched at opening, why, and what became of it.
CREATE TABLE review_items (
    review_id TEXT NOT NULL REFERENCES reviews (id),
    licence_id TEXT NOT NULL REFERENCES licences (id),
    licence_number TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    ratings TEXT NOT NULL,
    reason TEXT NOT NULL,
    -- The rule's exclusion this licence falls under (listed, to be kept with that exemption).
    exclusion TEXT,
    outcome TEXT CHECK (outcome IN ('suspend', 'revoke', 'keep', 'reinstate', 'keep_suspended')),
    exemption TEXT,
    decided_by TEXT REFERENCES users (id),
    decided_at BIGINT,
    record_seq BIGINT,
    PRIMARY KEY (review_id, licence_id)
);
CREATE INDEX review_items_by_licence ON review_items (licence_id);

-- Pending applications a review matched: a grant is refused unless a decision-maker overrides.
CREATE TABLE review_flags (
    review_id TEXT NOT NULL REFERENCES reviews (id),
    case_id TEXT NOT NULL REFERENCES cases (id),
    reason TEXT NOT NULL,
    overridden_by TEXT REFERENCES users (id),
    overridden_at BIGINT,
    override_reason TEXT,
    PRIMARY KEY (review_id, case_id)
);
CREATE INDEX review_flags_by_case ON review_flags (case_id);

-- What an exporter's organisation is told in the app.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_by_org ON notifications (organisation_id, created_at);

-- The review's pre-selection walks case_destinations_by_country to each case's licences.
CREATE INDEX licences_by_case ON licences (case_id);
