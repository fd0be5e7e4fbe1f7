//! What the admin pages change on OAuth clients beyond `clients.rs`.

use super::{Store, StoreError};

pub struct ClientUpdate<'a> {
    pub name: &'a str,
    pub scopes: &'a str,
    pub skip_consent: bool,
    pub token_format: &'a str,
    pub redirect_uris: &'a [String],
}

impl Store {
    /// Replaces a client's settings and redirect URIs in one transaction
    /// (starting with the write). Returns whether the client exists.
    pub async fn update_client(&self, id: &str, c: ClientUpdate<'_>, now: i64) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let r = sqlx::query(
            "UPDATE clients SET name = $1, scopes = $2, skip_consent = $3, token_format = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(c.name)
        .bind(c.scopes)
        .bind(i64::from(c.skip_consent))
        .bind(c.token_format)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("DELETE FROM client_redirect_uris WHERE client_id = $1").bind(id).execute(&mut *tx).await?;
        for (i, uri) in c.redirect_uris.iter().enumerate() {
            sqlx::query("INSERT INTO client_redirect_uris (client_id, uri, position) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(uri)
                .bind(i as i64)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

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
