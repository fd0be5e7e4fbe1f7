//! Smart Home: each client's "Send Alexa Events" credentials, and the
//! Amazon grant each link received at AcceptGrant (one row per link, its
//! tokens sealed). Revoking the link drops the grant (a trigger, migration
//! 0007), and deleting the link deletes it.

use sqlx::FromRow;

use super::sealing::Column;
use super::{Store, StoreError};

/// The sealed columns `seal_at_rest` checks and rewrites.
pub(super) const SEALED_COLUMNS: &[Column] = &[
    Column {
        select: "SELECT id, alexa_events_secret FROM clients WHERE alexa_events_secret IS NOT NULL",
        update: "UPDATE clients SET alexa_events_secret = $1 WHERE id = $2 AND alexa_events_secret = $3",
        purpose: |id| format!("clients:alexa_events_secret:{id}"),
    },
    Column {
        select: "SELECT grant_id, refresh_token FROM alexa_grants WHERE refresh_token IS NOT NULL",
        update: "UPDATE alexa_grants SET refresh_token = $1 WHERE grant_id = $2 AND refresh_token = $3",
        purpose: |id| format!("alexa_grants:refresh_token:{id}"),
    },
    Column {
        select: "SELECT grant_id, access_token FROM alexa_grants WHERE access_token IS NOT NULL",
        update: "UPDATE alexa_grants SET access_token = $1 WHERE grant_id = $2 AND access_token = $3",
        purpose: |id| format!("alexa_grants:access_token:{id}"),
    },
];

fn refresh_purpose(grant_id: &str) -> String {
    format!("alexa_grants:refresh_token:{grant_id}")
}

fn access_purpose(grant_id: &str) -> String {
    format!("alexa_grants:access_token:{grant_id}")
}

/// A client's "Send Alexa Events" credentials.
#[derive(Clone)]
pub struct EventCredentials {
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for EventCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventCredentials").field("client_id", &self.client_id).finish_non_exhaustive()
    }
}

/// A link's Amazon grant as stored (tokens opened; `Debug` shows none).
#[derive(Clone)]
pub struct AlexaGrant {
    pub grant_id: String,
    pub region: String,
    pub code_hash: String,
    pub refresh_token: Option<String>,
    /// The stored (sealed) form of `refresh_token`, to swap it safely.
    pub refresh_stored: Option<String>,
    pub access_token: Option<String>,
    pub access_expires_at: Option<i64>,
    pub created_at: i64,
    pub refreshed_at: Option<i64>,
    pub last_event_at: Option<i64>,
    pub dropped_at: Option<i64>,
    pub dropped_reason: Option<String>,
}

impl std::fmt::Debug for AlexaGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlexaGrant")
            .field("grant_id", &self.grant_id)
            .field("region", &self.region)
            .field("dropped_at", &self.dropped_at)
            .finish_non_exhaustive()
    }
}

#[derive(FromRow)]
struct GrantRecord {
    grant_id: String,
    region: String,
    code_hash: String,
    refresh_token: Option<String>,
    access_token: Option<String>,
    access_expires_at: Option<i64>,
    created_at: i64,
    refreshed_at: Option<i64>,
    last_event_at: Option<i64>,
    dropped_at: Option<i64>,
    dropped_reason: Option<String>,
}

/// New tokens from Amazon (an AcceptGrant exchange or a refresh).
pub struct AmazonTokens<'a> {
    pub refresh_token: &'a str,
    pub access_token: &'a str,
    pub access_expires_at: i64,
}

/// A grant from its row, with its tokens opened (`Some`) or left out.
fn grant_of(r: GrantRecord, refresh_token: Option<String>, access_token: Option<String>) -> AlexaGrant {
    let refresh_stored = refresh_token.as_ref().and(r.refresh_token);
    AlexaGrant {
        refresh_stored,
        refresh_token,
        access_token,
        grant_id: r.grant_id,
        region: r.region,
        code_hash: r.code_hash,
        access_expires_at: r.access_expires_at,
        created_at: r.created_at,
        refreshed_at: r.refreshed_at,
        last_event_at: r.last_event_at,
        dropped_at: r.dropped_at,
        dropped_reason: r.dropped_reason,
    }
}

