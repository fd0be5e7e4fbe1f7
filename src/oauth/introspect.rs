//! RFC 7662 token introspection, for the client the token was issued to.
//! Anything revoked, expired, of a disabled user, unknown, or of another
//! client is `{"active": false}` and nothing more (§2.2).

use serde_json::{json, Value};

use super::tokens::FormParams;
use super::{AuthServer, OAuthError};
use crate::store::ClientRow;

impl AuthServer {
    pub async fn introspect(&self, client: &ClientRow, params: &FormParams, now: i64) -> Result<Value, OAuthError> {
        let token = params.require("token")?;
        let refresh_first = params.get("token_type_hint") == Some("refresh_token");
        let found = if refresh_first {
            match self.introspect_refresh(client, token, now).await? {
                Some(v) => Some(v),
                None => self.introspect_access(client, token, now).await?,
            }
        } else {
            match self.introspect_access(client, token, now).await? {
                Some(v) => Some(v),
                None => self.introspect_refresh(client, token, now).await?,
            }
        };
        Ok(found.unwrap_or_else(|| json!({ "active": false })))
    }

    async fn introspect_access(&self, client: &ClientRow, token: &str, now: i64) -> Result<Option<Value>, OAuthError> {
        let Some(r) = self.resolve_access(token, now).await? else { return Ok(None) };
        if r.client_id != client.id {
            return Ok(None);
        }
        Ok(Some(json!({
            "active": true, "token_type": "Bearer", "iss": self.issuer.as_ref(),
            "sub": r.user_id, "client_id": r.client_id, "scope": r.scope,
            "exp": r.expires_at, "iat": r.issued_at, "username": r.email, "permissions": r.permissions,
        })))
    }

    async fn introspect_refresh(&self, client: &ClientRow, token: &str, now: i64) -> Result<Option<Value>, OAuthError> {
        // Only the current token is the link's credential; a rotated one
        // still answers a retry, but is not active.
        let Some((grant, true)) = self.genuine_refresh(client, token).await? else { return Ok(None) };
        let expires_at = grant.last_used_at + self.settings.refresh_token_ttl;
        if !grant.is_live() || expires_at <= now {
            return Ok(None);
        }
        let Some(user) = self.store.user_by_id(&grant.user_id).await? else { return Ok(None) };
        let permissions = self.store.user_permissions(&user.id).await?;
        Ok(Some(json!({
            "active": true, "token_type": "refresh_token", "iss": self.issuer.as_ref(),
            "sub": user.id, "client_id": grant.client_id, "scope": grant.scope,
            "exp": expires_at, "iat": grant.rotated_at.unwrap_or(grant.created_at),
            "username": user.email, "permissions": permissions,
        })))
    }
}
