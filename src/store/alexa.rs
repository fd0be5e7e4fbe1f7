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
        let mut tx = self.pool.begin().await?;
        // The skill is disabled at Alexa already: Amazon tokens of links
        // made app-to-app go first, so ending the links queues no unlink.
        sqlx::query(
            "UPDATE alexa_app_links SET refresh_token = NULL, access_token = NULL, access_expires_at = NULL, \
             dropped_at = $1, dropped_reason = $2 WHERE dropped_at IS NULL AND grant_id IN \
             (SELECT id FROM grants WHERE alexa_user_id = $3 AND revoked_at IS NULL AND ($4 IS NULL OR client_id = $4))",
        )
        .bind(now)
        .bind(reason)
        .bind(alexa_user_id)
        .bind(client)
        .execute(&mut *tx)
        .await?;
        let rows: Vec<(String,)> = sqlx::query_as(
            "UPDATE grants SET revoked_at = $1, revoked_reason = $2 \
             WHERE alexa_user_id = $3 AND revoked_at IS NULL AND ($4 IS NULL OR client_id = $4) RETURNING id",
        )
        .bind(now)
        .bind(reason)
        .bind(alexa_user_id)
        .bind(client)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
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
