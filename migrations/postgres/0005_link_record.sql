-- One record per link. A link's whole token state lives in its grants row, so
-- issuing and rotating tokens inserts and deletes no rows and a refresh is one
-- primary-key UPDATE that touches no indexed column (a HOT update). Tokens
-- name their link (`<link id>.<generation>.<secret>`), so no hash index is
-- needed; see src/oauth/token_format.rs and src/oauth/rotation.rs.
--   generation             n, the generation of the current refresh token
--   current_hash           SHA-256 of R(n), not used yet
--   current_alt_hash       R(n) as re-derived after a server key change; either
--                          form rotates (README refresh rule 6)
--   previous_hash          SHA-256 of R(n-1); its successor R(n) is unused, so
--                          presenting it answers R(n) again, however late
--   older_hash             SHA-256 of R(n-2), answered inside the grace window
--   rotated_at             when R(n-1) was used (the grace window counts from it)
--   access_min_generation  RFC 7009 on an access token: every access token of
--                          a lower generation is dead
ALTER TABLE grants
    ADD COLUMN generation BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN current_hash TEXT,
    ADD COLUMN current_alt_hash TEXT,
    ADD COLUMN previous_hash TEXT,
    ADD COLUMN older_hash TEXT,
    ADD COLUMN rotated_at BIGINT,
    ADD COLUMN access_min_generation BIGINT NOT NULL DEFAULT 0;
-- Room on each page for the new row version, so updates stay HOT.
ALTER TABLE grants SET (fillfactor = 85);

-- Tokens of the first schema have no link id in them. They are found here,
-- written once by this migration and never on the hot path: the current,
-- previous and older refresh token of each link (generations 2, 1, 0), and
-- unexpired access tokens. Rows go with their link.
CREATE TABLE legacy_tokens (
    token_hash  TEXT PRIMARY KEY,
    grant_id    TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,                   -- 'refresh' | 'access'
    generation  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL                  -- access tokens; 0 for refresh
);
CREATE INDEX legacy_tokens_grant ON legacy_tokens (grant_id);

-- Move every link's chain into its row: the unrotated token is current; the
-- token whose successor it is, previous; and the one before that, older.
UPDATE grants SET generation = 2, current_hash = (
    SELECT r.token_hash FROM refresh_tokens r WHERE r.grant_id = grants.id AND r.rotated_at IS NULL
    AND r.expires_at > CAST(EXTRACT(EPOCH FROM now()) AS BIGINT) ORDER BY r.expires_at DESC, r.created_at DESC LIMIT 1);
-- The first schema's expiry was per token (last use + the TTL, one year by
-- default); the link's last use is set so that it expires no sooner.
UPDATE grants SET last_used_at = GREATEST(last_used_at, LEAST(CAST(EXTRACT(EPOCH FROM now()) AS BIGINT), (
    SELECT MAX(r.expires_at) FROM refresh_tokens r WHERE r.grant_id = grants.id AND r.rotated_at IS NULL) - 31536000))
    WHERE current_hash IS NOT NULL;
UPDATE grants SET previous_hash = p.token_hash, rotated_at = p.rotated_at
    FROM refresh_tokens p WHERE p.grant_id = grants.id AND p.successor_hash = grants.current_hash;
UPDATE grants SET older_hash = o.token_hash
    FROM refresh_tokens o WHERE o.grant_id = grants.id AND o.successor_hash = grants.previous_hash;
INSERT INTO legacy_tokens (token_hash, grant_id, kind, generation, expires_at)
    SELECT current_hash, id, 'refresh', 2, 0 FROM grants WHERE current_hash IS NOT NULL
    UNION ALL SELECT previous_hash, id, 'refresh', 1, 0 FROM grants WHERE previous_hash IS NOT NULL
    UNION ALL SELECT older_hash, id, 'refresh', 0, 0 FROM grants WHERE older_hash IS NOT NULL
    ON CONFLICT (token_hash) DO NOTHING;
-- Opaque access tokens only: a JWT's row held the hash of its jti, which is
-- readable in the token and must never become a credential. JWTs resolve
-- by their lid claim (generation 0); where one was revoked on its own, every
-- first-schema JWT of that link stays dead (they expire within the hour).
INSERT INTO legacy_tokens (token_hash, grant_id, kind, generation, expires_at)
    SELECT a.token_hash, a.grant_id, 'access', 2, a.expires_at FROM access_tokens a
    JOIN grants g ON g.id = a.grant_id JOIN clients c ON c.id = g.client_id
    WHERE a.revoked_at IS NULL AND c.token_format <> 'jwt'
    ON CONFLICT (token_hash) DO NOTHING;
UPDATE grants SET access_min_generation = 1 WHERE id IN (SELECT a.grant_id FROM access_tokens a
    JOIN grants g ON g.id = a.grant_id JOIN clients c ON c.id = g.client_id
    WHERE a.revoked_at IS NOT NULL AND c.token_format = 'jwt');

DROP TABLE access_tokens;
DROP TABLE refresh_tokens;

-- Housekeeping finds dead links by revoked_at (indexed since 0002) and by
-- last_used_at, which is deliberately not indexed: an index on it would make
-- every refresh update an index and lose HOT.

-- users.last_active_at (0004) is kept to the day: a refresh writes the user
-- row only when the stored value is a day old. Alexa refreshes about hourly,
-- so an hourly rule would still write a second row on almost every refresh.
CREATE OR REPLACE FUNCTION linkbroker_touch_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'grants' AND TG_OP = 'UPDATE' THEN
        UPDATE users SET last_active_at = NEW.last_used_at
            WHERE id = NEW.user_id AND last_active_at < NEW.last_used_at - 86400;
    ELSIF TG_TABLE_NAME = 'grants' THEN
        UPDATE users SET last_active_at = NEW.last_used_at WHERE id = NEW.user_id AND last_active_at < NEW.last_used_at;
    ELSE
        UPDATE users SET last_active_at = NEW.last_login_at WHERE id = NEW.user_id AND last_active_at < NEW.last_login_at;
    END IF;
    RETURN NULL;
END $$;
