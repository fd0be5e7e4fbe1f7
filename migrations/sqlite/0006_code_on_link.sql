-- SQLite twin of migrations/postgres/0006_code_on_link.sql.
ALTER TABLE grants ADD COLUMN code_hash TEXT;
UPDATE grants SET code_hash = (SELECT c.code_hash FROM authorization_codes c WHERE c.grant_id = grants.id);
CREATE UNIQUE INDEX grants_code_hash ON grants (code_hash);

-- PKCE `plain` only for clients registered to use it (see the Postgres twin).
ALTER TABLE clients ADD COLUMN allow_plain_pkce INTEGER NOT NULL DEFAULT 0;
