-- SQLite twin of migrations/postgres/0009_amazon_refresh_safety.sql.
ALTER TABLE alexa_grants ADD COLUMN refresh_hash TEXT;
ALTER TABLE alexa_grants ADD COLUMN refreshing_until INTEGER;

DROP TRIGGER grants_revoked_drop_alexa_grant;
CREATE TRIGGER grants_revoked_drop_alexa_grant AFTER UPDATE OF revoked_at ON grants
    WHEN NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL
BEGIN
    UPDATE alexa_grants SET refresh_token = NULL, refresh_hash = NULL, access_token = NULL,
        access_expires_at = NULL, refreshing_until = NULL,
        dropped_at = NEW.revoked_at, dropped_reason = 'link revoked: ' || COALESCE(NEW.revoked_reason, '')
    WHERE grant_id = NEW.id AND dropped_at IS NULL;
END;
