-- linkbroker schema. Times are Unix seconds (BIGINT) so the same SQL runs on
-- SQLite and Postgres; flags are 0/1 integers for the same reason.
-- Secrets (client secrets, codes, tokens) are stored only as hex SHA-256.

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    email       TEXT NOT NULL UNIQUE,          -- normalized: trimmed, lowercased
    name        TEXT NOT NULL DEFAULT '',
    disabled    BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE user_permissions (
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    permission  TEXT NOT NULL,
    granted_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, permission)
);

-- An upstream account (e.g. ("lwa", "amzn1.account...")) belongs to one user;
-- a user has at most one identity per provider ("Who is who" in SPEC.md).
CREATE TABLE upstream_identities (
    provider       TEXT NOT NULL,
    subject        TEXT NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    email          TEXT NOT NULL DEFAULT '',   -- as the provider last reported it
    name           TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    last_login_at  BIGINT NOT NULL,
    PRIMARY KEY (provider, subject),
    UNIQUE (user_id, provider)
);

CREATE TABLE clients (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    secret_hash   TEXT NOT NULL,
    scopes        TEXT NOT NULL DEFAULT '',     -- allowed scopes, space-separated
    skip_consent  BIGINT NOT NULL DEFAULT 0,
    token_format  TEXT NOT NULL DEFAULT 'opaque',  -- 'opaque' | 'jwt'
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE client_redirect_uris (
    client_id  TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    uri        TEXT NOT NULL,                  -- compared byte-for-byte
    position   BIGINT NOT NULL,
    PRIMARY KEY (client_id, uri)
);

-- An authorize request waiting for the upstream login and the consent. It is
-- bound to the browser that started it by browser_hash (hash of a cookie), so
-- a login begun in one browser cannot be finished in another.
CREATE TABLE pending_authorizations (
    id                     TEXT PRIMARY KEY,        -- hash of the handle in URLs
    browser_hash           TEXT NOT NULL,
    upstream_state_hash    TEXT UNIQUE,             -- our state at the upstream; NULL once used
    upstream_pkce_verifier TEXT NOT NULL,
    client_id              TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    redirect_uri           TEXT NOT NULL,
    scope                  TEXT NOT NULL,
    state                  TEXT,                    -- the client's, returned verbatim
    code_challenge         TEXT,
    code_challenge_method  TEXT,
    user_id                TEXT REFERENCES users(id) ON DELETE CASCADE,  -- set after login
    upstream_email         TEXT,
    upstream_name          TEXT,
    csrf_hash              TEXT,
    created_at             BIGINT NOT NULL,
    expires_at             BIGINT NOT NULL
);
CREATE INDEX pending_authorizations_expires ON pending_authorizations (expires_at);

-- What a user agreed to share with a client; consent is not asked again for
-- scopes inside it.
CREATE TABLE consents (
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id   TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    scope       TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, client_id)
);

-- A grant is one account link: one user, one client, one chain of tokens.
CREATE TABLE grants (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id       TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    scope           TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    last_used_at    BIGINT NOT NULL,
    revoked_at      BIGINT,
    revoked_reason  TEXT,
    alexa_user_id   TEXT
);
CREATE INDEX grants_user ON grants (user_id);
CREATE INDEX grants_client ON grants (client_id);

-- RFC 6749 §4.1.2: single use. Redeemed codes stay until they expire so a
-- replay can be recognized and the link it created revoked.
CREATE TABLE authorization_codes (
    code_hash              TEXT PRIMARY KEY,
    client_id              TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    user_id                TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    redirect_uri           TEXT NOT NULL,
    scope                  TEXT NOT NULL,
    code_challenge         TEXT,
    code_challenge_method  TEXT,
    created_at             BIGINT NOT NULL,
    expires_at             BIGINT NOT NULL,
    redeemed_at            BIGINT,
    grant_id               TEXT
);
CREATE INDEX authorization_codes_expires ON authorization_codes (expires_at);

-- Refresh tokens form a chain per grant. A rotated token remembers the hash of
-- its successor so retries can be recognized (SPEC.md "Refresh tokens").
CREATE TABLE refresh_tokens (
    token_hash      TEXT PRIMARY KEY,
    grant_id        TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,             -- sliding: last use + REFRESH_TOKEN_TTL
    rotated_at      BIGINT,
    successor_hash  TEXT
);
CREATE INDEX refresh_tokens_grant ON refresh_tokens (grant_id);

CREATE TABLE access_tokens (
    token_hash  TEXT PRIMARY KEY,
    grant_id    TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    scope       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX access_tokens_grant ON access_tokens (grant_id);
CREATE INDEX access_tokens_expires ON access_tokens (expires_at);

-- JWT signing keys, shared by every instance. retired_at: no longer used to
-- sign, still published until tokens it signed have expired.
CREATE TABLE signing_keys (
    kid          TEXT PRIMARY KEY,
    algorithm    TEXT NOT NULL,
    private_der  TEXT NOT NULL,                  -- base64 PKCS#8
    public_jwk   TEXT NOT NULL,                  -- JSON
    created_at   BIGINT NOT NULL,
    retired_at   BIGINT
);

-- Per-deployment secrets generated on first start (e.g. the key that derives
-- refresh-token successors).
CREATE TABLE server_secrets (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE admins (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,                -- argon2id PHC string
    created_at     BIGINT NOT NULL
);

CREATE TABLE audit_log (
    id       TEXT PRIMARY KEY,
    at       BIGINT NOT NULL,
    actor    TEXT NOT NULL,                      -- 'system', 'admin:<email>', 'client:<id>', 'user:<id>'
    action   TEXT NOT NULL,
    target   TEXT NOT NULL DEFAULT '',
    detail   TEXT NOT NULL DEFAULT '{}'          -- JSON, never a secret
);
CREATE INDEX audit_log_at ON audit_log (at);
