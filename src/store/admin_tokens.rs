//! Admin API tokens (hashed at rest) and the admin they act for.

use sqlx::FromRow;

use super::{new_id, Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct ApiTokenRow {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl Store {
    /// Stores a new token for `admin_id`; returns its public id.
    pub async fn create_api_token(
        &self,
        admin_id: &str,
        token_hash: &str,
        name: &str,
        now: i64,
    ) -> Result<String, StoreError> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO admin_api_tokens (token_hash, id, admin_id, name, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(&id)
        .bind(admin_id)
        .bind(name)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// The email of the admin a live token acts for (and notes its use).
    pub async fn use_api_token(&self, token_hash: &str, now: i64) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as(
            "UPDATE admin_api_tokens SET last_used_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL RETURNING admin_id",
        )
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some((admin_id,)) = row else { return Ok(None) };
        let email: Option<(String,)> =
            sqlx::query_as("SELECT email FROM admins WHERE id = $1").bind(&admin_id).fetch_optional(&self.pool).await?;
        Ok(email.map(|(e,)| e))
    }

    pub async fn api_tokens_of(&self, admin_id: &str) -> Result<Vec<ApiTokenRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, name, created_at, last_used_at, revoked_at FROM admin_api_tokens WHERE admin_id = $1 \
             ORDER BY created_at DESC, id",
        )
        .bind(admin_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Revokes one of `admin_id`'s tokens; returns whether it was live.
    pub async fn revoke_api_token(&self, admin_id: &str, id: &str, now: i64) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE admin_api_tokens SET revoked_at = $1 WHERE id = $2 AND admin_id = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .bind(admin_id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() > 0)
    }
}
