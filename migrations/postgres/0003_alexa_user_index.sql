-- SkillDisabled without a token revokes the links recorded for an Alexa user
-- id (grants.alexa_user_id, set by /alexa); this keeps that lookup indexed.
CREATE INDEX grants_alexa_user ON grants (alexa_user_id);
