//! App-to-app linking (docs/app-to-app.md): each client's settings (its
//! skill, stage, Alexa Client Id and sealed Secret), the attempts in flight
//! between the account page and Amazon, and the Amazon token each link made
//! this way keeps (sealed) with the Alexa API host that enabled it.

use sqlx::FromRow;

use super::{Store, StoreError};

pub(super) fn secret_purpose(client_id: &str) -> String {
    format!("clients:alexa_app_secret:{client_id}")
}

pub(super) fn verifier_purpose(state_hash: &str) -> String {
    format!("alexa_app_attempts:code_verifier:{state_hash}")
}

pub(super) fn refresh_purpose(grant_id: &str) -> String {
    format!("alexa_app_links:refresh_token:{grant_id}")
}

pub(super) fn access_purpose(grant_id: &str) -> String {
    format!("alexa_app_links:access_token:{grant_id}")
}

/// A client's app-to-app settings, the secret opened (`Debug` hides it).
#[derive(Clone)]
pub struct AlexaAppConfig {
    pub skill_id: String,
    /// `live` or `development`.
    pub stage: String,
    pub alexa_client_id: String,
    pub alexa_client_secret: String,
}

impl std::fmt::Debug for AlexaAppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlexaAppConfig")
            .field("skill_id", &self.skill_id)
            .field("stage", &self.stage)
            .field("alexa_client_id", &self.alexa_client_id)
            .finish_non_exhaustive()
    }
}

/// A client that offers "Link with Alexa" (no secret).
#[derive(Debug, Clone, FromRow)]
pub struct AlexaAppClient {
    pub id: String,
    pub name: String,
    pub alexa_app_skill_id: String,
    pub alexa_app_stage: String,
}

/// "Link with Alexa" in flight.
#[derive(Clone)]
pub struct AlexaAppAttempt {
    pub session_hash: String,
    pub user_id: String,
    pub client_id: String,
    pub code_verifier: String,
    pub expires_at: i64,
}

/// The Amazon side of a link made app-to-app (tokens opened).
#[derive(Clone)]
pub struct AlexaAppLink {
    pub grant_id: String,
    pub endpoint: String,
    pub refresh_token: Option<String>,
    /// The stored form of `refresh_token`, to swap it safely.
    pub refresh_stored: Option<String>,
    pub access_token: Option<String>,
    pub access_expires_at: Option<i64>,
    pub dropped_at: Option<i64>,
}

impl std::fmt::Debug for AlexaAppLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlexaAppLink").field("grant_id", &self.grant_id).field("endpoint", &self.endpoint).finish()
    }
}

/// Tokens from Amazon's token endpoint for the Alexa client.
pub struct AppTokens<'a> {
    pub refresh_token: &'a str,
    pub access_token: &'a str,
    pub access_expires_at: i64,
}

#[derive(FromRow)]
struct LinkRecord {
    grant_id: String,
    endpoint: String,
    refresh_token: Option<String>,
    access_token: Option<String>,
    access_expires_at: Option<i64>,
    dropped_at: Option<i64>,
}

