DROP INDEX decision_outbox_register_index;
UPDATE decision_outbox SET published_at = NULL, register_index = NULL;
DROP TABLE register_openings;
DROP TABLE register_checkpoints;
DROP TABLE register_hashes;
DROP TABLE register_entries;
DROP TABLE register_lock;
