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

impl AuthServer {
    /// Renders an access token around `secret`, the value whose hash is
    /// stored: the token itself when opaque, the `jti` of a signed JWT
    /// otherwise. Storing both kinds the same way lets either be revoked.
    pub fn access_token_string(
        &self,
        client: &ClientRow,
        secret: &Secret,
        grant_id: &str,
        user_id: &str,
        scope: &str,
        now: i64,
    ) -> Result<String, OAuthError> {
        if client.token_format != "jwt" {
            return Ok(secret.expose().to_string());
        }
        let claims = AccessClaims {
            iss: self.issuer.to_string(),
            sub: user_id.to_string(),
            aud: client.id.clone(),
            client_id: client.id.clone(),
            exp: now + self.settings.access_token_ttl,
            iat: now,
            jti: secret.expose().to_string(),
            scope: scope.to_string(),
            lid: grant_id.to_string(),
        };
        self.keys.sign(&claims).map_err(|e| {
            tracing::error!(error = %e, "signing an access token failed");
            OAuthError::new(super::ErrorCode::ServerError, "internal error")
        })
    }

    /// The stored-hash key of an access token: the token's own hash when
    /// opaque, its `jti`'s after the signature checks out when a JWT.
    pub async fn access_token_key(&self, token: &str) -> Option<TokenHash> {
        if token.len() > 4096 {
            return None;
        }
        if token.contains('.') {
            let claims = self.keys.verify(token, &self.issuer).await?;
            return Some(TokenHash::of(&claims.jti));
        }
        Some(TokenHash::of(token))
    }

    /// Resolves an access token of either format to its live link, user and
    /// permissions; `None` for anything expired, revoked, disabled or
    /// unknown. Answers may be up to `access_cache::TTL` old.
    pub async fn resolve_access(&self, token: &str, now: i64) -> Result<Option<ResolvedToken>, StoreError> {
        if token.len() > 4096 {
            return Ok(None);
        }
        let cache_key = TokenHash::of(token);
        if let Some(hit) = self.access_cache.get(&cache_key, now) {
            return Ok(Some(hit));
        }
        let Some(stored_key) = self.access_token_key(token).await else { return Ok(None) };
        let resolved = self.store.resolve_access_token(stored_key.as_str(), now).await?;
        if let Some(r) = &resolved {
            self.access_cache.insert(cache_key, r.clone());
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
