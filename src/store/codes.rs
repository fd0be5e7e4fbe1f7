//! Authorization codes: stored hashed, redeemed once.

use sqlx::FromRow;

use super::{Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct CodeRow {
    pub client_id: String,
    pub user_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub expires_at: i64,
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
}

pub enum CodeRedemption {
    /// First presentation: the code is now spent.
    Redeemed(CodeRow),
    /// Presented before; carries the link its first redemption created.
    Replayed {
        grant_id: Option<String>,
    },
    Unknown,
}

impl Store {
    pub async fn insert_code(&self, c: NewCode<'_>, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO authorization_codes (code_hash, client_id, user_id, redirect_uri, scope, code_challenge, code_challenge_method, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// RFC 6749 §4.1.2: a code is spent by its first presentation, whatever
    /// the outcome; the atomic UPDATE decides which of two racing requests
    /// that is.
    pub async fn redeem_code(&self, code_hash: &str, now: i64) -> Result<CodeRedemption, StoreError> {
        let claimed: Option<CodeRow> = sqlx::query_as(
            "UPDATE authorization_codes SET redeemed_at = $1 WHERE code_hash = $2 AND redeemed_at IS NULL \
             RETURNING client_id, user_id, redirect_uri, scope, code_challenge, code_challenge_method, expires_at",
        )
        .bind(now)
        .bind(code_hash)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(row) = claimed {
            return Ok(CodeRedemption::Redeemed(row));
        }
        let seen: Option<(Option<String>,)> =
            sqlx::query_as("SELECT grant_id FROM authorization_codes WHERE code_hash = $1")
                .bind(code_hash)
                .fetch_optional(&self.pool)
                .await?;
        Ok(match seen {
            Some((grant_id,)) => CodeRedemption::Replayed { grant_id },
            None => CodeRedemption::Unknown,
        })
    }
}
