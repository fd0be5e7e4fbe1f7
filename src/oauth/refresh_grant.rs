//! `grant_type=refresh_token`: idempotent rotation over one link record
//! (README "Refresh tokens", rules 1–6; the rules themselves are the pure
//! `rotation::judge`).
//!
//! A refresh token names its link and generation, and its successor is
//! derived from it (`token_format`), so:
//! - the common case is one UPDATE by primary key that rotates the token if
//!   it is current and the link live (rule 1), with no row added;
//! - anything else reads the row once and lets `judge` decide: a retry gets
//!   the same successor again, with no age limit while that successor is
//!   unused (rules 2 and 5); a genuine stale token revokes the link (rule 3);
//!   a forged one or a dead link is `invalid_grant` and nothing else (rule 4);
//!   a changed server key re-derives the unused successor instead of calling
//!   it theft (rule 6);
//! - a database fault is `temporarily_unavailable` (503) via `OAuthError::from`.

use super::grant::RefreshRequest;
use super::rotation::{self, Verdict};
use super::token_format::{self, RefreshToken};
use super::tokens::TokenResponse;
use super::{AuthServer, ErrorCode, OAuthError};
use crate::domain::{ScopeSet, TokenHash};
use crate::store::{AuditEvent, ClientRow, GrantRow, RotateRequest, StoreError};

/// Refresh tokens we issue are under 100 characters; anything far longer is not one.
const MAX_TOKEN_LEN: usize = 512;
/// Rotation races a settling request can lose before it asks for a retry.
const MAX_RACES: usize = 4;

/// What the response carries.
struct Issued {
    user_id: String,
    scope: String,
    generation: i64,
    refresh_token: String,
    /// When the access token counts as issued (now, or just after an RFC
    /// 7009 revocation it must outlive).
    issued_at: i64,
}

fn invalid() -> OAuthError {
    OAuthError::invalid_grant("the refresh token is invalid")
}

