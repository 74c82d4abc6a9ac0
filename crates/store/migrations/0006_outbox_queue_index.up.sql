-- The sequencer's queue: only unpublished outbox rows, in order. A partial index, so marking
-- a row published removes it rather than adding an entry (one index write fewer per row
-- appended), and "unpublished, oldest first" is an ordered scan of just the queue.
DROP INDEX decision_outbox_unpublished;
CREATE INDEX decision_outbox_queue ON decision_outbox (seq) WHERE published_at IS NULL;
