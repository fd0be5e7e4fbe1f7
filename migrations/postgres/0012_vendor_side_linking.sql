-- Linking from the vendor's side (docs/app-to-app.md): the account page,
-- app-to-app linking from the website, and unlinks that reach Alexa.

-- How a link was made: 'alexa' (a platform's browser flow), 'app'
-- (app-to-app from the vendor's website), 'google' (Streamlined Linking).
ALTER TABLE grants ADD COLUMN made_by TEXT NOT NULL DEFAULT 'alexa'
    CHECK (made_by IN ('alexa', 'app', 'google'));
-- A code minted for app-to-app says so; the link it makes inherits it.
ALTER TABLE authorization_codes ADD COLUMN made_by TEXT;

-- A client's app-to-app settings: its skill, the stage users enable, and the
-- skill's Alexa Client Id and Secret (the secret sealed and write-only).
ALTER TABLE clients ADD COLUMN alexa_app_skill_id TEXT;
ALTER TABLE clients ADD COLUMN alexa_app_stage TEXT CHECK (alexa_app_stage IN ('live', 'development'));
ALTER TABLE clients ADD COLUMN alexa_app_client_id TEXT;
ALTER TABLE clients ADD COLUMN alexa_app_secret TEXT;

-- The end user's sessions on /account (the cookie holds the secret; this its
-- hash). They end after 12 hours or at logout.
CREATE TABLE account_sessions (
    session_hash  TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX account_sessions_user ON account_sessions (user_id);
CREATE INDEX account_sessions_expires ON account_sessions (expires_at);

-- Account sign-ins in flight, between /account/login and the upstream's
-- return to /oauth/callback (bound to the browser, like authorizations).
CREATE TABLE account_sign_ins (
    upstream_state_hash     TEXT PRIMARY KEY,
    browser_hash            TEXT NOT NULL,
    upstream_pkce_verifier  TEXT NOT NULL,
    ui_locale               TEXT,
    created_at              BIGINT NOT NULL,
    expires_at              BIGINT NOT NULL
);
CREATE INDEX account_sign_ins_expires ON account_sign_ins (expires_at);

-- "Link with Alexa" in flight, between the account page and Amazon's
-- return to /account/alexa/callback: bound to the session, single use.
CREATE TABLE alexa_app_attempts (
    state_hash     TEXT PRIMARY KEY,
    session_hash   TEXT NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id      TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    code_verifier  TEXT NOT NULL,              -- PKCE, sealed
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);
CREATE INDEX alexa_app_attempts_expires ON alexa_app_attempts (expires_at);

-- A link made app-to-app: the user's Amazon token (scope
-- alexa::skills:account_linking, sealed) and the Alexa API host that
-- enabled the skill, kept to ask Alexa about the link and to unlink it.
CREATE TABLE alexa_app_links (
    grant_id           TEXT PRIMARY KEY REFERENCES grants(id) ON DELETE CASCADE,
    endpoint           TEXT NOT NULL,
    refresh_token      TEXT,
    access_token       TEXT,
    access_expires_at  BIGINT,
    created_at         BIGINT NOT NULL,
    dropped_at         BIGINT,
    dropped_reason     TEXT
);

-- Unlinks to tell Alexa (DELETE .../enablement): written in the statement
-- that ends the link (the trigger below), delivered by a worker that any
-- instance runs (a lease per row), retried with backoff for 24 hours. A row
-- holds all it needs, because the link and the client may be gone by then:
-- the sealed values are copies, opened under their original purposes.
CREATE TABLE alexa_unlinks (
    id                   TEXT PRIMARY KEY,     -- the link's id: a link ends once
    user_id              TEXT NOT NULL,
    client_id            TEXT NOT NULL,
    skill_id             TEXT NOT NULL,
    endpoint             TEXT NOT NULL,
    alexa_client_id      TEXT NOT NULL,
    alexa_client_secret  TEXT NOT NULL,
    refresh_token        TEXT NOT NULL,
    access_token         TEXT,
    access_expires_at    BIGINT,
    reason               TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    attempts             BIGINT NOT NULL DEFAULT 0,
    next_attempt_at      BIGINT NOT NULL,
    lease_until          BIGINT,
    finished_at          BIGINT,
    outcome              TEXT,                 -- delivered | already_gone | abandoned
    last_error           TEXT
);
CREATE INDEX alexa_unlinks_due ON alexa_unlinks (next_attempt_at) WHERE finished_at IS NULL;
CREATE INDEX alexa_unlinks_user ON alexa_unlinks (user_id);

-- Ending a link queues its unlink (if it was made app-to-app and its Amazon
-- token is still held) and drops the token, in the same statement.
CREATE FUNCTION queue_alexa_unlink_of_revoked_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO alexa_unlinks (id, user_id, client_id, skill_id, endpoint, alexa_client_id, alexa_client_secret,
        refresh_token, access_token, access_expires_at, reason, created_at, next_attempt_at)
    SELECT NEW.id, NEW.user_id, NEW.client_id, c.alexa_app_skill_id, a.endpoint, c.alexa_app_client_id,
        c.alexa_app_secret, a.refresh_token, a.access_token, a.access_expires_at,
        COALESCE(NEW.revoked_reason, 'revoked'), NEW.revoked_at, NEW.revoked_at
    FROM alexa_app_links a JOIN clients c ON c.id = NEW.client_id
    WHERE a.grant_id = NEW.id AND a.refresh_token IS NOT NULL AND a.dropped_at IS NULL
        AND c.alexa_app_skill_id IS NOT NULL AND c.alexa_app_client_id IS NOT NULL AND c.alexa_app_secret IS NOT NULL
    ON CONFLICT (id) DO NOTHING;
    UPDATE alexa_app_links SET refresh_token = NULL, access_token = NULL, access_expires_at = NULL,
        dropped_at = NEW.revoked_at, dropped_reason = 'link revoked: ' || COALESCE(NEW.revoked_reason, '')
    WHERE grant_id = NEW.id AND dropped_at IS NULL;
    RETURN NEW;
END $$;
CREATE TRIGGER grants_revoked_queue_alexa_unlink AFTER UPDATE OF revoked_at ON grants
    FOR EACH ROW WHEN (NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL)
    EXECUTE FUNCTION queue_alexa_unlink_of_revoked_link();
