//! `GET /oauth/authorize`: validate, park the request server-side bound to
//! this browser, and send the browser to the upstream login.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::browser_binding::browser_cookie;
use super::limits;
use crate::domain::Secret;
use crate::oauth::authorize::Rejection;
use crate::store::NewPending;
use crate::upstream::Upstream;
use crate::web::AppState;
use crate::web::{error_page, redirect};

/// How long a user has to finish signing in and approving.
const PENDING_TTL: i64 = 15 * 60;

pub async fn authorize(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let now = state.auth.clock.now();
    let caller = state.caller_key(&req);
    if let Some(r) = limits::over_page(&state.limits.authorize_per_ip, &caller, "authorize per ip") {
        return r;
    }
    let request = match state.auth.validate_authorize(req.query_string()).await {
        Ok(r) => r,
        Err(Rejection::Page { status, message }) => {
            return error_page(
                StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
                "Cannot link this account",
                &message,
                None,
            )
        }
        Err(Rejection::Redirect { location }) => return redirect(StatusCode::FOUND, &location),
        Err(Rejection::Unavailable(e)) => return unavailable(&e),
    };
    // A fresh binding per authorization: a value the browser already had
    // (perhaps planted) is never reused.
    let browser = Secret::generate();
    let upstream_state = Secret::generate();
    // 256 random bits, base64url: a valid RFC 7636 verifier (43 characters).
    let verifier = Secret::generate();
    let id = crate::store::new_id();
    let (browser_hash, state_hash) = (browser.hash(), upstream_state.hash());
    let scope = request.scope.to_string();
    let pending = NewPending {
        id: &id,
        browser_hash: browser_hash.as_str(),
        upstream_state_hash: state_hash.as_str(),
        upstream_pkce_verifier: verifier.expose(),
        client_id: &request.client.id,
        redirect_uri: request.redirect_uri.as_str(),
        scope: &scope,
        state: request.state.as_deref(),
        code_challenge: request.challenge.as_ref().map(|c| c.value()),
        code_challenge_method: request.challenge.as_ref().map(|c| c.method().as_str()),
        expires_at: now + PENDING_TTL,
    };
    if let Err(e) = state.auth.store.create_pending(pending, now).await {
        return unavailable(&e);
    }
    let location = match &state.upstream {
        Upstream::Lwa(lwa) => lwa.authorize_url(upstream_state.expose(), verifier.expose()),
        Upstream::Dev => format!("{}/dev/login?state={}", state.auth.issuer, upstream_state.expose()),
    };
    let mut response = redirect(StatusCode::FOUND, &location);
    if let Err(e) = response.add_cookie(&browser_cookie(&browser, state.secure_cookies)) {
        tracing::error!(error = %e, "could not set the browser cookie");
    }
    response
}

pub fn unavailable(e: &crate::store::StoreError) -> HttpResponse {
    if matches!(e, crate::store::StoreError::InvalidValue(_)) {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Invalid request",
            "The request holds characters that are not allowed.",
            None,
        );
    }
    tracing::warn!(error = %e, "authorization flow failed on the database");
    let mut r = error_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Please try again",
        "The service is briefly unavailable. Please try again in a moment.",
        None,
    );
    r.headers_mut()
        .insert(actix_web::http::header::RETRY_AFTER, actix_web::http::header::HeaderValue::from_static("5"));
    r
}
