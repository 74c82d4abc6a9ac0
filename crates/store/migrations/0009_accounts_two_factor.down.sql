DROP INDEX pending_sign_ins_by_user;
DROP TABLE pending_sign_ins;
DROP TABLE recovery_codes;
DROP TABLE user_totp;
