-- Smart Home skills. A client's "Send Alexa Events" credentials (Alexa
-- developer console, Build -> Permissions); the secret is sealed when
-- LINKBROKER_SECRETS_KEY is set.
ALTER TABLE clients ADD COLUMN alexa_events_client_id TEXT;
ALTER TABLE clients ADD COLUMN alexa_events_secret TEXT;

-- The Amazon grant a user gave at AcceptGrant: at most one row per link,
-- replaced by a new AcceptGrant and gone with the link. Tokens are sealed.
-- A dropped grant keeps its row (tokens cleared) so admins see why.
CREATE TABLE alexa_grants (
    grant_id           TEXT PRIMARY KEY REFERENCES grants(id) ON DELETE CASCADE,
    region             TEXT NOT NULL,
    code_hash          TEXT NOT NULL,
    refresh_token      TEXT,
    access_token       TEXT,
    access_expires_at  BIGINT,
    created_at         BIGINT NOT NULL,
    refreshed_at       BIGINT,
    last_event_at      BIGINT,
    dropped_at         BIGINT,
    dropped_reason     TEXT
);

-- Revoking a link (by an admin, theft, a disabled skill, a deleted user or
-- client) drops its Amazon grant in the same statement: the tokens go, the
-- reason stays. Refresh rotations do not set revoked_at, so they never fire it.
CREATE FUNCTION drop_alexa_grant_of_revoked_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE alexa_grants SET refresh_token = NULL, access_token = NULL, access_expires_at = NULL,
        dropped_at = NEW.revoked_at, dropped_reason = 'link revoked: ' || COALESCE(NEW.revoked_reason, '')
    WHERE grant_id = NEW.id AND dropped_at IS NULL;
    RETURN NEW;
END $$;
CREATE TRIGGER grants_revoked_drop_alexa_grant AFTER UPDATE OF revoked_at ON grants
    FOR EACH ROW WHEN (NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL)
    EXECUTE FUNCTION drop_alexa_grant_of_revoked_link();
