//! Smart Home: the Amazon grant each link received at AcceptGrant (one row
//! per link, its tokens sealed). Revoking the link drops the grant (a
//! trigger, migrations 0007 and 0009), and deleting the link deletes it.
//!
//! Every change to a live grant's tokens is a compare-and-swap on the
//! refresh token it was read with (`RefreshWitness`): a refresh another
//! instance stored, or a new AcceptGrant, is never overwritten by an older
//! token, and a grant is dropped only if it still holds the token Amazon
//! refused.

use sqlx::FromRow;

use super::{EventCredentials, Store, StoreError};
use crate::domain::TokenHash;

pub(super) fn refresh_purpose(grant_id: &str) -> String {
    format!("alexa_grants:refresh_token:{grant_id}")
}

pub(super) fn access_purpose(grant_id: &str) -> String {
    format!("alexa_grants:access_token:{grant_id}")
}

/// A link's Amazon grant as stored (tokens opened; `Debug` shows none).
#[derive(Clone)]
pub struct AlexaGrant {
    pub grant_id: String,
    pub region: String,
    pub code_hash: String,
    pub refresh_token: Option<String>,
    /// Identifies the refresh token in compare-and-swaps (`None` when the
    /// tokens were not opened, or the grant holds none).
    pub witness: Option<RefreshWitness>,
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

/// Which refresh token a grant held when it was read: the SHA-256 of the
/// plain token, which a reseal under another secrets key does not change,
/// and the stored text, for rows written before `refresh_hash` existed.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshWitness {
    hash: String,
    stored: String,
}

impl RefreshWitness {
    /// Whether this is the witness of the plain token `refresh_token`.
    pub fn is_of(&self, refresh_token: &str) -> bool {
        TokenHash::of(refresh_token).as_str() == self.hash
    }
}

/// The SQL condition "the row still holds the witnessed refresh token",
/// taking the hash as `$h` and the stored text as `$s`.
fn holds(h: u8, s: u8) -> String {
    format!("(refresh_hash = ${h} OR (refresh_hash IS NULL AND refresh_token = ${s}))")
}

#[derive(FromRow)]
struct GrantRecord {
    grant_id: String,
    region: String,
    code_hash: String,
    refresh_token: Option<String>,
    refresh_hash: Option<String>,
    access_token: Option<String>,
    access_expires_at: Option<i64>,
    created_at: i64,
    refreshed_at: Option<i64>,
    last_event_at: Option<i64>,
    dropped_at: Option<i64>,
    dropped_reason: Option<String>,
}

/// A user's live grant for a client, with the client's event credentials:
/// what `/alexa/events` needs (and caches for a couple of seconds).
#[derive(Clone, Debug)]
pub struct EventTarget {
    pub grant: AlexaGrant,
    pub creds: EventCredentials,
}

/// New tokens from Amazon (an AcceptGrant exchange or a refresh).
pub struct AmazonTokens<'a> {
    pub refresh_token: &'a str,
    pub access_token: &'a str,
    pub access_expires_at: i64,
}