impl Store {
    /// Stores (`Some`) or clears a client's app-to-app settings; false if no
    /// such client.
    pub async fn set_alexa_app(
        &self,
        client_id: &str,
        config: Option<&AlexaAppConfig>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let sealed = config.map(|c| self.vault.seal(&secret_purpose(client_id), &c.alexa_client_secret));
        let r = sqlx::query(
            "UPDATE clients SET alexa_app_skill_id = $1, alexa_app_stage = $2, alexa_app_client_id = $3, \
             alexa_app_secret = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(config.map(|c| c.skill_id.as_str()))
        .bind(config.map(|c| c.stage.as_str()))
        .bind(config.map(|c| c.alexa_client_id.as_str()))
        .bind(sealed)
        .bind(now)
        .bind(client_id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    pub async fn alexa_app(&self, client_id: &str) -> Result<Option<AlexaAppConfig>, StoreError> {
        type Row = (Option<String>, Option<String>, Option<String>, Option<String>);
        let row: Option<Row> = sqlx::query_as(
            "SELECT alexa_app_skill_id, alexa_app_stage, alexa_app_client_id, alexa_app_secret FROM clients \
             WHERE id = $1",
        )
        .bind(client_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some((Some(skill_id), Some(stage), Some(alexa_client_id), Some(stored))) = row else { return Ok(None) };
        let alexa_client_secret = self.vault.open(&secret_purpose(client_id), &stored)?;
        Ok(Some(AlexaAppConfig { skill_id, stage, alexa_client_id, alexa_client_secret }))
    }

    /// The clients that offer "Link with Alexa" from the account page.
    pub async fn alexa_app_clients(&self) -> Result<Vec<AlexaAppClient>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, name, alexa_app_skill_id, alexa_app_stage FROM clients \
             WHERE alexa_app_skill_id IS NOT NULL AND alexa_app_secret IS NOT NULL ORDER BY name, id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn create_alexa_app_attempt(
        &self,
        state_hash: &str,
        attempt: &AlexaAppAttempt,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO alexa_app_attempts (state_hash, session_hash, user_id, client_id, code_verifier, created_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(state_hash)
        .bind(&attempt.session_hash)
        .bind(&attempt.user_id)
        .bind(&attempt.client_id)
        .bind(self.vault.seal(&verifier_purpose(state_hash), &attempt.code_verifier))
        .bind(now)
        .bind(attempt.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Takes (deletes and returns) the attempt named by `state_hash`: single
    /// use, whatever comes of it.
    pub async fn take_alexa_app_attempt(&self, state_hash: &str) -> Result<Option<AlexaAppAttempt>, StoreError> {
        let row: Option<(String, String, String, String, i64)> = sqlx::query_as(
            "DELETE FROM alexa_app_attempts WHERE state_hash = $1 \
             RETURNING session_hash, user_id, client_id, code_verifier, expires_at",
        )
        .bind(state_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some((session_hash, user_id, client_id, stored, expires_at)) = row else { return Ok(None) };
        let code_verifier = self.vault.open(&verifier_purpose(state_hash), &stored)?;
        Ok(Some(AlexaAppAttempt { session_hash, user_id, client_id, code_verifier, expires_at }))
    }

    /// Keeps the Amazon token and the Alexa API host of a link just made
    /// app-to-app, if the link is live.
    pub async fn save_alexa_app_link(
        &self,
        grant_id: &str,
        endpoint: &str,
        tokens: &AppTokens<'_>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "INSERT INTO alexa_app_links (grant_id, endpoint, refresh_token, access_token, access_expires_at, \
             created_at) SELECT $1, $2, $3, $4, $5, $6 \
             WHERE EXISTS (SELECT 1 FROM grants WHERE id = $1 AND revoked_at IS NULL) \
             ON CONFLICT (grant_id) DO UPDATE SET endpoint = excluded.endpoint, \
             refresh_token = excluded.refresh_token, access_token = excluded.access_token, \
             access_expires_at = excluded.access_expires_at, dropped_at = NULL, dropped_reason = NULL",
        )
        .bind(grant_id)
        .bind(endpoint)
        .bind(self.vault.seal(&refresh_purpose(grant_id), tokens.refresh_token))
        .bind(self.vault.seal(&access_purpose(grant_id), tokens.access_token))
        .bind(tokens.access_expires_at)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    pub async fn alexa_app_link(&self, grant_id: &str) -> Result<Option<AlexaAppLink>, StoreError> {
        let rec: Option<LinkRecord> = sqlx::query_as(
            "SELECT grant_id, endpoint, refresh_token, access_token, access_expires_at, dropped_at \
             FROM alexa_app_links WHERE grant_id = $1",
        )
        .bind(grant_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = rec else { return Ok(None) };
        let open = |purpose: String, v: &Option<String>| v.as_deref().map(|v| self.vault.open(&purpose, v)).transpose();
        Ok(Some(AlexaAppLink {
            refresh_token: open(refresh_purpose(&r.grant_id), &r.refresh_token)?,
            access_token: open(access_purpose(&r.grant_id), &r.access_token)?,
            refresh_stored: r.refresh_token,
            access_expires_at: r.access_expires_at,
            dropped_at: r.dropped_at,
            endpoint: r.endpoint,
            grant_id: r.grant_id,
        }))
    }

    /// The links of a user that keep an Amazon token (the account page asks
    /// Alexa about these).
    pub async fn alexa_app_links_of_user(&self, user_id: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT a.grant_id FROM alexa_app_links a JOIN grants g ON g.id = a.grant_id \
             WHERE g.user_id = $1 AND a.refresh_token IS NOT NULL AND a.dropped_at IS NULL",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Stores refreshed Amazon tokens if the link still holds the refresh
    /// token they came from.
    pub async fn refresh_alexa_app_link(
        &self,
        grant_id: &str,
        previous_stored: &str,
        tokens: &AppTokens<'_>,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE alexa_app_links SET refresh_token = $1, access_token = $2, access_expires_at = $3 \
             WHERE grant_id = $4 AND refresh_token = $5 AND dropped_at IS NULL",
        )
        .bind(self.vault.seal(&refresh_purpose(grant_id), tokens.refresh_token))
        .bind(self.vault.seal(&access_purpose(grant_id), tokens.access_token))
        .bind(tokens.access_expires_at)
        .bind(grant_id)
        .bind(previous_stored)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Drops a link's Amazon token (`SkillDisabled`: Alexa revoked it and
    /// there is nothing left to tell Alexa). Returns whether one was held.
    pub async fn drop_alexa_app_link(&self, grant_id: &str, reason: &str, now: i64) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE alexa_app_links SET refresh_token = NULL, access_token = NULL, access_expires_at = NULL, \
             dropped_at = $1, dropped_reason = $2 WHERE grant_id = $3 AND dropped_at IS NULL",
        )
        .bind(now)
        .bind(reason)
        .bind(grant_id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() > 0)
    }
}

impl Store {
    /// Revokes a user's live links whose Amazon token linkbroker holds
    /// (made app-to-app): disabling the user ends them, and the trigger
    /// queues the unlink that tells Alexa. Returns how many.
    pub async fn revoke_app_links_of_user(&self, user_id: &str, reason: &str, now: i64) -> Result<u64, StoreError> {
        let r = sqlx::query(
            "UPDATE grants SET revoked_at = $1, revoked_reason = $2 WHERE user_id = $3 AND revoked_at IS NULL \
             AND id IN (SELECT grant_id FROM alexa_app_links WHERE refresh_token IS NOT NULL)",
        )
        .bind(now)
        .bind(reason)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }
}
