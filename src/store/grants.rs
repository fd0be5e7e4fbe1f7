//! Links (grants) and their refresh and access tokens.

use sqlx::FromRow;

use super::{Backend, Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct GrantRow {
    pub id: String,
    pub user_id: String,
    pub client_id: String,
    pub scope: String,
    pub revoked_at: Option<i64>,
    pub user_disabled: i64,
}

impl GrantRow {
    /// A link is usable while it is not revoked and its user not disabled.
    pub fn is_live(&self) -> bool {
        self.revoked_at.is_none() && self.user_disabled == 0
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct RefreshTokenRow {
    pub grant_id: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub rotated_at: Option<i64>,
    pub successor_hash: Option<String>,
}

/// What an access token (or a JWT's link id) resolves to (see `access.rs`).
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
    pub refresh_hash: &'a str,
    pub refresh_expires_at: i64,
    pub access_hash: &'a str,
    pub access_expires_at: i64,
}

pub struct RotateRequest<'a> {
    pub presented_hash: &'a str,
    pub successor_hash: &'a str,
    pub client_id: &'a str,
    pub refresh_expires_at: i64,
    pub access_hash: &'a str,
    /// `None`: the link's scope.
    pub access_scope: Option<&'a str>,
    pub access_expires_at: i64,
}

pub enum RefreshOutcome {
    /// The presented token was current; it is now rotated to the successor.
    Rotated(GrantRow),
    /// The presented token is not a current token of this client.
    NotCurrent,
    /// The token was current but its link is revoked or its user disabled;
    /// nothing changed.
    Dead(GrantRow),
}

const GRANT_COLUMNS: &str = "g.id, g.user_id, g.client_id, g.scope, g.revoked_at, u.disabled AS user_disabled";

impl Store {
    /// Creates a link with its first refresh and access tokens and records
    /// it on the code that produced it (so a replay can revoke it).
    pub async fn create_link(&self, l: NewLink<'_>, now: i64) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO grants (id, user_id, client_id, scope, created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $5)")
            .bind(l.grant_id)
            .bind(l.user_id)
            .bind(l.client_id)
            .bind(l.scope)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, grant_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(l.refresh_hash)
        .bind(l.grant_id)
        .bind(now)
        .bind(l.refresh_expires_at)
        .execute(&mut *tx)
        .await?;
        insert_access(&mut tx, l.access_hash, l.grant_id, l.scope, now, l.access_expires_at).await?;
        sqlx::query("UPDATE authorization_codes SET grant_id = $1 WHERE code_hash = $2")
            .bind(l.grant_id)
            .bind(l.code_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Rotates a current refresh token atomically: of many concurrent calls
    /// with the same token, exactly one sees a row come back; the others see
    /// `NotCurrent` once it has committed (Postgres re-checks the WHERE after
    /// the row lock, SQLite serializes writers). The one place the backends
    /// run different SQL: this is the hottest write path.
    pub async fn rotate_refresh(&self, r: RotateRequest<'_>, now: i64) -> Result<RefreshOutcome, StoreError> {
        match self.backend {
            Backend::Postgres => self.rotate_refresh_in_one_statement(r, now).await,
            Backend::Sqlite => self.rotate_refresh_in_transaction(r, now).await,
        }
    }

    /// Postgres: the whole rotation as one statement (data-modifying CTEs),
    /// one round trip instead of seven. Racing statements block on the
    /// token's row lock and re-check `rotated_at IS NULL`, so exactly one
    /// claims it. Liveness is part of the claim: a dead link is reported
    /// as `NotCurrent` and the caller's slow path says why.
    async fn rotate_refresh_in_one_statement(
        &self,
        r: RotateRequest<'_>,
        now: i64,
    ) -> Result<RefreshOutcome, StoreError> {
        const ROTATE: &str = "WITH claimed AS ( \
               UPDATE refresh_tokens SET rotated_at = $1, successor_hash = $2 \
               WHERE token_hash = $3 AND rotated_at IS NULL AND expires_at > $1 AND grant_id IN \
                 (SELECT g.id FROM grants g JOIN users u ON u.id = g.user_id \
                  WHERE g.client_id = $4 AND g.revoked_at IS NULL AND u.disabled = 0) \
               RETURNING grant_id), \
             touched AS ( \
               UPDATE grants SET last_used_at = $1 WHERE id IN (SELECT grant_id FROM claimed) \
               RETURNING id, user_id, client_id, scope, revoked_at), \
             successor AS ( \
               INSERT INTO refresh_tokens (token_hash, grant_id, created_at, expires_at) \
               SELECT $2, id, $1, $5 FROM touched), \
             access AS ( \
               INSERT INTO access_tokens (token_hash, grant_id, scope, created_at, expires_at) \
               SELECT $6, id, COALESCE($7, scope), $1, $8 FROM touched) \
             SELECT id, user_id, client_id, scope, revoked_at, CAST(0 AS BIGINT) AS user_disabled FROM touched";
        let grant: Option<GrantRow> = sqlx::query_as(ROTATE)
            .bind(now)
            .bind(r.successor_hash)
            .bind(r.presented_hash)
            .bind(r.client_id)
            .bind(r.refresh_expires_at)
            .bind(r.access_hash)
            .bind(r.access_scope)
            .bind(r.access_expires_at)
            .fetch_optional(&self.pool)
            .await?;
        Ok(grant.map_or(RefreshOutcome::NotCurrent, RefreshOutcome::Rotated))
    }

    /// SQLite (no data-modifying CTEs): a transaction that starts with the
    /// claiming UPDATE, so it takes the write lock first.
    async fn rotate_refresh_in_transaction(
        &self,
        r: RotateRequest<'_>,
        now: i64,
    ) -> Result<RefreshOutcome, StoreError> {
        let mut tx = self.pool.begin().await?;
        let claimed: Option<(String,)> = sqlx::query_as(
            "UPDATE refresh_tokens SET rotated_at = $1, successor_hash = $2 \
             WHERE token_hash = $3 AND rotated_at IS NULL AND expires_at > $1 \
             AND grant_id IN (SELECT id FROM grants WHERE client_id = $4) RETURNING grant_id",
        )
        .bind(now)
        .bind(r.successor_hash)
        .bind(r.presented_hash)
        .bind(r.client_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((grant_id,)) = claimed else {
            tx.rollback().await?;
            return Ok(RefreshOutcome::NotCurrent);
        };
        let sql = format!("SELECT {GRANT_COLUMNS} FROM grants g JOIN users u ON u.id = g.user_id WHERE g.id = $1");
        let grant: GrantRow = sqlx::query_as(&sql).bind(&grant_id).fetch_one(&mut *tx).await?;
        if !grant.is_live() {
            tx.rollback().await?;
            return Ok(RefreshOutcome::Dead(grant));
        }
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, grant_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(r.successor_hash)
        .bind(&grant_id)
        .bind(now)
        .bind(r.refresh_expires_at)
        .execute(&mut *tx)
        .await?;
        let scope = r.access_scope.unwrap_or(&grant.scope);
        insert_access(&mut tx, r.access_hash, &grant_id, scope, now, r.access_expires_at).await?;
        sqlx::query("UPDATE grants SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&grant_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(RefreshOutcome::Rotated(grant))
    }

    pub async fn refresh_token(&self, token_hash: &str) -> Result<Option<RefreshTokenRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT grant_id, created_at, expires_at, rotated_at, successor_hash FROM refresh_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn grant(&self, grant_id: &str) -> Result<Option<GrantRow>, StoreError> {
        let sql = format!("SELECT {GRANT_COLUMNS} FROM grants g JOIN users u ON u.id = g.user_id WHERE g.id = $1");
        Ok(sqlx::query_as(&sql).bind(grant_id).fetch_optional(&self.pool).await?)
    }

    /// Issues another access token on an existing link (a retried refresh).
    pub async fn add_access_token(
        &self,
        grant_id: &str,
        access_hash: &str,
        scope: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        insert_access(&mut tx, access_hash, grant_id, scope, now, expires_at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Revokes one access token, if `client_id`'s. Returns whether it was live.
    pub async fn revoke_access_token(&self, token_hash: &str, client_id: &str, now: i64) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE access_tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL \
             AND grant_id IN (SELECT id FROM grants WHERE client_id = $3)",
        )
        .bind(now)
        .bind(token_hash)
        .bind(client_id)
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
}

async fn insert_access(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    access_hash: &str,
    grant_id: &str,
    scope: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO access_tokens (token_hash, grant_id, scope, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(access_hash)
    .bind(grant_id)
    .bind(scope)
    .bind(now)
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
