-- SQLite twin of migrations/postgres/0012_vendor_side_linking.sql.
ALTER TABLE grants ADD COLUMN made_by TEXT NOT NULL DEFAULT 'alexa'
    CHECK (made_by IN ('alexa', 'app', 'google'));
ALTER TABLE authorization_codes ADD COLUMN made_by TEXT;

ALTER TABLE clients ADD COLUMN alexa_app_skill_id TEXT;
ALTER TABLE clients ADD COLUMN alexa_app_stage TEXT CHECK (alexa_app_stage IN ('live', 'development'));
ALTER TABLE clients ADD COLUMN alexa_app_client_id TEXT;
ALTER TABLE clients ADD COLUMN alexa_app_secret TEXT;

CREATE TABLE account_sessions (
    session_hash  TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX account_sessions_user ON account_sessions (user_id);
CREATE INDEX account_sessions_expires ON account_sessions (expires_at);

CREATE TABLE account_sign_ins (
    upstream_state_hash     TEXT PRIMARY KEY,
    browser_hash            TEXT NOT NULL,
    upstream_pkce_verifier  TEXT NOT NULL,
    ui_locale               TEXT,
    created_at              INTEGER NOT NULL,
    expires_at              INTEGER NOT NULL
);
CREATE INDEX account_sign_ins_expires ON account_sign_ins (expires_at);

CREATE TABLE alexa_app_attempts (
    state_hash     TEXT PRIMARY KEY,
    session_hash   TEXT NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id      TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    code_verifier  TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
);
CREATE INDEX alexa_app_attempts_expires ON alexa_app_attempts (expires_at);

CREATE TABLE alexa_app_links (
    grant_id           TEXT PRIMARY KEY REFERENCES grants(id) ON DELETE CASCADE,
    endpoint           TEXT NOT NULL,
    refresh_token      TEXT,
    access_token       TEXT,
    access_expires_at  INTEGER,
    created_at         INTEGER NOT NULL,
    dropped_at         INTEGER,
    dropped_reason     TEXT
);

CREATE TABLE alexa_unlinks (
    id                   TEXT PRIMARY KEY,
    user_id              TEXT NOT NULL,
    client_id            TEXT NOT NULL,
    skill_id             TEXT NOT NULL,
    endpoint             TEXT NOT NULL,
    alexa_client_id      TEXT NOT NULL,
    alexa_client_secret  TEXT NOT NULL,
    refresh_token        TEXT NOT NULL,
    access_token         TEXT,
    access_expires_at    INTEGER,
    reason               TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    attempts             INTEGER NOT NULL DEFAULT 0,
    next_attempt_at      INTEGER NOT NULL,
    lease_until          INTEGER,
    finished_at          INTEGER,
    outcome              TEXT,
    last_error           TEXT
);
CREATE INDEX alexa_unlinks_due ON alexa_unlinks (next_attempt_at) WHERE finished_at IS NULL;
CREATE INDEX alexa_unlinks_user ON alexa_unlinks (user_id);

CREATE TRIGGER grants_revoked_queue_alexa_unlink AFTER UPDATE OF revoked_at ON grants
    WHEN NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL
BEGIN
    INSERT OR IGNORE INTO alexa_unlinks (id, user_id, client_id, skill_id, endpoint, alexa_client_id,
        alexa_client_secret, refresh_token, access_token, access_expires_at, reason, created_at, next_attempt_at)
    SELECT NEW.id, NEW.user_id, NEW.client_id, c.alexa_app_skill_id, a.endpoint, c.alexa_app_client_id,
        c.alexa_app_secret, a.refresh_token, a.access_token, a.access_expires_at,
        COALESCE(NEW.revoked_reason, 'revoked'), NEW.revoked_at, NEW.revoked_at
    FROM alexa_app_links a JOIN clients c ON c.id = NEW.client_id
    WHERE a.grant_id = NEW.id AND a.refresh_token IS NOT NULL AND a.dropped_at IS NULL
        AND c.alexa_app_skill_id IS NOT NULL AND c.alexa_app_client_id IS NOT NULL AND c.alexa_app_secret IS NOT NULL;
    UPDATE alexa_app_links SET refresh_token = NULL, access_token = NULL, access_expires_at = NULL,
        dropped_at = NEW.revoked_at, dropped_reason = 'link revoked: ' || COALESCE(NEW.revoked_reason, '')
    WHERE grant_id = NEW.id AND dropped_at IS NULL;
END;
