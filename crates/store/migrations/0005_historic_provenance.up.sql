-- The rest of CAAT's published files (issue 4): incorporation destinations, trade sources and
-- footnotes. Keyed like historic_licence_rows: by `source` (the release's id scheme, since ids
-- are renumbered between releases) and the file's own ids. `occurrence` / `ordinal` number
-- repeats within a key so that no published row is dropped. One dialect: TEXT and BIGINT only.

-- destinations.csv / incorporation-destinations.csv: onward destinations for incorporation.
CREATE TABLE historic_incorporation_destinations (
    source TEXT NOT NULL,
    licence_group BIGINT NOT NULL,
    destination TEXT NOT NULL,
    occurrence BIGINT NOT NULL,
    -- The mapping's code (else the file's iso2 if known, else ZZ); the file's own iso2 as published.
    iso2 TEXT NOT NULL,
    iso2_as_published TEXT,
    line BIGINT NOT NULL,
    import_run TEXT NOT NULL REFERENCES historic_import_runs (id),
    PRIMARY KEY (source, licence_group, destination, occurrence)
);

-- sources.csv / trade-sources.csv: source countries of transit or trade items. Rows name a
-- licence group, a licence, or both; `ref_key` spells out which ("group 20", "licence 7").
CREATE TABLE historic_trade_sources (
    source TEXT NOT NULL,
    ref_key TEXT NOT NULL,
    country TEXT NOT NULL,
    occurrence BIGINT NOT NULL,
    licence_group BIGINT,
    licence_id BIGINT,
    iso2 TEXT NOT NULL,
    iso2_as_published TEXT,
    licence_count BIGINT,
    line BIGINT NOT NULL,
    import_run TEXT NOT NULL REFERENCES historic_import_runs (id),
    PRIMARY KEY (source, ref_key, country, occurrence)
);

-- footnotes_licence.csv / footnotes-licence.csv, in file order within each group.
CREATE TABLE historic_licence_footnotes (
    source TEXT NOT NULL,
    licence_group BIGINT NOT NULL,
    ordinal BIGINT NOT NULL,
    licence_id BIGINT,
    note TEXT NOT NULL,
    line BIGINT NOT NULL,
    import_run TEXT NOT NULL REFERENCES historic_import_runs (id),
    PRIMARY KEY (source, licence_group, ordinal)
);

-- footnotes_region.csv / footnotes-region.csv: embargo and sanctions notes per destination,
-- in file order within each name.
CREATE TABLE historic_region_footnotes (
    source TEXT NOT NULL,
    name TEXT NOT NULL,
    ordinal BIGINT NOT NULL,
    iso2 TEXT NOT NULL,
    note TEXT NOT NULL,
    line BIGINT NOT NULL,
    import_run TEXT NOT NULL REFERENCES historic_import_runs (id),
    PRIMARY KEY (source, name, ordinal)
);
