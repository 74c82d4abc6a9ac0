-- Probity's own denials list is the parties of refused cases: found through this index.
CREATE INDEX cases_by_outcome ON cases (outcome, finalised_at);

-- Sanctions and denial lists, one row per loaded version; the newest version of each list
-- is the one screened against.
CREATE TABLE screening_list_versions (
    id TEXT PRIMARY KEY,
    -- The list's short name: uk-hmt, un, ofac-sdn, or a custom name.
    list TEXT NOT NULL,
    version BIGINT NOT NULL,
    -- Where it came from: the file name given on load.
    source TEXT NOT NULL,
    -- The list's own date (generated / last updated), when it says.
    published TEXT,
    file_sha256 TEXT NOT NULL,
    entry_count BIGINT NOT NULL,
    -- What this version changed from the one before (all added for a first version).
    added_count BIGINT NOT NULL,
    changed_count BIGINT NOT NULL,
    removed_count BIGINT NOT NULL,
    -- Lines skipped with --skip-bad, one "line N: reason" per line.
    skipped TEXT NOT NULL,
    loaded_at BIGINT NOT NULL,
    -- The user who uploaded it; NULL when loaded from the command line.
    loaded_by TEXT REFERENCES users (id),
    UNIQUE (list, version)
);

-- Entries of a version, with the source's own id and the parsed entry as JSON.
CREATE TABLE screening_entries (
    version_id TEXT NOT NULL REFERENCES screening_list_versions (id),
    entry_id TEXT NOT NULL,
    primary_name TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    entry_json TEXT NOT NULL,
    PRIMARY KEY (version_id, entry_id)
);

-- What a new version added, changed and removed, by entry id.
CREATE TABLE screening_list_changes (
    version_id TEXT NOT NULL REFERENCES screening_list_versions (id),
    entry_id TEXT NOT NULL,
    change TEXT NOT NULL CHECK (change IN ('added', 'changed', 'removed')),
    PRIMARY KEY (version_id, entry_id)
);

-- A possible match of a party (of a case, or of a licence's case) with a listed entry.
-- One row per party and entry: a re-screen updates the score, never the resolution.
CREATE TABLE screening_matches (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    party_id TEXT NOT NULL REFERENCES parties (id),
    list TEXT NOT NULL,
    version_id TEXT NOT NULL REFERENCES screening_list_versions (id),
    entry_id TEXT NOT NULL,
    matched_name TEXT NOT NULL,
    -- Hundredths: 0 to 100.
    score BIGINT NOT NULL,
    explanation TEXT NOT NULL,
    found_at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('unresolved', 'true_match', 'false_positive')),
    resolved_by TEXT REFERENCES users (id),
    resolved_at BIGINT,
    reason TEXT,
    UNIQUE (party_id, list, entry_id)
);
CREATE INDEX screening_matches_by_case ON screening_matches (case_id, status);

-- A screening pass: at submission (one case) or after a list update (every open case and
-- extant licence), with its progress.
CREATE TABLE screening_runs (
    id TEXT PRIMARY KEY,
    reason TEXT NOT NULL CHECK (reason IN ('submission', 'list_update', 'manual')),
    version_id TEXT REFERENCES screening_list_versions (id),
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    parties_total BIGINT NOT NULL,
    parties_done BIGINT NOT NULL,
    matches_found BIGINT NOT NULL,
    review_items BIGINT NOT NULL DEFAULT 0
);
