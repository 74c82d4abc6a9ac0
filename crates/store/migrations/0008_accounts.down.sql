DROP TABLE sign_in_throttle;
DROP INDEX api_tokens_by_user;
DROP INDEX api_tokens_by_id;
ALTER TABLE api_tokens DROP COLUMN use_recorded_day;
ALTER TABLE api_tokens DROP COLUMN last_used_at;
ALTER TABLE api_tokens DROP COLUMN expires_at;
ALTER TABLE api_tokens DROP COLUMN scope;
ALTER TABLE api_tokens DROP COLUMN id;
