//! `POST /oauth/token` (RFC 6749 §3.2, §5): authenticate the client, run the
//! grant, answer JSON with `Cache-Control: no-store`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::limits;
use crate::oauth::client_auth::ClientCredentials;
use crate::oauth::grant::GrantRequest;
use crate::oauth::tokens::FormParams;
use crate::oauth::{ErrorCode, OAuthError};
use crate::store::ClientRow;
use crate::web::AppState;

/// Reads the form and authenticates the client, as /token, /revoke and
/// /introspect all must (RFC 7009 §2.1, RFC 7662 §2.1).
pub async fn authenticated_client(
    req: &HttpRequest,
    state: &AppState,
    body: &[u8],
) -> Result<(ClientRow, FormParams, bool), HttpResponse> {
    let content_type = req.headers().get("Content-Type").and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
        return Err(error_response(
            &OAuthError::invalid_request("Content-Type must be application/x-www-form-urlencoded"),
            false,
        ));
    }
    let params = FormParams::parse(body).map_err(|e| error_response(&e, false))?;
    let authorization = req.headers().get("Authorization").and_then(|v| v.to_str().ok());
    let creds = ClientCredentials::extract(authorization, params.get("client_id"), params.get("client_secret"))
        .map_err(|e| error_response(&e.error, e.via_basic))?;
    let client = state.auth.authenticate_client(&creds).await.map_err(|e| error_response(&e, creds.via_basic))?;
    Ok((client, params, creds.via_basic))
}

/// The body of an OAuth request, or RFC 6749 JSON when it cannot be read
/// (over the 64 KB limit: 413), never actix's plain text.
pub fn oauth_body(body: Result<web::Bytes, actix_web::Error>) -> Result<web::Bytes, Box<HttpResponse>> {
    body.map_err(|e| {
        let too_large = e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE;
        let (status, description) = if too_large {
            (StatusCode::PAYLOAD_TOO_LARGE, "the request body is larger than 64 KB")
        } else {
            (StatusCode::BAD_REQUEST, "the request body could not be read")
        };
        Box::new(
            HttpResponse::build(status)
                .insert_header(("Cache-Control", "no-store"))
                .json(serde_json::json!({ "error": "invalid_request", "error_description": description })),
        )
    })
}

pub async fn token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Result<web::Bytes, actix_web::Error>,
) -> HttpResponse {
    let body = match oauth_body(body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let now = state.auth.clock.now();
    if let Some(r) = limits::over_json(&state.limits.token_per_ip, &state.caller_key(&req), "token per ip") {
        return r;
    }
    let (client, params, via_basic) = match authenticated_client(&req, &state, &body).await {
        Ok(x) => x,
        Err(response) => return response,
    };
    // Only after authentication: client ids are public, so limiting by a
    // claimed id would let anyone throttle a real skill's refreshes.
    if let Some(r) = limits::over_json(&state.limits.token_per_client, &client.id, "token per client") {
        return r;
    }
    let grant_type = params.get("grant_type").unwrap_or("");
    let result = match GrantRequest::parse(&params) {
        Ok(GrantRequest::Code(redemption)) => state.auth.exchange_code(&client, &redemption, now).await,
        Ok(GrantRequest::Refresh(refresh)) => state.auth.refresh(&client, &refresh, now).await,
        Err(e) => Err(e),
    };
    state.metrics.observe_grant(grant_type, &result);
    match result {
        Ok(tokens) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .insert_header(("Pragma", "no-cache"))
            .json(tokens),
        Err(e) => {
            if e.code == ErrorCode::InvalidGrant {
                tracing::info!(client_id = %client.id, reason = %e.description, "invalid_grant");
            }
            error_response(&e, via_basic)
        }
    }
}

/// RFC 6749 §5.2 error JSON: where every OAuth error becomes its status
/// (the browser pages' mapping is `page_error.rs`).
pub fn error_response(e: &OAuthError, via_basic: bool) -> HttpResponse {
    let status = match e.code {
        ErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
        ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut r = HttpResponse::build(status);
    r.insert_header(("Cache-Control", "no-store")).insert_header(("Pragma", "no-cache"));
    if e.code == ErrorCode::InvalidClient && via_basic {
        r.insert_header(("WWW-Authenticate", "Basic realm=\"linkbroker\""));
    }
    if e.code == ErrorCode::TemporarilyUnavailable {
        r.insert_header(("Retry-After", "5"));
    }
    r.json(serde_json::json!({ "error": e.code.as_str(), "error_description": e.description }))
}
