//! The token endpoint's shared parts: form parsing, access-token minting,
//! the response shape, and resolving access tokens back to users.

use std::collections::HashMap;

use serde::Serialize;

use super::jwt::AccessClaims;
use super::{AuthServer, OAuthError};
use crate::domain::{Secret, TokenHash};
use crate::store::{ClientRow, ResolvedToken, StoreError};

/// A form body (RFC 6749 §3.2: no parameter may appear twice).
#[derive(Debug, Default)]
pub struct FormParams(HashMap<String, String>);

/// No legitimate parameter comes near this; larger values are refused.
const MAX_VALUE_LEN: usize = 4096;

impl FormParams {
    pub fn parse(body: &[u8]) -> Result<Self, OAuthError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
            .map_err(|_| OAuthError::invalid_request("the body is not application/x-www-form-urlencoded"))?;
        let mut map = HashMap::with_capacity(pairs.len());
        for (k, v) in pairs {
            if v.len() > MAX_VALUE_LEN {
                return Err(OAuthError::invalid_request(format!("parameter {k} is too long")));
            }
            if map.insert(k.clone(), v).is_some() {
                return Err(OAuthError::invalid_request(format!("parameter {k} is repeated")));
            }
        }
        Ok(Self(map))
    }

    /// An optional parameter; an empty value counts as absent (RFC 6749 §3.1).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }

    pub fn require(&self, key: &str) -> Result<&str, OAuthError> {
        self.get(key).ok_or_else(|| OAuthError::invalid_request(format!("{key} is required")))
    }
}

/// RFC 6749 §5.1, as SPEC.md fixes it.
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub refresh_token: String,
    pub scope: String,
}

pub struct MintedAccess {
    pub token: String,
    /// What to store; JWTs are self-contained and not stored.
    pub hash: Option<TokenHash>,
    pub expires_at: i64,
}

impl AuthServer {
    pub fn mint_access(
        &self,
        client: &ClientRow,
        grant_id: &str,
        user_id: &str,
        scope: &str,
        now: i64,
    ) -> Result<MintedAccess, OAuthError> {
        let expires_at = now + self.settings.access_token_ttl;
        if client.token_format == "jwt" {
            let claims = AccessClaims {
                iss: self.issuer.to_string(),
                sub: user_id.to_string(),
                aud: client.id.clone(),
                client_id: client.id.clone(),
                exp: expires_at,
                iat: now,
                jti: uuid::Uuid::new_v4().to_string(),
                scope: scope.to_string(),
                lid: grant_id.to_string(),
            };
            let token = self.keys.sign(&claims).map_err(|e| {
                tracing::error!(error = %e, "signing an access token failed");
                OAuthError::new(super::ErrorCode::ServerError, "internal error")
            })?;
            return Ok(MintedAccess { token, hash: None, expires_at });
        }
        let secret = Secret::generate();
        let hash = secret.hash();
        Ok(MintedAccess { token: secret.expose().to_string(), hash: Some(hash), expires_at })
    }

    /// Resolves an access token of either format to its live link, user and
    /// permissions; `None` for anything expired, revoked, disabled or
    /// unknown. Answers may be up to `access_cache::TTL` old.
    pub async fn resolve_access(&self, token: &str, now: i64) -> Result<Option<ResolvedToken>, StoreError> {
        if token.len() > 4096 {
            return Ok(None);
        }
        let key = TokenHash::of(token);
        if let Some(hit) = self.access_cache.get(&key, now) {
            return Ok(Some(hit));
        }
        let resolved = if token.contains('.') {
            let Some(claims) = self.keys.verify(token, &self.issuer).await else { return Ok(None) };
            let resolved = self.store.resolve_grant(&claims.lid).await?;
            // The JWT's own scope and expiry, not the link's, are what this token carries.
            resolved.filter(|r| r.user_id == claims.sub).map(|mut r| {
                r.scope = claims.scope;
                r.expires_at = claims.exp;
                r
            })
        } else {
            self.store.resolve_access_token(key.as_str(), now).await?
        };
        if let Some(r) = &resolved {
            self.access_cache.insert(key, r.clone());
        }
        Ok(resolved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_parameters_are_refused() {
        assert!(FormParams::parse(b"grant_type=a&grant_type=b").is_err());
    }

    #[test]
    fn empty_values_count_as_absent() {
        let p = FormParams::parse(b"code=&grant_type=x").unwrap();
        assert!(p.get("code").is_none());
        assert_eq!(p.require("grant_type").unwrap(), "x");
        assert!(p.require("code").is_err());
    }

    #[test]
    fn oversized_values_are_refused() {
        let body = format!("code={}", "a".repeat(5000));
        assert!(FormParams::parse(body.as_bytes()).is_err());
    }
}
