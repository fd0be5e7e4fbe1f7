//! The end user's own door (`/account`): sign-ins in flight, and sessions.
//! Both store only hashes of the secrets the browser holds.

use sqlx::FromRow;

use super::{Store, StoreError};

/// An account sign-in between `/account/login` and the upstream's return.
#[derive(Debug, Clone, FromRow)]
pub struct AccountSignIn {
    pub browser_hash: String,
    pub upstream_pkce_verifier: String,
    pub ui_locale: Option<String>,
    pub expires_at: i64,
}

pub struct NewSignIn<'a> {
    pub upstream_state_hash: &'a str,
    pub browser_hash: &'a str,
    pub upstream_pkce_verifier: &'a str,
    pub ui_locale: Option<&'a str>,
    pub expires_at: i64,
}

impl Store {
    pub async fn create_account_sign_in(&self, s: NewSignIn<'_>, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO account_sign_ins (upstream_state_hash, browser_hash, upstream_pkce_verifier, ui_locale, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(s.upstream_state_hash)
        .bind(s.browser_hash)
        .bind(s.upstream_pkce_verifier)
        .bind(s.ui_locale)
        .bind(now)
        .bind(s.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Takes (deletes and returns) the sign-in named by `upstream_state_hash`:
    /// single use, whatever comes of it.
    pub async fn take_account_sign_in(&self, upstream_state_hash: &str) -> Result<Option<AccountSignIn>, StoreError> {
        Ok(sqlx::query_as(
            "DELETE FROM account_sign_ins WHERE upstream_state_hash = $1 \
             RETURNING browser_hash, upstream_pkce_verifier, ui_locale, expires_at",
        )
        .bind(upstream_state_hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn create_account_session(
        &self,
        session_hash: &str,
        user_id: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO account_sessions (session_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(session_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The user of a live session: not expired, and the user enabled (a
    /// disabled user's sessions stop at once).
    pub async fn account_session_user(&self, session_hash: &str, now: i64) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT s.user_id FROM account_sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.session_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
        )
        .bind(session_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id,)| id))
    }

    pub async fn delete_account_session(&self, session_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM account_sessions WHERE session_hash = $1")
            .bind(session_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Housekeeping: expired sessions and sign-ins, in one bounded batch each.
    pub async fn purge_account_rows(&self, now: i64) -> Result<u64, StoreError> {
        let mut n = 0;
        for table in ["account_sessions", "account_sign_ins", "alexa_app_attempts"] {
            let key = match table {
                "account_sessions" => "session_hash",
                "account_sign_ins" => "upstream_state_hash",
                _ => "state_hash",
            };
            let sql = format!(
                "DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {table} WHERE expires_at < $1 LIMIT 1000)"
            );
            n += sqlx::query(&sql).bind(now).execute(&self.pool).await?.rows_affected();
        }
        Ok(n)
    }
}
