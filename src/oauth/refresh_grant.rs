//! `grant_type=refresh_token` with idempotent rotation (SPEC.md "Refresh
//! tokens").
//!
//! Design: a rotated token's successor is not random but derived,
//! `S = base64url(HMAC-SHA256(K, T))`, with `K` a per-deployment secret kept
//! in the database (`server_secrets`, created on first start and shared by
//! every instance). So the database still holds only hashes, yet any instance
//! that is shown `T` again can hand back the very same `S` without having
//! stored it: retries and parallel refreshes converge on one chain. S is as
//! unguessable as T (256 bits, keyed), and knowing S does not reveal T.
//!
//! Rules, in order:
//! 1. `T` current → rotate atomically to `S` (one winner among racers).
//! 2. `T` rotated and `S` unused, or `S` first used less than
//!    `refresh_grace_seconds` ago while its own successor is still unused →
//!    answer `S` again with a fresh access token.
//! 3. Any other presentation of a rotated token → theft: revoke the link.
//! 4. `invalid_grant` only for links that are truly gone; a database fault
//!    surfaces as `temporarily_unavailable` (503) through `OAuthError::from`.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use super::tokens::{FormParams, TokenResponse};
use super::{AuthServer, ErrorCode, OAuthError};
use crate::domain::{ScopeSet, Secret, TokenHash};
use crate::store::{AuditEvent, ClientRow, GrantRow, RefreshOutcome, RotateRequest};

/// Refresh tokens we issue are 43 characters; anything far longer is not one.
const MAX_TOKEN_LEN: usize = 512;

impl AuthServer {
    pub fn successor_of(&self, presented: &str) -> Secret {
        let tag = ring::hmac::sign(&self.refresh_key, presented.as_bytes());
        Secret::new(URL_SAFE_NO_PAD.encode(tag.as_ref()))
    }