const GRANT_COLUMNS: &str = "grant_id, region, code_hash, refresh_token, access_token, access_expires_at, \
     created_at, refreshed_at, last_event_at, dropped_at, dropped_reason";

impl Store {
    /// Stores (`Some`) or clears a client's event credentials; false if no
    /// such client.
    pub async fn set_alexa_event_credentials(
        &self,
        client_id: &str,
        creds: Option<&EventCredentials>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let sealed =
            creds.map(|c| self.vault.seal(&format!("clients:alexa_events_secret:{client_id}"), &c.client_secret));
        let r = sqlx::query(
            "UPDATE clients SET alexa_events_client_id = $1, alexa_events_secret = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(creds.map(|c| c.client_id.as_str()))
        .bind(sealed)
        .bind(now)
        .bind(client_id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    pub async fn alexa_event_credentials(&self, client_id: &str) -> Result<Option<EventCredentials>, StoreError> {
        let row: Option<(Option<String>, Option<String>)> =
            sqlx::query_as("SELECT alexa_events_client_id, alexa_events_secret FROM clients WHERE id = $1")
                .bind(client_id)
                .fetch_optional(&self.pool)
                .await?;
        let Some((Some(id), Some(stored))) = row else { return Ok(None) };
        let secret = self.vault.open(&format!("clients:alexa_events_secret:{client_id}"), &stored)?;
        Ok(Some(EventCredentials { client_id: id, client_secret: secret }))
    }

    /// The event client id of every client that has one (for the admin list).
    pub async fn alexa_event_client_ids(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(sqlx::query_as("SELECT id, alexa_events_client_id FROM clients WHERE alexa_events_client_id IS NOT NULL")
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn alexa_grant(&self, grant_id: &str) -> Result<Option<AlexaGrant>, StoreError> {
        let sql = format!("SELECT {GRANT_COLUMNS} FROM alexa_grants WHERE grant_id = $1");
        let rec: Option<GrantRecord> = sqlx::query_as(&sql).bind(grant_id).fetch_optional(&self.pool).await?;
        rec.map(|r| self.open_grant(r)).transpose()
    }

    /// The Amazon grants of these links (the admin user page).
    pub async fn alexa_grants_of_user(&self, user_id: &str) -> Result<Vec<AlexaGrant>, StoreError> {
        let sql = format!(
            "SELECT {GRANT_COLUMNS} FROM alexa_grants WHERE grant_id IN (SELECT id FROM grants WHERE user_id = $1)"
        );
        let recs: Vec<GrantRecord> = sqlx::query_as(&sql).bind(user_id).fetch_all(&self.pool).await?;
        // The page shows status only: tokens stay sealed.
        Ok(recs.into_iter().map(|r| grant_of(r, None, None)).collect())
    }

    fn open_grant(&self, r: GrantRecord) -> Result<AlexaGrant, StoreError> {
        let refresh_token =
            r.refresh_token.as_deref().map(|v| self.vault.open(&refresh_purpose(&r.grant_id), v)).transpose()?;
        let access_token =
            r.access_token.as_deref().map(|v| self.vault.open(&access_purpose(&r.grant_id), v)).transpose()?;
        Ok(grant_of(r, refresh_token, access_token))
    }

    /// Stores the grant an AcceptGrant produced, replacing any earlier one
    /// of this link, if the link is still live. Returns whether it was stored.
    pub async fn save_alexa_grant(
        &self,
        grant_id: &str,
        region: &str,
        code_hash: &str,
        tokens: &AmazonTokens<'_>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "INSERT INTO alexa_grants (grant_id, region, code_hash, refresh_token, access_token, access_expires_at, \
             created_at, refreshed_at) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $7 WHERE EXISTS (SELECT 1 FROM grants WHERE id = $1 AND revoked_at IS NULL) \
             ON CONFLICT (grant_id) DO UPDATE SET region = excluded.region, code_hash = excluded.code_hash, \
             refresh_token = excluded.refresh_token, access_token = excluded.access_token, \
             access_expires_at = excluded.access_expires_at, created_at = excluded.created_at, \
             refreshed_at = excluded.refreshed_at, last_event_at = NULL, dropped_at = NULL, dropped_reason = NULL",
        )
        .bind(grant_id)
        .bind(region)
        .bind(code_hash)
        .bind(self.vault.seal(&refresh_purpose(grant_id), tokens.refresh_token))
        .bind(self.vault.seal(&access_purpose(grant_id), tokens.access_token))
        .bind(tokens.access_expires_at)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Stores refreshed tokens if the grant still holds the refresh token
    /// they came from (`previous_stored`): a concurrent refresh on another
    /// instance or a replacing AcceptGrant wins, and nothing newer is lost.
    pub async fn refresh_alexa_grant(
        &self,
        grant_id: &str,
        previous_stored: &str,
        tokens: &AmazonTokens<'_>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE alexa_grants SET refresh_token = $1, access_token = $2, access_expires_at = $3, refreshed_at = $4 \
             WHERE grant_id = $5 AND refresh_token = $6 AND dropped_at IS NULL",
        )
        .bind(self.vault.seal(&refresh_purpose(grant_id), tokens.refresh_token))
        .bind(self.vault.seal(&access_purpose(grant_id), tokens.access_token))
        .bind(tokens.access_expires_at)
        .bind(now)
        .bind(grant_id)
        .bind(previous_stored)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Drops a grant (Amazon refused it, or the skill was disabled): the
    /// tokens go, the reason stays. Only the grant from the AcceptGrant with
    /// `code_hash`: one that replaced it meanwhile stays. Returns whether it
    /// was live.
    pub async fn drop_alexa_grant(
        &self,
        grant_id: &str,
        code_hash: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE alexa_grants SET refresh_token = NULL, access_token = NULL, access_expires_at = NULL, \
             dropped_at = $1, dropped_reason = $2 WHERE grant_id = $3 AND code_hash = $4 AND dropped_at IS NULL",
        )
        .bind(now)
        .bind(reason)
        .bind(grant_id)
        .bind(code_hash)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    pub async fn touch_alexa_event(&self, grant_id: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE alexa_grants SET last_event_at = $1 WHERE grant_id = $2")
            .bind(now)
            .bind(grant_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The live links of `client_id` for a user named by email (`by_email`)
    /// or id, newest first (the events endpoint picks the one with a live
    /// Amazon grant). Indexed lookups only: an `OR` over both columns, or a
    /// join, would scan every user or every grant.
    pub async fn live_links_of_user_for_client(
        &self,
        user: &str,
        by_email: bool,
        client_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        // The user first (one row by a unique index), then that user's
        // grants by `grants_user`.
        let sql = format!("SELECT id FROM users WHERE {} = $1 AND disabled = 0", if by_email { "email" } else { "id" });
        let Some((user_id,)) = sqlx::query_as::<_, (String,)>(&sql).bind(user).fetch_optional(&self.pool).await? else {
            return Ok(Vec::new());
        };
        // Only `user_id` is a condition: a user has a handful of links, and
        // with the client in the WHERE a planner without fresh statistics
        // intersects the client and revocation indexes (every grant).
        let rows: Vec<(String, String, Option<i64>)> =
            sqlx::query_as("SELECT id, client_id, revoked_at FROM grants WHERE user_id = $1 ORDER BY created_at DESC")
                .bind(&user_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .filter(|(_, c, revoked)| c == client_id && revoked.is_none())
            .map(|(id, _, _)| id)
            .collect())
    }
}
