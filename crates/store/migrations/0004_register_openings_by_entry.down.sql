CREATE TABLE register_openings (
    entry_idx BIGINT NOT NULL REFERENCES register_entries (idx),
    field TEXT NOT NULL,
    salt TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (entry_idx, field)
);
INSERT INTO register_openings (entry_idx, field, salt, value)
SELECT entry_idx, 'exporter', exporter_salt, exporter FROM register_entry_openings
UNION ALL SELECT entry_idx, 'consignee', consignee_salt, consignee FROM register_entry_openings
UNION ALL SELECT entry_idx, 'end_user', end_user_salt, end_user FROM register_entry_openings
UNION ALL SELECT entry_idx, 'goods_description', goods_description_salt, goods_description FROM register_entry_openings
UNION ALL SELECT entry_idx, 'quantity', quantity_salt, quantity FROM register_entry_openings;
DROP TABLE register_entry_openings;
