//! `GET /oauth/authorize`: rate-limit, then `AuthServer::begin_authorization`
//! (validate, park the request bound to a fresh browser cookie) and send
//! the browser to the upstream login.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::browser_binding::browser_cookie;
use super::limits;
use super::page_error::PageError;
use crate::web::{redirect, AppState};

pub async fn authorize(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let now = state.auth.clock.now();
    let caller = state.caller_key(&req);
    if let Some(r) = limits::over_page(&state.limits.authorize_per_ip, &caller, "authorize per ip") {
        return Ok(r);
    }
    let begun = state.auth.begin_authorization(req.query_string(), &state.upstream, now).await?;
    let mut response = redirect(StatusCode::FOUND, &begun.location);
    if let Err(e) = response.add_cookie(&browser_cookie(&begun.browser, state.secure_cookies)) {
        tracing::error!(error = %e, "could not set the browser cookie");
    }
    Ok(response)
}
