//! The hot path: an access token (opaque, or a JWT's jti) to its live link, user
//! and permissions in one indexed query. The LEFT JOIN yields one row per
//! permission (or one row with NULL), which avoids the backend-specific
//! string aggregation functions.

use super::{ResolvedToken, Store, StoreError};

/// grant id, client id, user id, email, name, scope, issued_at, expires_at, alexa user id, permission.
type Row = (String, String, String, String, String, String, i64, i64, Option<String>, Option<String>);

/// The token row (an opaque token's hash, or a JWT's jti hash), its link,
/// user and permissions.
const BY_ACCESS_TOKEN: &str =
    "SELECT g.id, g.client_id, u.id, u.email, u.name, a.scope, a.created_at, a.expires_at, g.alexa_user_id, \
     p.permission FROM access_tokens a JOIN grants g ON g.id = a.grant_id JOIN users u ON u.id = g.user_id \
     LEFT JOIN user_permissions p ON p.user_id = u.id \
     WHERE a.token_hash = $1 AND a.expires_at > $2 AND a.revoked_at IS NULL \
     AND g.revoked_at IS NULL AND u.disabled = 0 ORDER BY p.permission";

impl Store {
    /// An opaque access token that is unexpired, unrevoked, on a live link of
    /// an enabled user; `None` otherwise.
    pub async fn resolve_access_token(&self, token_hash: &str, now: i64) -> Result<Option<ResolvedToken>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(BY_ACCESS_TOKEN).bind(token_hash).bind(now).fetch_all(&self.pool).await?;
        Ok(fold(rows))
    }
}

/// Rows that differ only in the permission → one `ResolvedToken`.
fn fold(rows: Vec<Row>) -> Option<ResolvedToken> {
    let mut rows = rows.into_iter();
    let (grant_id, client_id, user_id, email, name, scope, issued_at, expires_at, alexa_user_id, first) =
        rows.next()?;
    let permissions = first.into_iter().chain(rows.filter_map(|r| r.9)).collect();
    Some(ResolvedToken {
        grant_id,
        client_id,
        user_id,
        email,
        name,
        scope,
        issued_at,
        permissions,
        alexa_user_id,
        expires_at,
    })
}
