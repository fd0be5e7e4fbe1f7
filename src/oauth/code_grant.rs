//! `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.6).

use super::tokens::{FormParams, TokenResponse};
use super::{token_format, AuthServer, OAuthError};
use crate::domain::{CodeChallenge, CodeChallengeMethod, CodeVerifier, TokenHash};
use crate::store::{AuditEvent, ClientRow, CodeRedemption, NewLink};

impl AuthServer {
    pub async fn exchange_code(
        &self,
        client: &ClientRow,
        params: &FormParams,
        now: i64,
    ) -> Result<TokenResponse, OAuthError> {
        let code = params.require("code")?;
        let redirect_uri = params.get("redirect_uri");
        let verifier = params.get("code_verifier");
        let code_hash = TokenHash::of(code);

        let row = match self.store.redeem_code(code_hash.as_str(), now).await? {
            CodeRedemption::Redeemed(row) => row,
            CodeRedemption::Unknown => return Err(OAuthError::invalid_grant("the authorization code is invalid")),
            CodeRedemption::Replayed { grant_id } => {
                // RFC 6749 §4.1.2: a replayed code may mean it was stolen; the
                // link it produced is revoked.
                if let Some(grant_id) = &grant_id {
                    self.store.revoke_grant(grant_id, "code_replay", now).await?;
                    self.access_cache.clear();
                }
                self.store
                    .audit(
                        AuditEvent {
                            actor: &format!("client:{}", client.id),
                            action: "code_replay",
                            target: grant_id.as_deref().unwrap_or(""),
                            detail: serde_json::json!({ "client_id": client.id, "grant_id": grant_id }),
                        },
                        now,
                    )
                    .await?;
                tracing::warn!(client_id = %client.id, "authorization code replayed; link revoked");
                return Err(OAuthError::invalid_grant("the authorization code was already used"));
            }
        };
        if row.expires_at <= now {
            return Err(OAuthError::invalid_grant("the authorization code has expired"));
        }
        if row.client_id != client.id {
            return Err(OAuthError::invalid_grant("the authorization code was issued to another client"));
        }
        if redirect_uri != Some(row.redirect_uri.as_str()) {
            return Err(OAuthError::invalid_grant("redirect_uri does not match the authorization request"));
        }
        match (&row.code_challenge, verifier) {
            (Some(challenge), Some(verifier)) => {
                let method = CodeChallengeMethod::parse(row.code_challenge_method.as_deref())
                    .unwrap_or(CodeChallengeMethod::S256);
                let ok = CodeChallenge::parse(challenge, method)
                    .ok()
                    .zip(CodeVerifier::parse(verifier).ok())
                    .is_some_and(|(c, v)| c.is_satisfied_by(&v));
                if !ok {
                    return Err(OAuthError::invalid_grant("code_verifier does not match the code_challenge"));
                }
            }
            (Some(_), None) => return Err(OAuthError::invalid_grant("code_verifier is required for this code")),
            // RFC 9700 §2.1.1: a verifier without a challenge is refused.
            (None, Some(_)) => {
                return Err(OAuthError::invalid_grant(
                    "code_verifier sent but the authorization request had no code_challenge",
                ))
            }
            (None, None) => {}
        }
        let user = self.store.user_by_id(&row.user_id).await?;
        if user.as_ref().is_none_or(|u| u.is_disabled()) {
            self.audit_disabled_user_refused(client, &row.user_id, now).await;
            return Err(OAuthError::invalid_grant("the user is disabled"));
        }

        let grant_id = crate::store::new_id();
        let refresh = token_format::first_refresh_token(&grant_id);
        let access_token = self.access_token_string(client, &grant_id, 0, &row.user_id, &row.scope, now)?;
        self.store
            .create_link(
                NewLink {
                    grant_id: &grant_id,
                    user_id: &row.user_id,
                    client_id: &client.id,
                    scope: &row.scope,
                    code_hash: code_hash.as_str(),
                    refresh_hash: refresh.hash().as_str(),
                },
                now,
            )
            .await?;
        self.store
            .audit(
                AuditEvent {
                    actor: &format!("user:{}", row.user_id),
                    action: "link_created",
                    target: &grant_id,
                    detail: serde_json::json!({ "client_id": client.id, "scope": row.scope }),
                },
                now,
            )
            .await?;
        Ok(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: self.settings.access_token_ttl,
            refresh_token: refresh.expose().to_string(),
            scope: row.scope,
        })
    }
}
