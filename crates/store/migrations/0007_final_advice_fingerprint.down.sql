ALTER TABLE cases DROP COLUMN final_advice_fingerprint;
