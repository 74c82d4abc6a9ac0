-- The fingerprint of the advice set a final advice was consolidated from (requested teams and
-- every current piece of advice). Finalisation recomputes it from the current advice, inside its
-- own transaction, and refuses when they differ: a final advice never outlives the advice it
-- summarises. Final advice consolidated before this column existed has none and must be
-- consolidated again.
ALTER TABLE cases ADD COLUMN final_advice_fingerprint TEXT;
