-- API tokens get an id (to name them in lists and URLs), a scope, an expiry and the time they
-- were last used; `use_recorded_day` is the UTC day (days since 1970-01-01) of the newest
-- `api_token.use` audit event, so that event is written once per token per day.
ALTER TABLE api_tokens ADD COLUMN id TEXT;
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'read_write';
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN use_recorded_day BIGINT;
-- Tokens made before scopes existed keep what they could do (read and write) and expire 90
-- days after they were made; their id is their hash's first 128 bits, shaped as a UUID.
UPDATE api_tokens SET
    id = substr(token_hash, 1, 8) || '-' || substr(token_hash, 9, 4) || '-' || substr(token_hash, 13, 4)
        || '-' || substr(token_hash, 17, 4) || '-' || substr(token_hash, 21, 12),
    expires_at = created_at + 7776000000000;
CREATE UNIQUE INDEX api_tokens_by_id ON api_tokens (id);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

-- Sign-in and bearer-token throttling, shared by every web process. One row per key:
-- "account:<SHA-256 of the email typed>", "address:<client address>" or
-- "token-address:<client address>".
CREATE TABLE sign_in_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    locks BIGINT NOT NULL,
    last_failure_at BIGINT,
    locked_until BIGINT,
    lock_refusal_recorded BIGINT NOT NULL DEFAULT 0
);
