-- Two-factor sign-in (RFC 6238 TOTP) for staff accounts.
-- One authenticator per user. `confirmed_at` is NULL until the user has entered a code from
-- it; `last_step` is the newest time step accepted, so a code cannot be used twice.
CREATE TABLE user_totp (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    secret_base32 TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    last_step BIGINT
);

-- One-time recovery codes, stored as SHA-256 of a high-entropy code; used_at marks a spent one.
CREATE TABLE recovery_codes (
    user_id TEXT NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- A password accepted, the second factor still to come: not a session. The token (a cookie
-- scoped to /login) is stored as SHA-256; it expires within minutes and is deleted on use.
CREATE TABLE pending_sign_ins (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX pending_sign_ins_by_user ON pending_sign_ins (user_id);
