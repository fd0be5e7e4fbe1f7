-- SQLite twin of migrations/postgres/0007_alexa_events.sql.
ALTER TABLE clients ADD COLUMN alexa_events_client_id TEXT;
ALTER TABLE clients ADD COLUMN alexa_events_secret TEXT;

CREATE TABLE alexa_grants (
    grant_id           TEXT PRIMARY KEY REFERENCES grants(id) ON DELETE CASCADE,
    region             TEXT NOT NULL,
    code_hash          TEXT NOT NULL,
    refresh_token      TEXT,
    access_token       TEXT,
    access_expires_at  INTEGER,
    created_at         INTEGER NOT NULL,
    refreshed_at       INTEGER,
    last_event_at      INTEGER,
    dropped_at         INTEGER,
    dropped_reason     TEXT
);

-- Revoking a link drops its Amazon grant (see the Postgres twin).
CREATE TRIGGER grants_revoked_drop_alexa_grant AFTER UPDATE OF revoked_at ON grants
    WHEN NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL
BEGIN
    UPDATE alexa_grants SET refresh_token = NULL, access_token = NULL, access_expires_at = NULL,
        dropped_at = NEW.revoked_at, dropped_reason = 'link revoked: ' || COALESCE(NEW.revoked_reason, '')
    WHERE grant_id = NEW.id AND dropped_at IS NULL;
END;
