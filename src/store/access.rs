//! The hot path: an access token (or a JWT's link id) to its live link, user
//! and permissions in one indexed query. The LEFT JOIN yields one row per
//! permission (or one row with NULL), which avoids the backend-specific
//! string aggregation functions.

use super::{ResolvedToken, Store, StoreError};

/// grant id, client id, user id, email, name, scope, expires_at, alexa user id, permission.
type Row = (String, String, String, String, String, String, i64, Option<String>, Option<String>);

const COLUMNS: &str = "g.id, g.client_id, u.id, u.email, u.name";
const PERMISSIONS: &str = "JOIN users u ON u.id = g.user_id LEFT JOIN user_permissions p ON p.user_id = u.id";
const LIVE: &str = "g.revoked_at IS NULL AND u.disabled = 0";

impl Store {
    /// An opaque access token that is unexpired, unrevoked, on a live link of
    /// an enabled user; `None` otherwise.
    pub async fn resolve_access_token(&self, token_hash: &str, now: i64) -> Result<Option<ResolvedToken>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS}, a.scope, a.expires_at, g.alexa_user_id, p.permission \
             FROM access_tokens a JOIN grants g ON g.id = a.grant_id {PERMISSIONS} \
             WHERE a.token_hash = $1 AND a.expires_at > $2 AND a.revoked_at IS NULL AND {LIVE} \
             ORDER BY p.permission"
        );
        let rows: Vec<Row> = sqlx::query_as(&sql).bind(token_hash).bind(now).fetch_all(&self.pool).await?;
        Ok(fold(rows))
    }

    /// The live link a JWT access token names; `None` if revoked or disabled.
    /// `expires_at` is left at `i64::MAX`: the JWT's own `exp` applies.
    pub async fn resolve_grant(&self, grant_id: &str) -> Result<Option<ResolvedToken>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS}, g.scope, {max}, g.alexa_user_id, p.permission \
             FROM grants g {PERMISSIONS} WHERE g.id = $1 AND {LIVE} ORDER BY p.permission",
            max = i64::MAX
        );
        let rows: Vec<Row> = sqlx::query_as(&sql).bind(grant_id).fetch_all(&self.pool).await?;
        Ok(fold(rows))
    }
}

/// Rows that differ only in the permission → one `ResolvedToken`.
fn fold(rows: Vec<Row>) -> Option<ResolvedToken> {
    let mut rows = rows.into_iter();
    let (grant_id, client_id, user_id, email, name, scope, expires_at, alexa_user_id, first) = rows.next()?;
    let permissions = first.into_iter().chain(rows.filter_map(|r| r.8)).collect();
    Some(ResolvedToken { grant_id, client_id, user_id, email, name, scope, permissions, alexa_user_id, expires_at })
}
