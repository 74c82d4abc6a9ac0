-- The imported licence rows, in segments of up to 65,536 rows each (the format is
-- store::history_segment's, version in its magic): five million published rows were ~1 GB of
-- table, index and WAL as one row each, and could not be written at the speed of the engines
-- (issue 14). `seq` orders a run's segments. The rows already stored as rows are moved into
-- segments by this migration's data step (store::history_rows_moved), which then drops
-- historic_licence_rows, in this migration's transaction.
CREATE TABLE historic_licence_segments (
    import_run TEXT NOT NULL REFERENCES historic_import_runs (id),
    seq BIGINT NOT NULL,
    source TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    content BYTEA NOT NULL,
    PRIMARY KEY (import_run, seq)
);
CREATE INDEX historic_licence_segments_source ON historic_licence_segments (source);
