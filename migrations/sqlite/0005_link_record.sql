-- SQLite twin of migrations/postgres/0005_link_record.sql: one record per
-- link (see that file for what each column means).
ALTER TABLE grants ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE grants ADD COLUMN current_hash TEXT;
ALTER TABLE grants ADD COLUMN current_alt_hash TEXT;
ALTER TABLE grants ADD COLUMN previous_hash TEXT;
ALTER TABLE grants ADD COLUMN older_hash TEXT;
ALTER TABLE grants ADD COLUMN rotated_at INTEGER;
ALTER TABLE grants ADD COLUMN access_min_generation INTEGER NOT NULL DEFAULT 0;

CREATE TABLE legacy_tokens (
    token_hash  TEXT PRIMARY KEY,
    grant_id    TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,                   -- 'refresh' | 'access'
    generation  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL                 -- access tokens; 0 for refresh
);
CREATE INDEX legacy_tokens_grant ON legacy_tokens (grant_id);

UPDATE grants SET generation = 2, current_hash = (
    SELECT r.token_hash FROM refresh_tokens r WHERE r.grant_id = grants.id AND r.rotated_at IS NULL
    AND r.expires_at > CAST(strftime('%s', 'now') AS INTEGER) ORDER BY r.expires_at DESC, r.created_at DESC LIMIT 1);
-- The first schema's expiry was per token (last use + the TTL, one year by
-- default); the link's last use is set so that it expires no sooner.
UPDATE grants SET last_used_at = MAX(last_used_at, MIN(CAST(strftime('%s', 'now') AS INTEGER), (
    SELECT MAX(r.expires_at) FROM refresh_tokens r WHERE r.grant_id = grants.id AND r.rotated_at IS NULL) - 31536000))
    WHERE current_hash IS NOT NULL;
UPDATE grants SET
    previous_hash = (SELECT p.token_hash FROM refresh_tokens p WHERE p.grant_id = grants.id AND p.successor_hash = grants.current_hash),
    rotated_at = (SELECT p.rotated_at FROM refresh_tokens p WHERE p.grant_id = grants.id AND p.successor_hash = grants.current_hash);
UPDATE grants SET
    older_hash = (SELECT o.token_hash FROM refresh_tokens o WHERE o.grant_id = grants.id AND o.successor_hash = grants.previous_hash);
INSERT OR IGNORE INTO legacy_tokens (token_hash, grant_id, kind, generation, expires_at)
    SELECT current_hash, id, 'refresh', 2, 0 FROM grants WHERE current_hash IS NOT NULL
    UNION ALL SELECT previous_hash, id, 'refresh', 1, 0 FROM grants WHERE previous_hash IS NOT NULL
    UNION ALL SELECT older_hash, id, 'refresh', 0, 0 FROM grants WHERE older_hash IS NOT NULL;
-- Opaque access tokens only (see the Postgres twin).
INSERT OR IGNORE INTO legacy_tokens (token_hash, grant_id, kind, generation, expires_at)
    SELECT a.token_hash, a.grant_id, 'access', 2, a.expires_at FROM access_tokens a
    JOIN grants g ON g.id = a.grant_id JOIN clients c ON c.id = g.client_id
    WHERE a.revoked_at IS NULL AND c.token_format <> 'jwt';
UPDATE grants SET access_min_generation = 1 WHERE id IN (SELECT a.grant_id FROM access_tokens a
    JOIN grants g ON g.id = a.grant_id JOIN clients c ON c.id = g.client_id
    WHERE a.revoked_at IS NOT NULL AND c.token_format = 'jwt');

DROP TABLE access_tokens;
DROP TABLE refresh_tokens;

-- users.last_active_at is kept to the day (see the Postgres twin).
DROP TRIGGER grants_touch_user_update;
CREATE TRIGGER grants_touch_user_update AFTER UPDATE OF last_used_at ON grants BEGIN
    UPDATE users SET last_active_at = NEW.last_used_at WHERE id = NEW.user_id AND last_active_at < NEW.last_used_at - 86400;
END;
