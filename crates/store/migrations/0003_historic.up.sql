-- Imported historic licensing data (CAAT's UK licence data; issue 4). Kept apart from the
-- decisions made in Probity (decision_outbox); the analytics table reads both and tells them
-- apart by its `source` dimension. One dialect for SQLite and PostgreSQL: TEXT and BIGINT only.
-- Every insert is INSERT ... ON CONFLICT DO NOTHING, so importing the same files again adds
-- nothing.

-- One row per import attempt that wrote (a strict import that found errors writes nothing).
CREATE TABLE historic_import_runs (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    directory TEXT NOT NULL,
    -- SHA-256 over the sorted (file name, file bytes) of the files read.
    file_set_hash TEXT NOT NULL,
    files_json TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    strict BIGINT NOT NULL,
    value_rows_read BIGINT NOT NULL,
    rows_inserted BIGINT NOT NULL,
    criteria_inserted BIGINT NOT NULL,
    ratings_inserted BIGINT NOT NULL,
    records_rejected BIGINT NOT NULL,
    -- Anomaly counts by kind, as JSON: {"refused_without_value": 1234, ...}.
    anomalies_json TEXT NOT NULL
);
CREATE INDEX historic_import_runs_hash ON historic_import_runs (file_set_hash);

-- One row per (licence group, rating) as published. `source` names the release's id scheme
-- (caat-uk/licence_group or caat-uk/licence_cohort: ids are renumbered between releases).
-- `occurrence` numbers repeated (group, rating) rows so none is dropped.
CREATE TABLE historic_licence_rows (
    source TEXT NOT NULL,
    licence_group BIGINT NOT NULL,
    rating TEXT NOT NULL,
    occurrence BIGINT NOT NULL,
    line BIGINT NOT NULL,
    decided_on TEXT NOT NULL,
    destination TEXT NOT NULL,
    iso2 TEXT NOT NULL,
    refused BIGINT NOT NULL,
    value_gbp BIGINT,
    licence_count BIGINT,
    rating_as_published TEXT,
    outlier BIGINT NOT NULL,
    import_run TEXT NOT NULL REFERENCES historic_import_runs (id),
    PRIMARY KEY (source, licence_group, rating, occurrence)
);

-- Refusal criteria cited per licence group, de-duplicated.
CREATE TABLE historic_refusal_criteria (
    source TEXT NOT NULL,
    licence_group BIGINT NOT NULL,
    criterion TEXT NOT NULL,
    import_run TEXT NOT NULL REFERENCES historic_import_runs (id),
    PRIMARY KEY (source, licence_group, criterion)
);

-- Criterion descriptions as published.
CREATE TABLE historic_criteria (
    code TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    import_run TEXT NOT NULL REFERENCES historic_import_runs (id)
);

-- Rating definitions as published (ratings.csv), first definition kept.
CREATE TABLE historic_ratings (
    code TEXT PRIMARY KEY,
    military BIGINT NOT NULL,
    kind TEXT NOT NULL,
    short_description TEXT NOT NULL,
    full_description TEXT NOT NULL,
    import_run TEXT NOT NULL REFERENCES historic_import_runs (id)
);
