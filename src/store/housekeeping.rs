//! Deleting what can no longer be used, and nothing an honest client may
//! still present (README refresh rule 5): tokens have no rows, so only expired codes
//! and pending authorizations, first-schema access tokens past their expiry,
//! dead links after a retention period and old signing keys go. Every
//! statement is an idempotent DELETE of at most `BATCH` rows, so several
//! instances may run it at once and no pass holds locks for long.

use super::{Store, StoreError};

/// Rows per DELETE; a pass repeats it up to `MAX_BATCHES` times per table.
pub const BATCH: i64 = 1_000;
const MAX_BATCHES: u32 = 100;

/// Rows removed by one pass, for the log.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub pending: u64,
    pub codes: u64,
    pub legacy_tokens: u64,
    pub links: u64,
    pub signing_keys: u64,
    /// Account sessions, account sign-ins and app-to-app attempts past
    /// their expiry; finished unlinks after the retention period.
    pub account: u64,
}

/// Cut-off times for one pass, computed by the caller from the settings.
pub struct PurgeCutoffs {
    pub now: i64,
    /// Links revoked before this are deleted.
    pub revoked_before: i64,
    /// Unrevoked links unused since before this have been dead (past the
    /// inactivity TTL) for the retention period, and are deleted.
    pub idle_before: i64,
    /// Retired signing keys retired before this can sign nothing unexpired.
    pub key_retired_before: i64,
}

impl Store {
    pub async fn purge_expired(&self, c: &PurgeCutoffs) -> Result<Purged, StoreError> {
        Ok(Purged {
            pending: self
                .purge_batches(
                    "DELETE FROM pending_authorizations WHERE id IN \
                     (SELECT id FROM pending_authorizations WHERE expires_at <= $1 LIMIT $2)",
                    c.now,
                )
                .await?,
            codes: self
                .purge_batches(
                    "DELETE FROM authorization_codes WHERE code_hash IN \
                     (SELECT code_hash FROM authorization_codes WHERE expires_at <= $1 LIMIT $2)",
                    c.now,
                )
                .await?,
            legacy_tokens: self
                .purge_batches(
                    "DELETE FROM legacy_tokens WHERE token_hash IN (SELECT token_hash FROM legacy_tokens \
                     WHERE kind = 'access' AND expires_at <= $1 LIMIT $2)",
                    c.now,
                )
                .await?,
            links: self
                .purge_batches(
                    "DELETE FROM grants WHERE id IN (SELECT id FROM grants \
                     WHERE revoked_at IS NOT NULL AND revoked_at <= $1 LIMIT $2)",
                    c.revoked_before,
                )
                .await?
                + self
                    .purge_batches(
                        "DELETE FROM grants WHERE id IN (SELECT id FROM grants \
                         WHERE revoked_at IS NULL AND last_used_at <= $1 LIMIT $2)",
                        c.idle_before,
                    )
                    .await?,
            signing_keys: self
                .purge_batches(
                    "DELETE FROM signing_keys WHERE kid IN \
                     (SELECT kid FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at <= $1 LIMIT $2)",
                    c.key_retired_before,
                )
                .await?,
            account: self.purge_account_rows(c.now).await?
                + self
                    .purge_batches(
                        "DELETE FROM alexa_unlinks WHERE id IN (SELECT id FROM alexa_unlinks \
                         WHERE finished_at IS NOT NULL AND finished_at <= $1 LIMIT $2)",
                        c.revoked_before,
                    )
                    .await?,
        })
    }

    /// Runs `sql` (binding the cut-off and `BATCH`) until a batch comes back
    /// short; each batch is its own short transaction.
    async fn purge_batches(&self, sql: &'static str, cutoff: i64) -> Result<u64, StoreError> {
        let mut total = 0;
        for _ in 0..MAX_BATCHES {
            let n = sqlx::query(sql).bind(cutoff).bind(BATCH).execute(&self.pool).await?.rows_affected();
            total += n;
            if n < BATCH as u64 {
                break;
            }
            tokio::task::yield_now().await;
        }
        Ok(total)
    }
}
