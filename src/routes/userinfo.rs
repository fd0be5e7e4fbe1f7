//! `GET /oauth/userinfo`: an access token back to the local profile.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::oauth::{ErrorCode, OAuthError};
use crate::web::AppState;

pub async fn userinfo(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let now = state.auth.clock.now();
    let Some(token) = bearer(&req) else {
        return unauthorized("a Bearer access token is required");
    };
    let resolved = match state.auth.resolve_access(token, now).await {
        Ok(Some(r)) => r,
        Ok(None) | Err(crate::store::StoreError::InvalidValue(_)) => {
            return unauthorized("the access token is invalid, expired or revoked")
        }
        Err(e) => {
            tracing::warn!(error = %e, "userinfo failed on the database");
            let busy = OAuthError::new(ErrorCode::TemporarilyUnavailable, "retry later");
            return super::token::error_response(&busy, false);
        }
    };
    HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(serde_json::json!({
        "sub": resolved.user_id,
        "email": resolved.email,
        "name": resolved.name,
        "permissions": resolved.permissions,
        "scope": resolved.scope,
    }))
}

pub fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get("Authorization")?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// RFC 6750 §3; docs/endpoints.md fixes `error="invalid_token"` for every refusal,
/// a missing token included.
fn unauthorized(description: &str) -> HttpResponse {
    let challenge =
        format!("Bearer realm=\"linkbroker\", error=\"invalid_token\", error_description=\"{description}\"");
    HttpResponse::build(StatusCode::UNAUTHORIZED)
        .insert_header(("WWW-Authenticate", challenge))
        .insert_header(("Cache-Control", "no-store"))
        .json(serde_json::json!({ "error": "invalid_token", "error_description": description }))
}
