-- Back to reviews of assessments and embargoes only: screening reviews and what hangs off
-- them are deleted, then the three tables are rebuilt with the old constraints.
DELETE FROM review_flags WHERE review_id IN (SELECT id FROM reviews WHERE kind = 'screening');
DELETE FROM review_items WHERE review_id IN (SELECT id FROM reviews WHERE kind = 'screening');
DELETE FROM reviews WHERE kind = 'screening';
DROP INDEX reviews_by_listed_entry;

CREATE TABLE reviews_v1 (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('restriction', 'reinstatement')),
    destination TEXT NOT NULL,
    criterion TEXT,
    assessment_id TEXT REFERENCES assessments (id),
    embargo_id TEXT,
    reinstates TEXT REFERENCES reviews_v1 (id),
    title TEXT NOT NULL,
    rule_json TEXT NOT NULL,
    in_force BIGINT NOT NULL,
    opened_by TEXT NOT NULL REFERENCES users (id),
    opened_at BIGINT NOT NULL,
    closed_by TEXT REFERENCES users (id),
    closed_at BIGINT,
    closing_note TEXT
);
INSERT INTO reviews_v1 (id, kind, destination, criterion, assessment_id, embargo_id, reinstates,
    title, rule_json, in_force, opened_by, opened_at, closed_by, closed_at, closing_note)
SELECT id, kind, destination, criterion, assessment_id, embargo_id, reinstates,
    title, rule_json, in_force, opened_by, opened_at, closed_by, closed_at, closing_note
FROM reviews;

CREATE TABLE review_items_v1 (
    review_id TEXT NOT NULL REFERENCES reviews_v1 (id),
    licence_id TEXT NOT NULL REFERENCES licences (id),
    licence_number TEXT NOT NULL,
    case_id TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    ratings TEXT NOT NULL,
    reason TEXT NOT NULL,
    exclusion TEXT,
    outcome TEXT CHECK (outcome IN ('suspend', 'revoke', 'keep', 'reinstate', 'keep_suspended')),
    exemption TEXT,
    decided_by TEXT REFERENCES users (id),
    decided_at BIGINT,
    record_seq BIGINT,
    PRIMARY KEY (review_id, licence_id)
);
INSERT INTO review_items_v1 (review_id, licence_id, licence_number, case_id, organisation_id,
    ratings, reason, exclusion, outcome, exemption, decided_by, decided_at, record_seq)
SELECT review_id, licence_id, licence_number, case_id, organisation_id,
    ratings, reason, exclusion, outcome, exemption, decided_by, decided_at, record_seq
FROM review_items;

CREATE TABLE review_flags_v1 (
    review_id TEXT NOT NULL REFERENCES reviews_v1 (id),
    case_id TEXT NOT NULL REFERENCES cases (id),
    reason TEXT NOT NULL,
    overridden_by TEXT REFERENCES users (id),
    overridden_at BIGINT,
    override_reason TEXT,
    PRIMARY KEY (review_id, case_id)
);
INSERT INTO review_flags_v1 (review_id, case_id, reason, overridden_by, overridden_at, override_reason)
SELECT review_id, case_id, reason, overridden_by, overridden_at, override_reason FROM review_flags;

DROP TABLE review_flags;
DROP TABLE review_items;
DROP TABLE reviews;
ALTER TABLE reviews_v1 RENAME TO reviews;
ALTER TABLE review_items_v1 RENAME TO review_items;
ALTER TABLE review_flags_v1 RENAME TO review_flags;
CREATE INDEX reviews_by_opened ON reviews (opened_at);
CREATE INDEX review_items_by_licence ON review_items (licence_id);
CREATE INDEX review_flags_by_case ON review_flags (case_id);
