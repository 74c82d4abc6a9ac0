DROP TABLE historic_ratings;
DROP TABLE historic_criteria;
DROP TABLE historic_refusal_criteria;
DROP TABLE historic_licence_rows;
DROP INDEX historic_import_runs_hash;
DROP TABLE historic_import_runs;
