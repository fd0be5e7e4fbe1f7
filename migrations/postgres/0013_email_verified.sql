-- Whether a user's email is verified (`user add --email-verified`, `user
-- verify-email`, the admin user page and API, or a user created from a
-- Google ID token Google is authoritative for). Only a verified email may
-- be matched by a Google ID token (Streamlined Linking). Users
-- made through Login with Amazon are not verified.
ALTER TABLE users ADD COLUMN email_verified BIGINT NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1));
