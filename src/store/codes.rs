//! Authorization codes: stored hashed, redeemed once.

use sqlx::FromRow;

use super::audit::insert_audit;
use super::{AuditEvent, NewLink, Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct CodeRow {
    pub client_id: String,
    pub user_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub expires_at: i64,
    /// `app` for a code minted for app-to-app linking; `None` for the
    /// browser flow (the link says `alexa` or `google` by its redirect).
    pub made_by: Option<String>,
}

pub struct NewCode<'a> {
    pub code_hash: &'a str,
    pub client_id: &'a str,
    pub user_id: &'a str,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub code_challenge: Option<&'a str>,
    pub code_challenge_method: Option<&'a str>,
    pub expires_at: i64,
    pub made_by: Option<&'a str>,
}

/// A code found by its hash, before it is spent.
pub enum CodeLookup {
    /// Not yet redeemed (it may have expired).
    Fresh(CodeRow),
    /// Redeemed before, or its link exists though the row was purged:
    /// carries that link, or why the code was spent without one.
    Replayed {
        grant_id: Option<String>,
        spent_reason: Option<String>,
    },
    Unknown,
}

/// A code being redeemed: its spend, the link it creates and the audit
/// entry commit together, so a fault anywhere leaves the code unspent and
/// the client's retry works (instead of reading as a replay).
pub struct Redemption {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    pub row: CodeRow,
}

impl Redemption {
    /// Spends the code without a link (a failed PKCE or redirect check):
    /// RFC 6749 §4.1.2, one presentation only. `reason` is what a later
    /// presentation of it is told.
    pub async fn burn(mut self, code_hash: &str, reason: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE authorization_codes SET spent_reason = $1 WHERE code_hash = $2")
            .bind(reason)
            .bind(code_hash)
            .execute(&mut *self.tx)
            .await?;
        self.tx.commit().await?;
        Ok(())
    }

    pub async fn create_link(mut self, l: NewLink<'_>, audit: AuditEvent<'_>, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO grants (id, user_id, client_id, scope, created_at, last_used_at, generation, current_hash, \
             code_hash, made_by) VALUES ($1, $2, $3, $4, $5, $5, 0, $6, $7, $8)",
        )
        .bind(l.grant_id)
        .bind(l.user_id)
        .bind(l.client_id)
        .bind(l.scope)
        .bind(now)
        .bind(l.refresh_hash)
        .bind(l.code_hash)
        .bind(l.made_by)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("UPDATE authorization_codes SET grant_id = $1 WHERE code_hash = $2")
            .bind(l.grant_id)
            .bind(l.code_hash)
            .execute(&mut *self.tx)
            .await?;
        insert_audit(&mut *self.tx, audit, now).await?;
        self.tx.commit().await?;
        Ok(())
    }
}

impl Store {
    pub async fn insert_code(&self, c: NewCode<'_>, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO authorization_codes (code_hash, client_id, user_id, redirect_uri, scope, code_challenge, code_challenge_method, \
             created_at, expires_at, made_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(c.code_hash)
        .bind(c.client_id)
        .bind(c.user_id)
        .bind(c.redirect_uri)
        .bind(c.scope)
        .bind(c.code_challenge)
        .bind(c.code_challenge_method)
        .bind(now)
        .bind(c.expires_at)
        .bind(c.made_by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The code and what became of it, without spending it: the caller
    /// checks the client first, so a code intercepted by another client
    /// cannot be burnt by it.
    pub async fn find_code(&self, code_hash: &str) -> Result<CodeLookup, StoreError> {
        let row: Option<(Option<i64>, Option<String>, Option<String>)> =
            sqlx::query_as("SELECT redeemed_at, grant_id, spent_reason FROM authorization_codes WHERE code_hash = $1")
                .bind(code_hash)
                .fetch_optional(&self.pool)
                .await?;
        match row {
            Some((None, _, _)) => {}
            Some((Some(_), grant_id, spent_reason)) => return Ok(CodeLookup::Replayed { grant_id, spent_reason }),
            None => {
                let link: Option<(String,)> = sqlx::query_as("SELECT id FROM grants WHERE code_hash = $1")
                    .bind(code_hash)
                    .fetch_optional(&self.pool)
                    .await?;
                return Ok(match link {
                    Some((id,)) => CodeLookup::Replayed { grant_id: Some(id), spent_reason: None },
                    None => CodeLookup::Unknown,
                });
            }
        }
        let row: Option<CodeRow> = sqlx::query_as(
            "SELECT client_id, user_id, redirect_uri, scope, code_challenge, code_challenge_method, expires_at, made_by \
             FROM authorization_codes WHERE code_hash = $1",
        )
        .bind(code_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map_or(CodeLookup::Unknown, CodeLookup::Fresh))
    }

    /// RFC 6749 §4.1.2: spends the code in a transaction that the caller
    /// finishes with `burn` or `create_link`. `None`: another request spent
    /// it first (a racing replay); that request's link, committed before
    /// this statement could take the row, is then visible to `find_code`.
    pub async fn begin_redemption(&self, code_hash: &str, now: i64) -> Result<Option<Redemption>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let claimed: Option<CodeRow> = sqlx::query_as(
            "UPDATE authorization_codes SET redeemed_at = $1 WHERE code_hash = $2 AND redeemed_at IS NULL \
             RETURNING client_id, user_id, redirect_uri, scope, code_challenge, code_challenge_method, expires_at, \
             made_by",
        )
        .bind(now)
        .bind(code_hash)
        .fetch_optional(&mut *tx)
        .await?;
        match claimed {
            Some(row) => Ok(Some(Redemption { tx, row })),
            None => {
                tx.rollback().await?;
                Ok(None)
            }
        }
    }

    /// Makes a code that was handed out unusable, whatever happened to it:
    /// unredeemed, it is spent with `reason`; redeemed, the link it made is
    /// revoked. Returns the revoked link's id (app-to-app linking leaves
    /// nothing half-made when the enablement call fails).
    pub async fn withdraw_code(&self, code_hash: &str, reason: &str, now: i64) -> Result<Option<String>, StoreError> {
        sqlx::query(
            "UPDATE authorization_codes SET redeemed_at = $1, spent_reason = $2 \
             WHERE code_hash = $3 AND redeemed_at IS NULL",
        )
        .bind(now)
        .bind(reason)
        .bind(code_hash)
        .execute(&self.pool)
        .await?;
        let revoked: Option<(String,)> = sqlx::query_as(
            "UPDATE grants SET revoked_at = $1, revoked_reason = $2 WHERE code_hash = $3 AND revoked_at IS NULL \
             RETURNING id",
        )
        .bind(now)
        .bind(reason)
        .bind(code_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(revoked.map(|(id,)| id))
    }
}
