DROP INDEX notifications_to_deliver;
ALTER TABLE notifications DROP COLUMN next_attempt_at;
ALTER TABLE notifications DROP COLUMN delivery_error;
ALTER TABLE notifications DROP COLUMN delivery_attempts;
ALTER TABLE notifications DROP COLUMN delivered_at;
CREATE TABLE review_items_rebuilt (
    review_id TEXT NOT NULL REFERENCES reviews (id),
    licence_id TEXT NOT NULL REFERENCES licences (id),
    licence_number TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
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
INSERT INTO review_items_rebuilt (review_id, licence_id, licence_number, case_id, organisation_id, ratings, reason, exclusion, outcome, exemption, decided_by, decided_at, record_seq)
    SELECT review_id, licence_id, licence_number, case_id, organisation_id, ratings, reason, exclusion, outcome, exemption, decided_by, decided_at, record_seq FROM review_items;
DROP TABLE review_items;
ALTER TABLE review_items_rebuilt RENAME TO review_items;
CREATE INDEX review_items_by_licence ON review_items (licence_id);
DROP INDEX cases_pending;
DROP INDEX licences_in_force_by_case;
