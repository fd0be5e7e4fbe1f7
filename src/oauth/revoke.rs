//! RFC 7009 token revocation. A refresh token revokes its whole link (every
//! token of it), but only a genuine one: a link id alone, which is not a
//! secret, revokes nothing. An access token has no row of its own, so
//! revoking one kills every access token of its link up to that one's
//! generation; the link and its refresh token live on and the next refresh
//! issues a working access token. Unknown tokens, and tokens of other
//! clients, are answered like success without effect (§2.2: the client could
//! do nothing useful with an error, and it must not learn whether another
//! client's token exists).

use super::tokens::FormParams;
use super::{token_format, AuthServer, OAuthError};
use crate::domain::TokenHash;
use crate::store::{AuditEvent, ClientRow};

/// Our tokens are under 100 characters and JWTs well under this.
const MAX_TOKEN_LEN: usize = 4096;

impl AuthServer {
    pub async fn revoke(&self, client: &ClientRow, params: &FormParams, now: i64) -> Result<(), OAuthError> {
        let token = params.require("token")?;
        if token.len() > MAX_TOKEN_LEN {
            return Ok(());
        }
        // §2.1: the hint only orders the search.
        let access_first = params.get("token_type_hint") == Some("access_token");
        if access_first && self.revoke_access(client, token, now).await? {
            return Ok(());
        }
        if self.revoke_link_of_refresh(client, token, now).await? {
            return Ok(());
        }
        if !access_first {
            self.revoke_access(client, token, now).await?;
        }
        Ok(())
    }

    async fn revoke_link_of_refresh(&self, client: &ClientRow, token: &str, now: i64) -> Result<bool, OAuthError> {
        let Some((grant, _)) = self.genuine_refresh(client, token).await? else { return Ok(false) };
        if self.store.revoke_grant(&grant.id, "revoked_by_client", now).await? {
            self.forget_links();
            self.store
                .audit(
                    AuditEvent {
                        actor: &format!("client:{}", client.id),
                        action: "link_revoked",
                        target: &grant.id,
                        detail: serde_json::json!({ "client_id": client.id, "user_id": grant.user_id, "via": "revocation_endpoint" }),
                    },
                    now,
                )
                .await?;
        }
        Ok(true)
    }

    async fn revoke_access(&self, client: &ClientRow, token: &str, now: i64) -> Result<bool, OAuthError> {
        let revoked = if token_format::is_legacy(token) {
            self.store.revoke_legacy_access(TokenHash::of(token).as_str(), &client.id).await?
        } else {
            let Some(r) = self.open_access(token).await? else { return Ok(false) };
            self.store.revoke_access_up_to(&r.link_id, &client.id, r.generation, now).await?
        };
        if revoked {
            self.access_cache.clear();
        }
        Ok(revoked)
    }
}
