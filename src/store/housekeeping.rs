//! Deleting what can no longer be used. Every statement is an idempotent
//! DELETE on expiry columns, so several instances may run it at once.

use super::{Store, StoreError};

/// Rows removed by one pass, for the log.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub pending: u64,
    pub codes: u64,
    pub access_tokens: u64,
    pub refresh_tokens: u64,
    pub links: u64,
    pub signing_keys: u64,
}

/// Cut-off times for one pass, computed by the caller from the settings.
pub struct PurgeCutoffs {
    pub now: i64,
    /// Rotated refresh tokens older than this are forgotten.
    pub rotated_before: i64,
    /// Revoked links older than this are deleted.
    pub revoked_before: i64,
    /// Unrevoked links unused since before this, with no live refresh
    /// token, are dead and deleted.
    pub idle_before: i64,
    /// Retired signing keys retired before this can sign nothing unexpired.
    pub key_retired_before: i64,
}

impl Store {
    pub async fn purge_expired(&self, c: &PurgeCutoffs) -> Result<Purged, StoreError> {
        let run = |sql: &'static str, at: i64| async move {
            Ok::<u64, StoreError>(sqlx::query(sql).bind(at).execute(&self.pool).await?.rows_affected())
        };
        Ok(Purged {
            pending: run("DELETE FROM pending_authorizations WHERE expires_at <= $1", c.now).await?,
            codes: run("DELETE FROM authorization_codes WHERE expires_at <= $1", c.now).await?,
            access_tokens: run("DELETE FROM access_tokens WHERE expires_at <= $1", c.now).await?,
            refresh_tokens: sqlx::query(
                "DELETE FROM refresh_tokens WHERE expires_at <= $1 OR (rotated_at IS NOT NULL AND rotated_at <= $2)",
            )
            .bind(c.now)
            .bind(c.rotated_before)
            .execute(&self.pool)
            .await?
            .rows_affected(),
            links: sqlx::query(
                "DELETE FROM grants WHERE (revoked_at IS NOT NULL AND revoked_at <= $1) \
                 OR (revoked_at IS NULL AND last_used_at <= $2 AND NOT EXISTS \
                     (SELECT 1 FROM refresh_tokens r WHERE r.grant_id = grants.id AND r.expires_at > $3))",
            )
            .bind(c.revoked_before)
            .bind(c.idle_before)
            .bind(c.now)
            .execute(&self.pool)
            .await?
            .rows_affected(),
            signing_keys: run(
                "DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at <= $1",
                c.key_retired_before,
            )
            .await?,
        })
    }
}
