//! What the companion skill endpoint records on links: the Alexa user id
//! seen with a link's token, and revocation when the skill is disabled.

use super::{Store, StoreError};

impl Store {
    /// Remembers which Alexa account (`amzn1.ask.account.…`) uses a link.
    /// Writes only when the value changes. Returns whether it did.
    pub async fn record_alexa_user(&self, grant_id: &str, alexa_user_id: &str) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE grants SET alexa_user_id = $1 WHERE id = $2 AND (alexa_user_id IS NULL OR alexa_user_id <> $1)",
        )
        .bind(alexa_user_id)
        .bind(grant_id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Revokes every live link recorded for an Alexa user id; returns their ids.
    /// `client`: only that client's links (an event relayed by a client,
    /// not signed by Amazon, speaks for that client alone).
    pub async fn revoke_links_of_alexa_user(
        &self,
        alexa_user_id: &str,
        client: Option<&str>,
        reason: &str,
        now: i64,
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "UPDATE grants SET revoked_at = $1, revoked_reason = $2 \
             WHERE alexa_user_id = $3 AND revoked_at IS NULL AND ($4 IS NULL OR client_id = $4) RETURNING id",
        )
        .bind(now)
        .bind(reason)
        .bind(alexa_user_id)
        .bind(client)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// The Alexa user id recorded on a link, for admins and tests.
    pub async fn alexa_user_of_grant(&self, grant_id: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(Option<String>,)> = sqlx::query_as("SELECT alexa_user_id FROM grants WHERE id = $1")
            .bind(grant_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.and_then(|(id,)| id))
    }
}
