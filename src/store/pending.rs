//! Authorization requests in flight (between /authorize and the code), and
//! remembered consents.

use sqlx::FromRow;

use super::{Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct PendingRow {
    pub id: String,
    pub browser_hash: String,
    pub upstream_pkce_verifier: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub user_id: Option<String>,
    pub upstream_email: Option<String>,
    pub upstream_name: Option<String>,
    /// The `ui_locales` language (a `Lang` tag), if the request named one.
    pub ui_locale: Option<String>,
    pub expires_at: i64,
}

pub struct NewPending<'a> {
    pub id: &'a str,
    pub browser_hash: &'a str,
    pub upstream_state_hash: &'a str,
    pub upstream_pkce_verifier: &'a str,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub state: Option<&'a str>,
    pub code_challenge: Option<&'a str>,
    pub code_challenge_method: Option<&'a str>,
    pub ui_locale: Option<&'a str>,
    pub expires_at: i64,
}

const PENDING_COLUMNS: &str =
    "id, browser_hash, upstream_pkce_verifier, client_id, redirect_uri, scope, state, code_challenge, \
     code_challenge_method, user_id, upstream_email, upstream_name, ui_locale, expires_at";

impl Store {
    pub async fn create_pending(&self, p: NewPending<'_>, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO pending_authorizations (id, browser_hash, upstream_state_hash, upstream_pkce_verifier, client_id, redirect_uri, \
             scope, state, code_challenge, code_challenge_method, ui_locale, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(p.id)
        .bind(p.browser_hash)
        .bind(p.upstream_state_hash)
        .bind(p.upstream_pkce_verifier)
        .bind(p.client_id)
        .bind(p.redirect_uri)
        .bind(p.scope)
        .bind(p.state)
        .bind(p.code_challenge)
        .bind(p.code_challenge_method)
        .bind(p.ui_locale)
        .bind(now)
        .bind(p.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Consumes our upstream `state`: it answers at most one callback.
    pub async fn claim_pending_by_upstream_state(
        &self,
        state_hash: &str,
        now: i64,
    ) -> Result<Option<PendingRow>, StoreError> {
        let sql = format!(
            "UPDATE pending_authorizations SET upstream_state_hash = NULL \
             WHERE upstream_state_hash = $1 AND expires_at > $2 RETURNING {PENDING_COLUMNS}"
        );
        Ok(sqlx::query_as(&sql).bind(state_hash).bind(now).fetch_optional(&self.pool).await?)
    }

    /// Records who logged in. (The consent form's CSRF token is derived, not
    /// stored: see `routes::callback::consent_csrf`; the `csrf_hash` column
    /// of migration 0001 is unused.)
    pub async fn set_pending_user(&self, id: &str, user_id: &str, email: &str, name: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE pending_authorizations SET user_id = $1, upstream_email = $2, upstream_name = $3 WHERE id = $4",
        )
        .bind(user_id)
        .bind(email)
        .bind(name)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn pending(&self, id: &str, now: i64) -> Result<Option<PendingRow>, StoreError> {
        let sql = format!("SELECT {PENDING_COLUMNS} FROM pending_authorizations WHERE id = $1 AND expires_at > $2");
        Ok(sqlx::query_as(&sql).bind(id).bind(now).fetch_optional(&self.pool).await?)
    }

    /// Removes and returns a request whose login is done: a consent form
    /// can be submitted once.
    pub async fn take_pending(&self, id: &str, now: i64) -> Result<Option<PendingRow>, StoreError> {
        let sql = format!(
            "DELETE FROM pending_authorizations WHERE id = $1 AND expires_at > $2 AND user_id IS NOT NULL RETURNING {PENDING_COLUMNS}"
        );
        Ok(sqlx::query_as(&sql).bind(id).bind(now).fetch_optional(&self.pool).await?)
    }

    pub async fn delete_pending(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM pending_authorizations WHERE id = $1").bind(id).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn consented_scope(&self, user_id: &str, client_id: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as("SELECT scope FROM consents WHERE user_id = $1 AND client_id = $2")
            .bind(user_id)
            .bind(client_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|(s,)| s))
    }

    pub async fn save_consent(&self, user_id: &str, client_id: &str, scope: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO consents (user_id, client_id, scope, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, client_id) DO UPDATE SET scope = excluded.scope, updated_at = excluded.updated_at",
        )
        .bind(user_id)
        .bind(client_id)
        .bind(scope)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
