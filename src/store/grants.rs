//! Links (grants): one row per link holds its whole token state (migration
//! 0005 explains the columns). Issuing and rotating tokens changes that row
//! and adds none; the hot path is one primary-key UPDATE, the same SQL on
//! both backends.

use sqlx::FromRow;

use super::{Store, StoreError};
use crate::domain::TokenHash;

#[derive(Debug, Clone, FromRow)]
pub struct GrantRow {
    pub id: String,
    pub user_id: String,
    pub client_id: String,
    pub scope: String,
    pub generation: i64,
    pub current_hash: Option<String>,
    /// R(n) as re-derived after a key change (README refresh rule 6).
    pub current_alt_hash: Option<String>,
    pub previous_hash: Option<String>,
    pub older_hash: Option<String>,
    pub rotated_at: Option<i64>,
    pub last_used_at: i64,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub access_min_generation: i64,
    /// When an access token was last revoked (RFC 7009).
    pub access_revoked_at: Option<i64>,
    #[sqlx(try_from = "i64")]
    pub user_disabled: Flag,
}

/// A 0/1 integer column as a `bool` at the row boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<i64> for Flag {
    fn from(v: i64) -> Self {
        Self(v != 0)
    }
}

impl GrantRow {
    /// Not revoked and its user not disabled (inactivity is the caller's
    /// rule: it depends on a setting).
    pub fn is_live(&self) -> bool {
        self.revoked_at.is_none() && !self.user_disabled.0
    }
}

/// What an access token (of either format) resolves to (see `access.rs`).
#[derive(Debug, Clone)]
pub struct ResolvedToken {
    pub grant_id: String,
    pub client_id: String,
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub scope: String,
    /// When the access token was issued (Unix seconds).
    pub issued_at: i64,
    /// The user's permissions, sorted.
    pub permissions: Vec<String>,
    /// The Alexa user id last seen with a token of this link.
    pub alexa_user_id: Option<String>,
    /// When the access token expires (Unix seconds).
    pub expires_at: i64,
}

pub struct NewLink<'a> {
    pub grant_id: &'a str,
    pub user_id: &'a str,
    pub client_id: &'a str,
    pub scope: &'a str,
    pub code_hash: &'a str,
    /// SHA-256 of refresh token generation 0.
    pub refresh_hash: &'a str,
    /// How the link was made: `alexa`, `app` or `google`.
    pub made_by: &'a str,
}

/// Rotate R(`generation`) of `link_id` to its successor, if it is current.
pub struct RotateRequest<'a> {
    pub link_id: &'a str,
    pub generation: i64,
    pub presented_hash: TokenHash,
    pub successor_hash: TokenHash,
    pub client_id: &'a str,
    /// A link unused since this time has expired (sliding inactivity TTL).
    pub idle_after: i64,
}

/// The link as the rotation left it.
#[derive(Debug, Clone, FromRow)]
pub struct Rotated {
    pub id: String,
    pub user_id: String,
    pub scope: String,
    pub generation: i64,
}

const GRANT_COLUMNS: &str = "g.id, g.user_id, g.client_id, g.scope, g.generation, g.current_hash, \
     g.current_alt_hash, g.previous_hash, g.older_hash, g.rotated_at, g.last_used_at, g.created_at, g.revoked_at, \
     g.access_min_generation, g.access_revoked_at, u.disabled AS user_disabled";

/// Every condition for a rotation is in the WHERE, so of racing requests
/// exactly one changes the row (Postgres re-checks it after the row lock,
/// SQLite serializes writers); the losers re-read and find a retry.
/// `older_hash = previous_hash` reads the old value on both backends (SQL
/// assigns from the row before the update). The presented token is the
/// current one or, after a key change, its alternative: it becomes previous.
const ROTATE: &str = "UPDATE grants SET generation = generation + 1, older_hash = previous_hash, \
     previous_hash = $5, current_hash = $1, current_alt_hash = NULL, rotated_at = $2, last_used_at = $2 \
     WHERE id = $3 AND generation = $4 AND (current_hash = $5 OR current_alt_hash = $5) AND client_id = $6 \
     AND revoked_at IS NULL AND last_used_at > $7 \
     AND EXISTS (SELECT 1 FROM users u WHERE u.id = grants.user_id AND u.disabled = 0) \
     RETURNING id, user_id, scope, generation";

impl Store {
    /// README refresh rule 1 in one statement: `None` when the token is not (or no
    /// longer) current or the link is not live; the caller re-reads the row.
    pub async fn rotate_refresh(&self, r: RotateRequest<'_>, now: i64) -> Result<Option<Rotated>, StoreError> {
        Ok(sqlx::query_as(ROTATE)
            .bind(r.successor_hash.as_str())
            .bind(now)
            .bind(r.link_id)
            .bind(r.generation)
            .bind(r.presented_hash.as_str())
            .bind(r.client_id)
            .bind(r.idle_after)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// README refresh rule 6: the successor of the previous token was derived
    /// under another key. Store the current key's derivation beside it, not
    /// over it: a parallel response may already have carried the original
    /// to the client, and both must rotate. Compare-and-set on the
    /// generation, so a racing rotation wins.
    pub async fn add_alternative_current(
        &self,
        link_id: &str,
        generation: i64,
        hash: &str,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE grants SET current_alt_hash = $1 WHERE id = $2 AND generation = $3 AND revoked_at IS NULL",
        )
        .bind(hash)
        .bind(link_id)
        .bind(generation)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    pub async fn grant(&self, grant_id: &str) -> Result<Option<GrantRow>, StoreError> {
        let sql = format!("SELECT {GRANT_COLUMNS} FROM grants g JOIN users u ON u.id = g.user_id WHERE g.id = $1");
        Ok(sqlx::query_as(&sql).bind(grant_id).fetch_optional(&self.pool).await?)
    }

    /// RFC 7009 on one access token: every access token of this link up to
    /// `generation` dies; the link and its refresh token live on. Returns
    /// whether anything changed.
    pub async fn revoke_access_up_to(
        &self,
        grant_id: &str,
        client_id: &str,
        generation: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE grants SET access_min_generation = $1, access_revoked_at = $4 \
             WHERE id = $2 AND client_id = $3 AND access_min_generation < $1",
        )
        .bind(generation + 1)
        .bind(grant_id)
        .bind(client_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Revokes a link and so every token of it. Returns whether it was live.
    pub async fn revoke_grant(&self, grant_id: &str, reason: &str, now: i64) -> Result<bool, StoreError> {
        let r =
            sqlx::query("UPDATE grants SET revoked_at = $1, revoked_reason = $2 WHERE id = $3 AND revoked_at IS NULL")
                .bind(now)
                .bind(reason)
                .bind(grant_id)
                .execute(&self.pool)
                .await?;
        Ok(r.rows_affected() > 0)
    }

    /// A first-schema token (no link id in it): (link id, generation,
    /// expiry) from `legacy_tokens`.
    pub async fn legacy_token(&self, token_hash: &str, kind: &str) -> Result<Option<(String, i64, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT grant_id, generation, expires_at FROM legacy_tokens WHERE token_hash = $1 AND kind = $2",
        )
        .bind(token_hash)
        .bind(kind)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Revokes one first-schema access token of `client_id`.
    pub async fn revoke_legacy_access(&self, token_hash: &str, client_id: &str) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "DELETE FROM legacy_tokens WHERE token_hash = $1 AND kind = 'access' \
             AND grant_id IN (SELECT id FROM grants WHERE client_id = $2)",
        )
        .bind(token_hash)
        .bind(client_id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() > 0)
    }
}
