DROP TABLE screening_runs;
DROP INDEX screening_matches_by_case;
DROP TABLE screening_matches;
DROP TABLE screening_list_changes;
DROP TABLE screening_entries;
DROP TABLE screening_list_versions;
DROP INDEX cases_by_outcome;
