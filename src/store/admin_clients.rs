//! What the admin pages read and change on OAuth clients beyond `clients.rs`.

use super::{Store, StoreError};

impl Store {
    /// Live links per client id, for the clients list.
    pub async fn live_links_per_client(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(sqlx::query_as("SELECT client_id, COUNT(*) FROM grants WHERE revoked_at IS NULL GROUP BY client_id")
            .fetch_all(&self.pool)
            .await?)
    }

    /// Revokes every live link of a client (before it is deleted, so the
    /// revocation is recorded while the rows still exist). Returns how many.
    pub async fn revoke_client_links(&self, client_id: &str, reason: &str, now: i64) -> Result<u64, StoreError> {
        let r = sqlx::query(
            "UPDATE grants SET revoked_at = $1, revoked_reason = $2 WHERE client_id = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(reason)
        .bind(client_id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }
}
