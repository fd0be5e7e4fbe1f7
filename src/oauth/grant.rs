//! The token endpoint's grant parameters as a typed request, parsed at the
//! edge (`routes/token.rs`) so the grants never read a form.

use super::tokens::FormParams;
use super::{ErrorCode, OAuthError};
use crate::domain::ScopeSet;

/// `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5).
#[derive(Debug, Clone)]
pub struct CodeRedemption {
    pub code: String,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
}

/// `grant_type=refresh_token` (RFC 6749 §6).
#[derive(Debug, Clone)]
pub struct RefreshRequest {
    pub refresh_token: String,
    /// A narrower (or equal) scope; `None` keeps the granted one.
    pub scope: Option<ScopeSet>,
}

#[derive(Debug, Clone)]
pub enum GrantRequest {
    Code(CodeRedemption),
    Refresh(RefreshRequest),
}

impl GrantRequest {
    pub fn parse(params: &FormParams) -> Result<Self, OAuthError> {
        let owned = |key: &str| params.get(key).map(str::to_string);
        match params.get("grant_type") {
            Some("authorization_code") => Ok(Self::Code(CodeRedemption {
                code: params.require("code")?.to_string(),
                redirect_uri: owned("redirect_uri"),
                code_verifier: owned("code_verifier"),
            })),
            Some("refresh_token") => {
                let refresh_token = params.require("refresh_token")?.to_string();
                let scope = params
                    .get("scope")
                    .map(|raw| ScopeSet::parse(raw).map_err(|e| OAuthError::new(ErrorCode::InvalidScope, e.0)))
                    .transpose()?;
                Ok(Self::Refresh(RefreshRequest { refresh_token, scope }))
            }
            Some(_) => Err(OAuthError::new(
                ErrorCode::UnsupportedGrantType,
                "supported grant types: authorization_code, refresh_token",
            )),
            None => Err(OAuthError::invalid_request("grant_type is required")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<GrantRequest, OAuthError> {
        GrantRequest::parse(&FormParams::parse(body.as_bytes()).unwrap())
    }

    #[test]
    fn grants_parse_into_their_requests() {
        let GrantRequest::Code(c) = parse("grant_type=authorization_code&code=c&redirect_uri=https%3A%2F%2Fa").unwrap()
        else {
            panic!("a code redemption")
        };
        assert_eq!((c.code.as_str(), c.redirect_uri.as_deref(), c.code_verifier), ("c", Some("https://a"), None));
        let GrantRequest::Refresh(r) = parse("grant_type=refresh_token&refresh_token=t&scope=profile").unwrap() else {
            panic!("a refresh")
        };
        assert_eq!(r.scope.unwrap().to_string(), "profile");
    }

    #[test]
    fn each_refusal_has_its_rfc_code() {
        let code = |body: &str| parse(body).unwrap_err().code;
        assert_eq!(code("grant_type=password"), ErrorCode::UnsupportedGrantType);
        assert_eq!(code("code=x"), ErrorCode::InvalidRequest);
        assert_eq!(code("grant_type=authorization_code"), ErrorCode::InvalidRequest);
        assert_eq!(code("grant_type=refresh_token&refresh_token=t&scope=%22"), ErrorCode::InvalidScope);
    }
}
