//! `GET /oauth/userinfo` and `GET /user/profile`: an access token back to
//! the local profile. The token comes as `Authorization: Bearer`, or, as
//! Login with Amazon's profile API takes it, as the `access_token` query
//! parameter (RFC 6750 §2.3), so skill code written for
//! `https://api.amazon.com/user/profile?access_token=…` works by changing
//! only the host. Query strings never reach a log line
//! (`telemetry_middleware` logs the route pattern).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::oauth::{ErrorCode, OAuthError};
use crate::web::AppState;

pub async fn userinfo(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let now = state.auth.clock.now();
    let from_query = query_token(&req);
    let token = match (bearer(&req), &from_query) {
        // RFC 6750 §2: one method per request.
        (Some(_), Some(Ok(_))) | (_, Some(Err(()))) => {
            return bad_request("send the access token once: in the Authorization header or as access_token")
        }
        (Some(t), None) => t,
        (None, Some(Ok(t))) => t.as_str(),
        (None, None) => return unauthorized("a Bearer access token is required"),
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
        // Login with Amazon's name for the same thing.
        "user_id": resolved.user_id,
        "email": resolved.email,
        "name": resolved.name,
        "permissions": resolved.permissions,
        "scope": resolved.scope,
    }))
}

/// The `access_token` query parameter: `None` when absent, `Err` when
/// repeated or not decodable.
fn query_token(req: &HttpRequest) -> Option<Result<String, ()>> {
    let pairs: Vec<(String, String)> = match serde_urlencoded::from_str(req.query_string()) {
        Ok(p) => p,
        Err(_) => return Some(Err(())),
    };
    let mut tokens = pairs.into_iter().filter(|(k, _)| k == "access_token").map(|(_, v)| v);
    let first = tokens.next()?;
    Some(if tokens.next().is_some() || first.is_empty() { Err(()) } else { Ok(first) })
}

pub fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get("Authorization")?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// RFC 6750 §3.1 `invalid_request`.
fn bad_request(description: &str) -> HttpResponse {
    let challenge =
        format!("Bearer realm=\"linkbroker\", error=\"invalid_request\", error_description=\"{description}\"");
    HttpResponse::build(StatusCode::BAD_REQUEST)
        .insert_header(("WWW-Authenticate", challenge))
        .insert_header(("Cache-Control", "no-store"))
        .json(serde_json::json!({ "error": "invalid_request", "error_description": description }))
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
