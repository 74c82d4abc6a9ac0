-- Opening a review walks the licences in force to a destination: index just those (by case,
-- with the expiry the selection checks), so the walk never touches expired or revoked rows.
CREATE INDEX licences_in_force_by_case ON licences (case_id, valid_until)
    WHERE status IN ('issued', 'reinstated');
-- Applications still to be decided are few beside everything ever filed: an index of just
-- them lets a review flag the pending ones without walking a destination's history.
CREATE INDEX cases_pending ON cases (id)
    WHERE kind = 'application'
      AND status IN ('submitted', 'under_review', 'awaiting_exporter', 'under_final_review', 'awaiting_countersign');
-- A review item's case and organisation are copies of its licence's (kept for the worklist's
-- filters); the licence carries the foreign keys. Checking them again per item made opening a
-- review over 50,000 licences spend most of its time locking rows it had just read.
CREATE TABLE review_items_rebuilt (
    review_id TEXT NOT NULL REFERENCES reviews (id),
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
INSERT INTO review_items_rebuilt (review_id, licence_id, licence_number, case_id, organisation_id, ratings, reason, exclusion, outcome, exemption, decided_by, decided_at, record_seq)
    SELECT review_id, licence_id, licence_number, case_id, organisation_id, ratings, reason, exclusion, outcome, exemption, decided_by, decided_at, record_seq FROM review_items;
DROP TABLE review_items;
ALTER TABLE review_items_rebuilt RENAME TO review_items;
CREATE INDEX review_items_by_licence ON review_items (licence_id);
-- Notifications handed to a deployment's delivery hook (e-mail): when one was delivered, or
-- how often it failed, the last error and when to try again.
ALTER TABLE notifications ADD COLUMN delivered_at BIGINT;
ALTER TABLE notifications ADD COLUMN delivery_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN delivery_error TEXT;
ALTER TABLE notifications ADD COLUMN next_attempt_at BIGINT;
CREATE INDEX notifications_to_deliver ON notifications (created_at) WHERE delivered_at IS NULL;
