-- SQLite twin of migrations/postgres/0004_admin.sql (INTEGER is 64-bit here).
-- The admin side: server-side sessions, login throttling, and what the users
-- list needs to stay fast (keyset indexes and a last-activity column).

-- A logged-in admin. The cookie holds a random 256-bit value; only its SHA-256
-- is stored, so a database leak does not hand out sessions. Any instance can
-- serve any admin because the session lives here, not in memory.
CREATE TABLE admin_sessions (
    session_hash  TEXT PRIMARY KEY,
    admin_id      TEXT NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
    admin_email   TEXT NOT NULL,
    created_at    INTEGER NOT NULL,              -- absolute expiry counts from here
    last_seen_at  INTEGER NOT NULL               -- idle expiry counts from here
);
CREATE INDEX admin_sessions_admin ON admin_sessions (admin_id);

-- Failed admin logins per key ('email:<normalized>' or 'ip:<address>'), in the
-- database so the limit holds across instances. Counts decay after an hour
-- without failures.
CREATE TABLE login_throttle (
    key           TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    locked_until  INTEGER NOT NULL DEFAULT 0,
    updated_at    INTEGER NOT NULL
);
-- Rows quiet for longer than the decay are purged on every failure, so a
-- flood of made-up emails cannot grow the table without bound.
CREATE INDEX login_throttle_updated ON login_throttle (updated_at);

-- Last activity (a login upstream or a token refresh; 0 = never), kept by triggers so the
-- token path needs no extra code and the users list can sort on an index.
ALTER TABLE users ADD COLUMN last_active_at INTEGER NOT NULL DEFAULT 0;
UPDATE users SET last_active_at = MAX(created_at,
    COALESCE((SELECT MAX(last_used_at) FROM grants WHERE grants.user_id = users.id), 0),
    COALESCE((SELECT MAX(last_login_at) FROM upstream_identities i WHERE i.user_id = users.id), 0));

CREATE TRIGGER grants_touch_user_insert AFTER INSERT ON grants BEGIN
    UPDATE users SET last_active_at = NEW.last_used_at WHERE id = NEW.user_id AND last_active_at < NEW.last_used_at;
END;
CREATE TRIGGER grants_touch_user_update AFTER UPDATE OF last_used_at ON grants BEGIN
    UPDATE users SET last_active_at = NEW.last_used_at WHERE id = NEW.user_id AND last_active_at < NEW.last_used_at;
END;
CREATE TRIGGER identities_touch_user_insert AFTER INSERT ON upstream_identities BEGIN
    UPDATE users SET last_active_at = NEW.last_login_at WHERE id = NEW.user_id AND last_active_at < NEW.last_login_at;
END;
CREATE TRIGGER identities_touch_user AFTER UPDATE OF last_login_at ON upstream_identities BEGIN
    UPDATE users SET last_active_at = NEW.last_login_at WHERE id = NEW.user_id AND last_active_at < NEW.last_login_at;
END;

-- Keyset pagination of the users list, newest first or most recently active
-- first; the id breaks ties so pages never skip or repeat a row.
CREATE INDEX users_created ON users (created_at, id);
CREATE INDEX users_last_active ON users (last_active_at, id);

-- Admin API tokens for /admin/api/: random 256-bit values shown once, stored
-- only as SHA-256. Revoked tokens stay listed (revoked_at) for the record.
CREATE TABLE admin_api_tokens (
    token_hash    TEXT PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,           -- public handle for listing and revoking
    admin_id      TEXT NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
    name          TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    revoked_at    INTEGER
);
CREATE INDEX admin_api_tokens_admin ON admin_api_tokens (admin_id);
