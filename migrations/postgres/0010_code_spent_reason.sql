-- Why a code was spent without making a link (a missing PKCE verifier, another
-- redirect_uri, a disabled user), so presenting it again says what happened
-- instead of only "already used".
ALTER TABLE authorization_codes ADD COLUMN spent_reason TEXT;
