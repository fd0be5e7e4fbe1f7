//! The token endpoint's shared parts: form parsing, access-token minting,
//! the response shape, and resolving access tokens back to users.

use std::collections::HashMap;

use serde::Serialize;

use super::jwt::AccessClaims;
use super::{token_format, AuthServer, OAuthError};
use crate::domain::TokenHash;
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

/// RFC 6749 §5.1, as docs/endpoints.md lists it.
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub refresh_token: String,
    pub scope: String,
}

/// The link an access token names, once the token proved to be ours.
#[derive(Debug, Clone)]
pub struct AccessRef {
    pub link_id: String,
    pub generation: i64,
    pub expires_at: i64,
}

impl AuthServer {
    /// Mints an access token for generation `generation` of a link: opaque
    /// (MAC'd, see `token_format`) or an RFC 9068 JWT carrying the link id.
    /// Neither has a row; both are checked against the link on every use.
    pub fn access_token_string(
        &self,
        client: &ClientRow,
        link_id: &str,
        generation: i64,
        user_id: &str,
        scope: &str,
        now: i64,
    ) -> Result<String, OAuthError> {
        let exp = now + self.settings.access_token_ttl;
        if client.token_format != crate::domain::TokenFormat::Jwt {
            return Ok(self.tokens.access_token(link_id, generation, exp));
        }
        let claims = AccessClaims {
            iss: self.issuer.to_string(),
            sub: user_id.to_string(),
            aud: client.id.clone(),
            client_id: client.id.clone(),
            exp,
            iat: now,
            // An identifier (RFC 9068 §2.2), never a credential.
            jti: uuid::Uuid::new_v4().simple().to_string(),
            scope: scope.to_string(),
            lid: link_id.to_string(),
            gen: generation,
        };
        self.keys.sign(&claims).map_err(|e| {
            tracing::error!(error = %e, "signing an access token failed");
            OAuthError::new(super::ErrorCode::ServerError, "internal error")
        })
    }

    /// The link an access token names, if the token is ours: its MAC checks
    /// out (opaque), its signature does (JWT), or it is a first-schema token
    /// in `legacy_tokens`. An opaque token's expiry is not checked here
    /// (`SkillDisabled` names expired tokens too); a JWT's is.
    pub async fn open_access(&self, token: &str) -> Result<Option<AccessRef>, StoreError> {
        if token.len() > 4096 {
            return Ok(None);
        }
        Ok(match token.bytes().filter(|&b| b == b'.').count() {
            3 => self.tokens.open_access_token(token).map(|t| AccessRef {
                link_id: t.link_id,
                generation: t.generation,
                expires_at: t.expires_at,
            }),
            2 => self.keys.verify(token, &self.issuer).await.map(|c| AccessRef {
                link_id: c.lid,
                generation: c.gen,
                expires_at: c.exp,
            }),
            0 if token_format::is_legacy(token) => self
                .store
                .legacy_token(TokenHash::of(token).as_str(), "access")
                .await?
                .map(|(link_id, generation, expires_at)| AccessRef { link_id, generation, expires_at }),
            _ => None,
        })
    }

    /// Resolves an access token of either format to its live link, user and
    /// permissions; `None` for anything expired, revoked, disabled or
    /// unknown. Answers may be up to `access_cache::TTL` old.
    pub async fn resolve_access(
        &self,
        token: &str,
        now: i64,
    ) -> Result<Option<std::sync::Arc<ResolvedToken>>, StoreError> {
        if token.len() > 4096 {
            return Ok(None);
        }
        let cache_key = TokenHash::of(token);
        if let Some(hit) = self.access_cache.get(&cache_key, now) {
            return Ok(Some(hit));
        }
        let Some(r) = self.open_access(token).await? else { return Ok(None) };
        if r.expires_at <= now {
            return Ok(None);
        }
        let issued_at = r.expires_at - self.settings.access_token_ttl;
        let resolved =
            self.store.resolve_link(&r.link_id, r.generation, issued_at, r.expires_at).await?.map(std::sync::Arc::new);
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