impl AuthServer {
    pub async fn refresh(
        &self,
        client: &ClientRow,
        request: &RefreshRequest,
        now: i64,
    ) -> Result<TokenResponse, OAuthError> {
        let presented = request.refresh_token.as_str();
        let Some((link_id, generation)) = self.locate_refresh(presented).await? else { return Err(invalid()) };
        let token = RefreshToken::new(presented, &link_id, generation);
        let successor = self.tokens.successor(token.raw, token.link_id, token.generation);
        // A scope to check needs the row first, so it skips the blind
        // rotation and settles on the one read (the link record is loaded
        // at most once either way).
        let rotated = match &request.scope {
            None => self.store.rotate_refresh(self.rotate_request(client, &token, &successor, now), now).await?,
            Some(_) => None,
        };
        let issued = match rotated {
            Some(r) => Issued {
                user_id: r.user_id,
                scope: r.scope,
                generation: r.generation,
                refresh_token: successor,
                issued_at: now,
            },
            None => self.settle(client, &token, &successor, request.scope.as_ref(), now).await?,
        };
        let access_token = self.access_token_string(
            client,
            token.link_id,
            issued.generation,
            &issued.user_id,
            &issued.scope,
            issued.issued_at,
        )?;
        Ok(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: self.settings.access_token_ttl,
            refresh_token: issued.refresh_token,
            scope: issued.scope,
        })
    }

    /// The link and generation a refresh token names: in the token, or for a
    /// first-schema token in `legacy_tokens`. Says nothing of genuineness.
    pub(super) async fn locate_refresh(&self, raw: &str) -> Result<Option<(String, i64)>, StoreError> {
        if raw.len() > MAX_TOKEN_LEN {
            return Ok(None);
        }
        if let Some(token) = RefreshToken::parse(raw) {
            return Ok(Some((token.link_id.to_string(), token.generation)));
        }
        if !token_format::is_legacy(raw) {
            return Ok(None);
        }
        let row = self.store.legacy_token(TokenHash::of(raw).as_str(), "refresh").await?;
        Ok(row.map(|(link, generation, _)| (link, generation)))
    }

    /// The link of `raw` if `raw` is one of its refresh tokens still known by
    /// hash (current, previous or older) and the link is `client`'s; with
    /// whether `raw` is the current one.
    pub(super) async fn genuine_refresh(
        &self,
        client: &ClientRow,
        raw: &str,
    ) -> Result<Option<(GrantRow, bool)>, StoreError> {
        let Some((link_id, generation)) = self.locate_refresh(raw).await? else { return Ok(None) };
        let Some(row) = self.store.grant(&link_id).await?.filter(|g| g.client_id == client.id) else {
            return Ok(None);
        };
        if !rotation::is_known(&chain_of(&row), raw, generation) {
            return Ok(None);
        }
        let current = generation == row.generation;
        Ok(Some((row, current)))
    }

    fn rotate_request<'a>(
        &self,
        client: &'a ClientRow,
        token: &'a RefreshToken<'a>,
        successor: &str,
        now: i64,
    ) -> RotateRequest<'a> {
        RotateRequest {
            link_id: token.link_id,
            generation: token.generation,
            presented_hash: TokenHash::of(token.raw),
            successor_hash: TokenHash::of(successor),
            client_id: &client.id,
            idle_after: now - self.settings.refresh_token_ttl,
        }
    }

    /// The presented token was not rotated at once: read the link and let
    /// the rules decide (a retry, a lost race, theft, or a dead link).
    async fn settle(
        &self,
        client: &ClientRow,
        token: &RefreshToken<'_>,
        successor: &str,
        scope: Option<&ScopeSet>,
        now: i64,
    ) -> Result<Issued, OAuthError> {
        for _ in 0..MAX_RACES {
            let Some(row) = self.store.grant(token.link_id).await? else { return Err(invalid()) };
            if row.client_id != client.id {
                // RFC 6749 §6: bound to the client it was issued to. Not theft
                // of this link by its own client, so nothing is revoked.
                return Err(invalid());
            }
            // A token that is not one of the link's learns nothing of it
            // (revoked, disabled, expired) and leaves no trace.
            if !row.is_live() || row.last_used_at <= now - self.settings.refresh_token_ttl {
                if !self.is_recent_or_derived(&row, token) {
                    return Err(invalid());
                }
                if !row.is_live() {
                    return Err(self.dead(client, &row, now).await);
                }
                return Err(OAuthError::invalid_grant("the refresh token has expired"));
            }
            // RFC 6749 §6: a refresh may not widen the scope. Narrowing may
            // be ignored (§3.3): the response's `scope` says what was
            // granted, because an access token carries no scope of its own.
            if scope.is_some_and(|s| !s.is_subset(&ScopeSet::parse(&row.scope).unwrap_or_default())) {
                return Err(OAuthError::new(ErrorCode::InvalidScope, "scope exceeds what was granted"));
            }
            let chain = chain_of(&row);
            let derive = |raw: &str, generation| self.tokens.successor(raw, token.link_id, generation);
            let grace = self.settings.refresh_grace_seconds;
            match rotation::judge(&chain, token.raw, token.generation, now, grace, derive) {
                Verdict::Rotate => {
                    let request = self.rotate_request(client, token, successor, now);
                    if let Some(r) = self.store.rotate_refresh(request, now).await? {
                        return Ok(Issued {
                            user_id: r.user_id,
                            scope: r.scope,
                            generation: r.generation,
                            refresh_token: successor.to_string(),
                            issued_at: now,
                        });
                    }
                }
                Verdict::Replay { token: again, generation, repair } => {
                    if repair {
                        let new_hash = TokenHash::of(&again);
                        if !self.store.add_alternative_current(&row.id, row.generation, new_hash.as_str()).await? {
                            continue;
                        }
                        tracing::warn!(
                            grant_id = %row.id,
                            "the refresh-successor key changed since this link rotated; its unused successor was \
                             re-derived under the current key (no link is revoked for a server-side key change)"
                        );
                    }
                    // An access token of a generation RFC 7009 revoked would
                    // be dead on arrival: issue it at the lowest live one,
                    // or, when the current generation's was revoked, after
                    // that revocation (`store::access`: it then stands).
                    let generation = generation.max(row.access_min_generation).min(row.generation);
                    let issued_at = match row.access_revoked_at {
                        Some(revoked) if generation < row.access_min_generation => now.max(revoked + 1),
                        _ => now,
                    };
                    return Ok(Issued {
                        user_id: row.user_id,
                        scope: row.scope,
                        generation,
                        refresh_token: again,
                        issued_at,
                    });
                }
                Verdict::Theft => return Err(self.theft(client, &row, now).await?),
                Verdict::Unknown => return Err(invalid()),
                Verdict::KeyMismatch => {
                    tracing::error!(
                        grant_id = %row.id,
                        "a retry inside the grace window cannot be answered: the refresh-successor key changed"
                    );
                    return Err(unavailable());
                }
            }
        }
        Err(unavailable())
    }

    /// Whether `token` is genuinely of this link's chain: one of its last
    /// three tokens, or an older one that derives forward to its current one.
    fn is_recent_or_derived(&self, row: &GrantRow, token: &RefreshToken<'_>) -> bool {
        let chain = chain_of(row);
        if rotation::is_known(&chain, token.raw, token.generation) {
            return true;
        }
        let derive = |raw: &str, generation| self.tokens.successor(raw, token.link_id, generation);
        matches!(rotation::judge(&chain, token.raw, token.generation, i64::MAX, 0, derive), Verdict::Theft)
    }

    /// README refresh rule 3: a genuine token presented after its chain moved on.
    async fn theft(&self, client: &ClientRow, grant: &GrantRow, now: i64) -> Result<OAuthError, OAuthError> {
        self.store.revoke_grant(&grant.id, "refresh_reuse", now).await?;
        // No cached resolution of this link may outlive the revocation here.
        self.forget_links();
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
        Ok(OAuthError::invalid_grant("the refresh token was already used; the link has been revoked"))
    }

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

fn chain_of(row: &GrantRow) -> rotation::Chain<'_> {
    rotation::Chain {
        generation: row.generation,
        current: row.current_hash.as_deref(),
        current_alt: row.current_alt_hash.as_deref(),
        previous: row.previous_hash.as_deref(),
        older: row.older_hash.as_deref(),
        rotated_at: row.rotated_at,
    }
}

fn unavailable() -> OAuthError {
    OAuthError::new(ErrorCode::TemporarilyUnavailable, "the service is temporarily unavailable, retry later")
}
