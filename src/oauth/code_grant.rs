//! `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.6).
//!
//! In this order: look the code up, check the client, then spend it. A code
//! intercepted by another registered client is refused without being burnt,
//! so its rightful client can still redeem it. Spending, creating the link
//! and auditing it are one transaction: a database fault leaves the code
//! unspent, and the client's retry works instead of reading as a replay. A
//! replay (racing the first redemption, or days later after the code's row
//! was purged: the link keeps the code's hash) revokes the link it created.

use super::grant::CodeRedemption;
use super::tokens::TokenResponse;
use super::{token_format, AuthServer, OAuthError};
use crate::domain::{CodeChallenge, CodeChallengeMethod, CodeVerifier, TokenHash};
use crate::store::{AuditEvent, ClientRow, CodeLookup, CodeRow, NewLink};

impl AuthServer {
    pub async fn exchange_code(
        &self,
        client: &ClientRow,
        request: &CodeRedemption,
        now: i64,
    ) -> Result<TokenResponse, OAuthError> {
        let redirect_uri = request.redirect_uri.as_deref();
        let verifier = request.code_verifier.as_deref();
        let code_hash = TokenHash::of(&request.code);

        let found = match self.store.find_code(code_hash.as_str()).await? {
            CodeLookup::Fresh(row) => row,
            CodeLookup::Unknown => return Err(OAuthError::invalid_grant("the authorization code is invalid")),
            CodeLookup::Replayed { grant_id, spent_reason } => {
                return Err(self.code_replayed(client, grant_id, spent_reason, now).await?)
            }
        };
        if found.client_id != client.id {
            return Err(OAuthError::invalid_grant("the authorization code was issued to another client"));
        }
        if found.expires_at <= now {
            return Err(OAuthError::invalid_grant("the authorization code has expired"));
        }
        // Read before the transaction: while it is open it holds the code's
        // row (and on SQLite the write lock) and a pool connection, so any
        // other query from inside it could wait on the pool for ever.
        let user = self.store.user_by_id(&found.user_id).await?;
        let user_refused = user.as_ref().is_none_or(|u| u.is_disabled());
        let Some(redemption) = self.store.begin_redemption(code_hash.as_str(), now).await? else {
            // A racing redemption won; its link is committed and visible now.
            let (grant_id, reason) = match self.store.find_code(code_hash.as_str()).await? {
                CodeLookup::Replayed { grant_id, spent_reason } => (grant_id, spent_reason),
                _ => (None, None),
            };
            return Err(self.code_replayed(client, grant_id, reason, now).await?);
        };
        if let Err(e) = check_request(&redemption.row, redirect_uri, verifier) {
            redemption.burn(code_hash.as_str(), &e.description).await?;
            return Err(e);
        }
        if user_refused {
            redemption.burn(code_hash.as_str(), "the user is disabled").await?;
            self.audit_disabled_user_refused(client, &found.user_id, now).await;
            return Err(OAuthError::invalid_grant("the user is disabled"));
        }
        let row = redemption.row.clone();

        let grant_id = crate::store::new_id();
        let refresh = token_format::first_refresh_token(&grant_id);
        let access_token = self.access_token_string(client, &grant_id, 0, &row.user_id, &row.scope, now)?;
        let refresh_hash = refresh.hash();
        let link = NewLink {
            grant_id: &grant_id,
            user_id: &row.user_id,
            client_id: &client.id,
            scope: &row.scope,
            code_hash: code_hash.as_str(),
            refresh_hash: refresh_hash.as_str(),
            made_by: made_by(&row),
        };
        let audit = AuditEvent {
            actor: &format!("user:{}", row.user_id),
            action: "link_created",
            target: &grant_id,
            detail: serde_json::json!({ "client_id": client.id, "scope": row.scope, "made_by": made_by(&row) }),
        };
        redemption.create_link(link, audit, now).await?;
        Ok(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: self.settings.access_token_ttl,
            refresh_token: refresh.expose().to_string(),
            scope: row.scope,
        })
    }

    /// RFC 6749 §4.1.2: a replayed code may mean it was stolen; the link it
    /// produced is revoked. The answer says which happened: a link revoked,
    /// or a code an earlier refused attempt spent (and why).
    async fn code_replayed(
        &self,
        client: &ClientRow,
        grant_id: Option<String>,
        spent_reason: Option<String>,
        now: i64,
    ) -> Result<OAuthError, OAuthError> {
        if let Some(grant_id) = &grant_id {
            self.store.revoke_grant(grant_id, "code_replay", now).await?;
            self.forget_links();
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
        Ok(match (&grant_id, spent_reason) {
            (Some(_), _) => {
                tracing::warn!(client_id = %client.id, "authorization code replayed; link revoked");
                OAuthError::invalid_grant(
                    "the authorization code was already used; a code used twice may have been stolen, so the link \
                     it made is revoked (RFC 6749 §4.1.2): link the account again",
                )
            }
            (None, Some(reason)) => OAuthError::invalid_grant(format!(
                "the authorization code was spent by an earlier attempt that was refused ({reason}); a code is \
                 good for one attempt: link the account again"
            )),
            (None, None) => OAuthError::invalid_grant("the authorization code was already used"),
        })
    }
}

/// RFC 6749 §4.1.3 (the same redirect_uri) and RFC 7636 §4.6 (PKCE).
/// How the link a code makes was made: `app` for a code minted for
/// app-to-app linking, `google` for Google's browser flow (its redirect
/// URIs are on `oauth-redirect.googleusercontent.com`), else `alexa`.
fn made_by(row: &CodeRow) -> &'static str {
    if row.made_by.as_deref() == Some("app") {
        return "app";
    }
    let host = url::Url::parse(&row.redirect_uri).ok().and_then(|u| u.host_str().map(str::to_string));
    match host.as_deref() {
        Some(h) if h == "oauth-redirect.googleusercontent.com" || h.ends_with(".googleusercontent.com") => "google",
        _ => "alexa",
    }
}

fn check_request(row: &CodeRow, redirect_uri: Option<&str>, verifier: Option<&str>) -> Result<(), OAuthError> {
    if redirect_uri != Some(row.redirect_uri.as_str()) {
        return Err(OAuthError::invalid_grant("redirect_uri does not match the authorization request"));
    }
    match (&row.code_challenge, verifier) {
        (Some(challenge), Some(verifier)) => {
            let method =
                CodeChallengeMethod::parse(row.code_challenge_method.as_deref()).unwrap_or(CodeChallengeMethod::S256);
            let ok = CodeChallenge::parse(challenge, method)
                .ok()
                .zip(CodeVerifier::parse(verifier).ok())
                .is_some_and(|(c, v)| c.is_satisfied_by(&v));
            if !ok {
                return Err(OAuthError::invalid_grant("code_verifier does not match the code_challenge"));
            }
            Ok(())
        }
        (Some(_), None) => Err(OAuthError::invalid_grant("code_verifier is required for this code")),
        // RFC 9700 §2.1.1: a verifier without a challenge is refused.
        (None, Some(_)) => {
            Err(OAuthError::invalid_grant("code_verifier sent but the authorization request had no code_challenge"))
        }
        (None, None) => Ok(()),
    }
}
