-- RFC 7009 on an access token: when it happened. Access tokens of the link
-- issued before this moment, of a generation below access_min_generation,
-- are dead; one issued after it (a retried refresh answered again) works.
ALTER TABLE grants ADD COLUMN access_revoked_at BIGINT;
