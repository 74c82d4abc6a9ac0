DROP INDEX decision_outbox_queue;
CREATE INDEX decision_outbox_unpublished ON decision_outbox (published_at, seq);
