-- SQLite twin of migrations/postgres/0010_code_spent_reason.sql.
ALTER TABLE authorization_codes ADD COLUMN spent_reason TEXT;
