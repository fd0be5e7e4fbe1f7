-- A link remembers the hash of the authorization code that created it, so a
-- replay of that code revokes the link however late it comes, even after
-- housekeeping purged the code's own row (RFC 6749 §4.1.2; RFC 9700 §4.2.4).
-- The column never changes after the insert, so the index costs rotations
-- nothing (they stay HOT).
ALTER TABLE grants ADD COLUMN code_hash TEXT;
UPDATE grants SET code_hash = c.code_hash FROM authorization_codes c WHERE c.grant_id = grants.id;
CREATE UNIQUE INDEX grants_code_hash ON grants (code_hash);

-- RFC 9700 §2.1.1: PKCE `plain` only for clients registered to use it
-- (Alexa and Google send S256). 0/1.
ALTER TABLE clients ADD COLUMN allow_plain_pkce BIGINT NOT NULL DEFAULT 0;