/// A grant from its row, with its tokens opened (`Some`) or left out.
fn grant_of(r: GrantRecord, refresh_token: Option<String>, access_token: Option<String>) -> AlexaGrant {
    let witness = match (&refresh_token, r.refresh_token) {
        (Some(plain), Some(stored)) => {
            let hash = r.refresh_hash.unwrap_or_else(|| TokenHash::of(plain).as_str().to_string());
            Some(RefreshWitness { hash, stored })
        }
        _ => None,
    };
    AlexaGrant {
        witness,
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

/// What dropping a grant sets: the tokens go, the time (`$1`) and the
/// reason (`$2`) stay so admins see why.
const DROPPED: &str = "refresh_token = NULL, refresh_hash = NULL, access_token = NULL, access_expires_at = NULL, \
     refreshing_until = NULL, dropped_at = $1, dropped_reason = $2";

const GRANT_COLUMNS: &str = "grant_id, region, code_hash, refresh_token, refresh_hash, access_token, \
     access_expires_at, created_at, refreshed_at, last_event_at, dropped_at, dropped_reason";

impl Store {
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

    /// What an event for a user needs, in one round trip: the live Amazon
    /// grant of the user's newest live link of `client_id` (the user named
    /// by email with `by_email`, else by id; disabled users have none) and
    /// the client's event credentials. Only `user_id` is a condition on
    /// `grants`: a user has a handful of links, and with the client in the
    /// WHERE a planner without fresh statistics intersects the client and
    /// revocation indexes (every grant).
    pub async fn event_target(
        &self,
        user: &str,
        by_email: bool,
        client_id: &str,
    ) -> Result<Option<EventTarget>, StoreError> {
        let sql = format!(
            "SELECT g.client_id AS link_client, g.revoked_at AS link_revoked, \
             c.alexa_events_client_id AS events_client_id, c.alexa_events_secret AS events_secret, {} \
             FROM grants g JOIN alexa_grants ag ON ag.grant_id = g.id JOIN clients c ON c.id = g.client_id \
             WHERE g.user_id = (SELECT id FROM users WHERE {} = $1 AND disabled = 0) \
             ORDER BY g.created_at DESC",
            GRANT_COLUMNS.split(", ").map(|c| format!("ag.{c}")).collect::<Vec<_>>().join(", "),
            if by_email { "email" } else { "id" }
        );
        #[derive(FromRow)]
        struct Row {
            link_client: String,
            link_revoked: Option<i64>,
            events_client_id: Option<String>,
            events_secret: Option<String>,
            #[sqlx(flatten)]
            grant: GrantRecord,
        }
        let rows: Vec<Row> = sqlx::query_as(&sql).bind(user).fetch_all(&self.pool).await?;
        let Some(row) = rows
            .into_iter()
            .find(|r| r.link_client == client_id && r.link_revoked.is_none() && r.grant.dropped_at.is_none())
        else {
            return Ok(None);
        };
        let (Some(id), Some(stored)) = (row.events_client_id, row.events_secret) else { return Ok(None) };
        let creds = self.open_event_credentials(client_id, id, &stored)?;
        Ok(Some(EventTarget { grant: self.open_grant(row.grant)?, creds }))
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
            "INSERT INTO alexa_grants (grant_id, region, code_hash, refresh_token, refresh_hash, access_token, \
             access_expires_at, created_at, refreshed_at) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $8 \
             WHERE EXISTS (SELECT 1 FROM grants WHERE id = $1 AND revoked_at IS NULL) \
             ON CONFLICT (grant_id) DO UPDATE SET region = excluded.region, code_hash = excluded.code_hash, \
             refresh_token = excluded.refresh_token, refresh_hash = excluded.refresh_hash, \
             access_token = excluded.access_token, access_expires_at = excluded.access_expires_at, \
             created_at = excluded.created_at, refreshed_at = excluded.refreshed_at, last_event_at = NULL, \
             refreshing_until = NULL, dropped_at = NULL, dropped_reason = NULL",
        )
        .bind(grant_id)
        .bind(region)
        .bind(code_hash)
        .bind(self.vault.seal(&refresh_purpose(grant_id), tokens.refresh_token))
        .bind(TokenHash::of(tokens.refresh_token).as_str())
        .bind(self.vault.seal(&access_purpose(grant_id), tokens.access_token))
        .bind(tokens.access_expires_at)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Takes the right to refresh this grant's Amazon token until `until`,
    /// if the grant still holds the witnessed refresh token and no other
    /// instance holds an unexpired lease. Exactly one instance refreshes;
    /// the others read its result from the row.
    pub async fn claim_alexa_refresh(
        &self,
        grant_id: &str,
        witness: &RefreshWitness,
        until: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "UPDATE alexa_grants SET refreshing_until = $1 WHERE grant_id = $2 AND {} AND dropped_at IS NULL \
             AND (refreshing_until IS NULL OR refreshing_until <= $5)",
            holds(3, 4)
        );
        let r = sqlx::query(&sql)
            .bind(until)
            .bind(grant_id)
            .bind(&witness.hash)
            .bind(&witness.stored)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Gives the lease back after a refresh that produced nothing.
    pub async fn release_alexa_refresh(&self, grant_id: &str, witness: &RefreshWitness) -> Result<(), StoreError> {
        let sql = format!("UPDATE alexa_grants SET refreshing_until = NULL WHERE grant_id = $1 AND {}", holds(2, 3));
        sqlx::query(&sql).bind(grant_id).bind(&witness.hash).bind(&witness.stored).execute(&self.pool).await?;
        Ok(())
    }

    /// Stores refreshed tokens (and ends the lease) if the grant still holds
    /// the refresh token they came from: a concurrent refresh on another
    /// instance or a replacing AcceptGrant wins, and nothing newer is lost.
    /// A reseal of the old token does not stop it (the hash matches).
    pub async fn refresh_alexa_grant(
        &self,
        grant_id: &str,
        previous: &RefreshWitness,
        tokens: &AmazonTokens<'_>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "UPDATE alexa_grants SET refresh_token = $1, refresh_hash = $2, access_token = $3, \
             access_expires_at = $4, refreshed_at = $5, refreshing_until = NULL \
             WHERE grant_id = $6 AND {} AND dropped_at IS NULL",
            holds(7, 8)
        );
        let r = sqlx::query(&sql)
            .bind(self.vault.seal(&refresh_purpose(grant_id), tokens.refresh_token))
            .bind(TokenHash::of(tokens.refresh_token).as_str())
            .bind(self.vault.seal(&access_purpose(grant_id), tokens.access_token))
            .bind(tokens.access_expires_at)
            .bind(now)
            .bind(grant_id)
            .bind(&previous.hash)
            .bind(&previous.stored)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Drops a grant whose refresh token Amazon refused, only if the row
    /// still holds that token: one another instance stored meanwhile (or a
    /// new AcceptGrant) stays. Returns whether it was dropped.
    pub async fn drop_refused_alexa_grant(
        &self,
        grant_id: &str,
        refused: &RefreshWitness,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let sql =
            format!("UPDATE alexa_grants SET {DROPPED} WHERE grant_id = $3 AND {} AND dropped_at IS NULL", holds(4, 5));
        let r = sqlx::query(&sql)
            .bind(now)
            .bind(reason)
            .bind(grant_id)
            .bind(&refused.hash)
            .bind(&refused.stored)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Drops a grant Amazon ended (the gateway said the skill is disabled):
    /// the tokens go, the reason stays. Only the grant from the AcceptGrant
    /// with `code_hash`: one that replaced it meanwhile stays. Returns
    /// whether it was live.
    pub async fn drop_alexa_grant(
        &self,
        grant_id: &str,
        code_hash: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let sql =
            format!("UPDATE alexa_grants SET {DROPPED} WHERE grant_id = $3 AND code_hash = $4 AND dropped_at IS NULL");
        let r = sqlx::query(&sql).bind(now).bind(reason).bind(grant_id).bind(code_hash).execute(&self.pool).await?;
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
}
