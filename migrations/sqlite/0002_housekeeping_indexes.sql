-- Indexes for the periodic purge (src/housekeeping.rs): every DELETE there
-- filters on one of these columns.
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);
CREATE INDEX refresh_tokens_rotated ON refresh_tokens (rotated_at);
CREATE INDEX grants_revoked ON grants (revoked_at);
CREATE INDEX signing_keys_retired ON signing_keys (retired_at);
