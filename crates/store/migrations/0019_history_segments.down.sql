-- Back to one row per licence row: the table comes back empty (SQL cannot read segments).
-- Import the files again after reverting; their runs stay recorded.
DROP INDEX historic_licence_segments_source;
DROP TABLE historic_licence_segments;
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
