-- SQLite twin of migrations/postgres/0011_access_revoked_at.sql.
ALTER TABLE grants ADD COLUMN access_revoked_at INTEGER;
