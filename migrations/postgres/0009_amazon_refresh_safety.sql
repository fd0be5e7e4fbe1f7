-- Amazon grants survive every race (docs/smart-home.md, "Several instances").
-- refresh_hash: SHA-256 of the plain Amazon refresh token. Compare-and-swaps
-- (store refreshed tokens, drop a refused grant) match on it, so a startup
-- reseal, which rewrites the sealed text but not the token, never makes an
-- instance lose the tokens Amazon just gave it. NULL on rows written before
-- this migration: those match on the sealed text until their next refresh.
ALTER TABLE alexa_grants ADD COLUMN refresh_hash TEXT;
-- Until when one instance holds the right to refresh this grant's Amazon
-- token (a lease in Unix seconds): across instances exactly one refresh per
-- expiry; the others wait for its result. A crashed holder's lease lapses.
ALTER TABLE alexa_grants ADD COLUMN refreshing_until BIGINT;

CREATE OR REPLACE FUNCTION drop_alexa_grant_of_revoked_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE alexa_grants SET refresh_token = NULL, refresh_hash = NULL, access_token = NULL,
        access_expires_at = NULL, refreshing_until = NULL,
        dropped_at = NEW.revoked_at, dropped_reason = 'link revoked: ' || COALESCE(NEW.revoked_reason, '')
    WHERE grant_id = NEW.id AND dropped_at IS NULL;
    RETURN NEW;
END $$;
