//! The hot read: an access token's link (by primary key), its user and
//! permissions in one query. The token itself was already proven by its MAC
//! or signature; this checks that its link still stands. The LEFT JOIN yields
//! one row per permission (or one row with NULL), which avoids the
//! backend-specific string aggregation functions.

use super::{ResolvedToken, Store, StoreError};

/// grant id, client id, user id, email, name, scope, alexa user id, permission.
type Row = (String, String, String, String, String, String, Option<String>, Option<String>);

/// A live link of an enabled user whose access tokens of `generation` are
/// not revoked (RFC 7009 raises `access_min_generation`).
const BY_LINK: &str = "SELECT g.id, g.client_id, u.id, u.email, u.name, g.scope, g.alexa_user_id, p.permission \
     FROM grants g JOIN users u ON u.id = g.user_id LEFT JOIN user_permissions p ON p.user_id = u.id \
     WHERE g.id = $1 AND g.revoked_at IS NULL AND u.disabled = 0 \
     AND g.access_min_generation <= $2 AND g.generation >= $2 ORDER BY p.permission";

impl Store {
    /// The link behind a verified access token of `generation`, if it is
    /// still live; `issued_at` and `expires_at` come from the token.
    pub async fn resolve_link(
        &self,
        link_id: &str,
        generation: i64,
        issued_at: i64,
        expires_at: i64,
    ) -> Result<Option<ResolvedToken>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(BY_LINK).bind(link_id).bind(generation).fetch_all(&self.pool).await?;
        let mut rows = rows.into_iter();
        let Some((grant_id, client_id, user_id, email, name, scope, alexa_user_id, first)) = rows.next() else {
            return Ok(None);
        };
        let permissions = first.into_iter().chain(rows.filter_map(|r| r.7)).collect();
        Ok(Some(ResolvedToken {
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
        }))
    }
}
