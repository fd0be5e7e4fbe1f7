-- SQLite twin of migrations/postgres/0008_languages.sql.
-- The page language an authorization request asked for with ui_locales,
-- kept for the pages that follow (callback errors, consent).
ALTER TABLE pending_authorizations ADD COLUMN ui_locale TEXT;
-- Which consent wording the client's users see: 'alexa' or 'google'.
ALTER TABLE clients ADD COLUMN consent_preset TEXT NOT NULL DEFAULT 'alexa'
    CHECK (consent_preset IN ('alexa', 'google'));