    pub async fn refresh(
        &self,
        client: &ClientRow,
        params: &FormParams,
        now: i64,
    ) -> Result<TokenResponse, OAuthError> {
        let presented = params.require("refresh_token")?;
        if presented.len() > MAX_TOKEN_LEN {
            return Err(OAuthError::invalid_grant("the refresh token is invalid"));
        }
        let presented_hash = TokenHash::of(presented);
        // RFC 6749 §6: a refresh may narrow the scope, never widen it. Alexa
        // never sends one, so only this rare case pays for the extra lookup.
        let narrowed = match params.get("scope") {
            Some(raw) => Some(self.narrowed_scope(raw, &presented_hash).await?),
            None => None,
        };
        let successor = self.successor_of(presented);
        let successor_hash = successor.hash();
        // Stored in the same transaction as the rotation.
        let access = Secret::generate();
        let access_hash = access.hash();
        let access_expires_at = now + self.settings.access_token_ttl;

        let outcome = self
            .store
            .rotate_refresh(
                RotateRequest {
                    presented_hash: presented_hash.as_str(),
                    successor_hash: successor_hash.as_str(),
                    client_id: &client.id,
                    refresh_expires_at: now + self.settings.refresh_token_ttl,
                    access_hash: access_hash.as_str(),
                    access_scope: narrowed.as_deref(),
                    access_expires_at,
                },
                now,
            )
            .await?;
        let grant = match outcome {
            RefreshOutcome::Rotated(grant) => grant,
            RefreshOutcome::Dead(grant) => return Err(self.dead(client, &grant, now).await),
            RefreshOutcome::NotCurrent => {
                let grant = self.check_rotated(client, &presented_hash, &successor_hash, now).await?;
                let scope = narrowed.as_deref().unwrap_or(&grant.scope);
                self.store.add_access_token(&grant.id, access_hash.as_str(), scope, access_expires_at, now).await?;
                grant
            }
        };
        let scope = narrowed.unwrap_or_else(|| grant.scope.clone());
        let access_token = self.access_token_string(client, &access, &grant.id, &grant.user_id, &scope, now)?;
        Ok(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: self.settings.access_token_ttl,
            refresh_token: successor.expose().to_string(),
            scope,
        })
    }

    async fn narrowed_scope(&self, raw: &str, presented: &TokenHash) -> Result<String, OAuthError> {
        let requested = ScopeSet::parse(raw).map_err(|e| OAuthError::new(ErrorCode::InvalidScope, e.0))?;
        let invalid = || OAuthError::invalid_grant("the refresh token is invalid");
        let row = self.store.refresh_token(presented.as_str()).await?.ok_or_else(invalid)?;
        let grant = self.store.grant(&row.grant_id).await?.ok_or_else(invalid)?;
        let granted = ScopeSet::parse(&grant.scope).unwrap_or_default();
        if !requested.is_subset(&granted) {
            return Err(OAuthError::new(ErrorCode::InvalidScope, "scope exceeds what was granted"));
        }
        Ok(if requested.is_empty() { grant.scope } else { requested.to_string() })
    }

    /// The presented token is not current: either an honest retry (rule 2),
    /// a dead link, or reuse of a stolen token (rule 3).
    async fn check_rotated(
        &self,
        client: &ClientRow,
        presented: &TokenHash,
        successor: &TokenHash,
        now: i64,
    ) -> Result<GrantRow, OAuthError> {
        let unknown = || OAuthError::invalid_grant("the refresh token is invalid");
        let Some(row) = self.store.refresh_token(presented.as_str()).await? else { return Err(unknown()) };
        let Some(grant) = self.store.grant(&row.grant_id).await? else { return Err(unknown()) };
        if grant.client_id != client.id {
            // RFC 6749 §6: bound to the client it was issued to. Not theft
            // of this link by its own client, so nothing is revoked.
            return Err(unknown());
        }
        if !grant.is_live() {
            return Err(self.dead(client, &grant, now).await);
        }
        let Some(_rotated_at) = row.rotated_at else {
            // Current but not rotatable: its inactivity limit has passed.
            return Err(OAuthError::invalid_grant("the refresh token has expired"));
        };
        let next = match row.successor_hash.as_deref() {
            Some(h) if h == successor.as_str() => self.store.refresh_token(h).await?,
            _ => None,
        };
        let grace = self.settings.refresh_grace_seconds;
        let honest = match &next {
            Some(s) => match s.rotated_at {
                None => s.expires_at > now,
                Some(used_at) if now - used_at <= grace => match s.successor_hash.as_deref() {
                    Some(h) => self.store.refresh_token(h).await?.is_some_and(|u| u.rotated_at.is_none()),
                    None => false,
                },
                Some(_) => false,
            },
            None => false,
        };
        if honest {
            return Ok(grant);
        }
        self.store.revoke_grant(&grant.id, "refresh_reuse", now).await?;
        // Theft: no cached resolution of this link may outlive the revocation here.
        self.access_cache.clear();
        self.store
            .audit(
                AuditEvent {
                    actor: &format!("client:{}", client.id),
                    action: "refresh_reuse_detected",
                    target: &grant.id,
                    detail: serde_json::json!({ "client_id": client.id, "grant_id": grant.id, "user_id": grant.user_id }),
                },
                now,
            )
            .await?;
        tracing::warn!(client_id = %client.id, grant_id = %grant.id, "refresh token reuse detected; link revoked");
        Err(OAuthError::invalid_grant("the refresh token was already used; the link has been revoked"))
    }
}

impl AuthServer {
    /// The answer for a link that is gone; a disabled user's attempt is a
    /// security event admins see in the audit log.
    async fn dead(&self, client: &ClientRow, grant: &GrantRow, now: i64) -> OAuthError {
        if grant.revoked_at.is_some() {
            return OAuthError::invalid_grant("the link has been revoked");
        }
        self.audit_disabled_user_refused(client, &grant.user_id, now).await;
        OAuthError::invalid_grant("the user is disabled")
    }

    /// Best effort: failing to audit must not turn `invalid_grant` into a 5xx.
    pub(super) async fn audit_disabled_user_refused(&self, client: &ClientRow, user_id: &str, now: i64) {
        let event = AuditEvent {
            actor: &format!("client:{}", client.id),
            action: "disabled_user_refused",
            target: user_id,
            detail: serde_json::json!({ "client_id": client.id, "via": "token_endpoint" }),
        };
        if let Err(e) = self.store.audit(event, now).await {
            tracing::warn!(error = %e, "could not audit a disabled user's access attempt");
        }
    }
}
