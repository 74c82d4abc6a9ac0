-- A true match on a party of a licence in force opens a review of that licence (issue 12).
-- Such a review has no scope rule, the listed entry chose its licences: `kind` gains
-- 'screening', `rule_json` becomes optional and the entry is kept. A CHECK or NOT NULL cannot
-- be altered in SQLite, so the table is rebuilt, and with it the two tables that refer to it
-- (dropped children first, so no reference is ever left dangling on either backend).
CREATE TABLE reviews_v2 (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('restriction', 'reinstatement', 'screening')),
    destination TEXT NOT NULL,
    criterion TEXT,
    assessment_id TEXT REFERENCES assessments (id),
    embargo_id TEXT,
    reinstates TEXT REFERENCES reviews_v2 (id),
    title TEXT NOT NULL,
    rule_json TEXT,
    -- For a screening review: the list, the source's entry id and the entry's name.
    listed_list TEXT,
    listed_entry TEXT,
    listed_name TEXT,
    in_force BIGINT NOT NULL,
    opened_by TEXT NOT NULL REFERENCES users (id),
    opened_at BIGINT NOT NULL,
    closed_by TEXT REFERENCES users (id),
    closed_at BIGINT,
    closing_note TEXT,
    CHECK ((kind = 'screening') = (rule_json IS NULL)),
    CHECK ((kind = 'screening') = (listed_entry IS NOT NULL AND listed_list IS NOT NULL AND listed_name IS NOT NULL))
);
INSERT INTO reviews_v2 (id, kind, destination, criterion, assessment_id, embargo_id, reinstates,
    title, rule_json, in_force, opened_by, opened_at, closed_by, closed_at, closing_note)
SELECT id, kind, destination, criterion, assessment_id, embargo_id, reinstates,
    title, rule_json, in_force, opened_by, opened_at, closed_by, closed_at, closing_note
FROM reviews;

CREATE TABLE review_items_v2 (
    review_id TEXT NOT NULL REFERENCES reviews_v2 (id),
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
INSERT INTO review_items_v2 (review_id, licence_id, licence_number, case_id, organisation_id,
    ratings, reason, exclusion, outcome, exemption, decided_by, decided_at, record_seq)
SELECT review_id, licence_id, licence_number, case_id, organisation_id,
    ratings, reason, exclusion, outcome, exemption, decided_by, decided_at, record_seq
FROM review_items;

CREATE TABLE review_flags_v2 (
    review_id TEXT NOT NULL REFERENCES reviews_v2 (id),
    case_id TEXT NOT NULL REFERENCES cases (id),
    reason TEXT NOT NULL,
    overridden_by TEXT REFERENCES users (id),
    overridden_at BIGINT,
    override_reason TEXT,
    PRIMARY KEY (review_id, case_id)
);
INSERT INTO review_flags_v2 (review_id, case_id, reason, overridden_by, overridden_at, override_reason)
SELECT review_id, case_id, reason, overridden_by, overridden_at, override_reason FROM review_flags;

DROP TABLE review_flags;
DROP TABLE review_items;
DROP TABLE reviews;
ALTER TABLE reviews_v2 RENAME TO reviews;
ALTER TABLE review_items_v2 RENAME TO review_items;
ALTER TABLE review_flags_v2 RENAME TO review_flags;
CREATE INDEX reviews_by_opened ON reviews (opened_at);
CREATE INDEX review_items_by_licence ON review_items (licence_id);
CREATE INDEX review_flags_by_case ON review_flags (case_id);
-- A licence's match adds to the open review of the same entry and destination.
CREATE INDEX reviews_by_listed_entry ON reviews (listed_list, listed_entry, destination)
    WHERE kind = 'screening';
