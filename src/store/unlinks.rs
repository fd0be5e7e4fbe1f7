//! The unlink queue (`alexa_unlinks`): rows the trigger of migration 0012
//! writes when a link made app-to-app ends, and that the worker
//! (`crate::outbox`) claims with a lease (a compare-and-swap, so no two
//! instances send one unlink at once), delivers, retries or gives up on.

use sqlx::FromRow;

use super::alexa_app::{access_purpose, refresh_purpose, secret_purpose, AppTokens};
use super::{Store, StoreError};

/// A claimed unlink, its secrets opened (`Debug` shows none).
#[derive(Clone)]
pub struct Unlink {
    pub id: String,
    pub user_id: String,
    pub client_id: String,
    pub skill_id: String,
    pub endpoint: String,
    pub alexa_client_id: String,
    pub alexa_client_secret: String,
    pub refresh_token: String,
    /// The stored form of `refresh_token`, to swap it safely.
    pub refresh_stored: String,
    pub access_token: Option<String>,
    pub access_expires_at: Option<i64>,
    pub reason: String,
    pub created_at: i64,
    pub attempts: i64,
}

impl std::fmt::Debug for Unlink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unlink").field("id", &self.id).field("attempts", &self.attempts).finish_non_exhaustive()
    }
}

#[derive(FromRow)]
struct UnlinkRecord {
    id: String,
    user_id: String,
    client_id: String,
    skill_id: String,
    endpoint: String,
    alexa_client_id: String,
    alexa_client_secret: String,
    refresh_token: String,
    access_token: Option<String>,
    access_expires_at: Option<i64>,
    reason: String,
    created_at: i64,
    attempts: i64,
}

/// What the admin user page shows of an unlink.
#[derive(Debug, Clone, FromRow)]
pub struct UnlinkStatus {
    pub id: String,
    pub client_id: String,
    pub reason: String,
    pub created_at: i64,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub finished_at: Option<i64>,
    pub outcome: Option<String>,
    pub last_error: Option<String>,
}

const COLUMNS: &str = "id, user_id, client_id, skill_id, endpoint, alexa_client_id, alexa_client_secret, \
     refresh_token, access_token, access_expires_at, reason, created_at, attempts";

impl Store {
    /// The ids of unlinks due now (unfinished, their lease free), oldest first.
    pub async fn due_unlinks(&self, now: i64, limit: i64) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM alexa_unlinks WHERE finished_at IS NULL AND next_attempt_at <= $1 \
             AND (lease_until IS NULL OR lease_until <= $1) ORDER BY next_attempt_at LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Takes one due unlink until `lease_until`, if no one else holds it.
    pub async fn claim_unlink(&self, id: &str, now: i64, lease_until: i64) -> Result<Option<Unlink>, StoreError> {
        let sql = format!(
            "UPDATE alexa_unlinks SET lease_until = $1 WHERE id = $2 AND finished_at IS NULL \
             AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until <= $3) RETURNING {COLUMNS}"
        );
        let rec: Option<UnlinkRecord> =
            sqlx::query_as(&sql).bind(lease_until).bind(id).bind(now).fetch_optional(&self.pool).await?;
        let Some(r) = rec else { return Ok(None) };
        // Copies of the link's and the client's sealed values: opened under
        // the purposes they were sealed for.
        Ok(Some(Unlink {
            alexa_client_secret: self.vault.open(&secret_purpose(&r.client_id), &r.alexa_client_secret)?,
            refresh_token: self.vault.open(&refresh_purpose(&r.id), &r.refresh_token)?,
            access_token: r.access_token.as_deref().map(|v| self.vault.open(&access_purpose(&r.id), v)).transpose()?,
            refresh_stored: r.refresh_token,
            id: r.id,
            user_id: r.user_id,
            client_id: r.client_id,
            skill_id: r.skill_id,
            endpoint: r.endpoint,
            alexa_client_id: r.alexa_client_id,
            access_expires_at: r.access_expires_at,
            reason: r.reason,
            created_at: r.created_at,
            attempts: r.attempts,
        }))
    }

    /// Keeps tokens refreshed for an unlink (the next attempt needs no refresh).
    pub async fn refresh_unlink_tokens(
        &self,
        id: &str,
        previous_stored: &str,
        tokens: &AppTokens<'_>,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE alexa_unlinks SET refresh_token = $1, access_token = $2, access_expires_at = $3 \
             WHERE id = $4 AND refresh_token = $5",
        )
        .bind(self.vault.seal(&refresh_purpose(id), tokens.refresh_token))
        .bind(self.vault.seal(&access_purpose(id), tokens.access_token))
        .bind(tokens.access_expires_at)
        .bind(id)
        .bind(previous_stored)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Done for good (`delivered`, `already_gone`, `abandoned`): the tokens go.
    pub async fn finish_unlink(
        &self,
        id: &str,
        outcome: &str,
        error: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE alexa_unlinks SET finished_at = $1, outcome = $2, last_error = $3, lease_until = NULL, \
             attempts = attempts + 1, refresh_token = '', access_token = NULL, access_expires_at = NULL \
             WHERE id = $4 AND finished_at IS NULL",
        )
        .bind(now)
        .bind(outcome)
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Another try at `next_attempt_at`.
    pub async fn retry_unlink(&self, id: &str, next_attempt_at: i64, error: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE alexa_unlinks SET next_attempt_at = $1, last_error = $2, lease_until = NULL, \
             attempts = attempts + 1 WHERE id = $3 AND finished_at IS NULL",
        )
        .bind(next_attempt_at)
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A user's unlinks, newest first (the admin user page).
    pub async fn unlinks_of_user(&self, user_id: &str) -> Result<Vec<UnlinkStatus>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, client_id, reason, created_at, attempts, next_attempt_at, finished_at, outcome, last_error \
             FROM alexa_unlinks WHERE user_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Unlinks not delivered yet (for `/metrics`).
    pub async fn pending_unlinks(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM alexa_unlinks WHERE finished_at IS NULL")
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }
}
