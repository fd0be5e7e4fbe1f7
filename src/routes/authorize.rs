//! `GET /oauth/authorize`: rate-limit, then `AuthServer::begin_authorization`
//! (validate, park the request bound to a fresh browser cookie) and send
//! the browser to the upstream login.

use actix_web::http::header::{HeaderValue, LOCATION};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::browser_binding::browser_cookie;
use super::limits;
use super::page_error::{InWords, PageError};
use crate::i18n::Words;
use crate::oauth::authorize::ui_locales;
use crate::web::{page_words, redirect, render_in, AppState};

/// The redirect's body: a page with a link, for the rare browser that
/// shows a redirect instead of following it.
#[derive(Template)]
#[template(path = "handoff.html")]
struct Handoff<'a> {
    t: Words,
    location: &'a str,
    /// `serve --dev`: the hand-off is to the development sign-in, not Amazon.
    dev: bool,
}

pub async fn authorize(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let now = state.auth.clock.now();
    let ui = ui_locales(req.query_string());
    let t = page_words(&req, ui);
    let caller = state.caller_key(&req);
    if let Some(r) = limits::over_page(&state.limits.authorize_per_ip, &caller, "authorize per ip", t) {
        return Ok(r);
    }
    let begun = state.auth.begin_authorization(req.query_string(), ui, &state.upstream, now).await.in_words(t)?;
    let mut response = match HeaderValue::from_str(&begun.location) {
        Ok(location) => {
            let mut r = render_in(
                StatusCode::FOUND,
                t,
                &Handoff {
                    t,
                    location: &begun.location,
                    dev: matches!(state.upstream, crate::upstream::Upstream::Dev),
                },
            );
            r.headers_mut().insert(LOCATION, location);
            r
        }
        Err(_) => redirect(StatusCode::FOUND, &begun.location),
    };
    if let Err(e) = response.add_cookie(&browser_cookie(&begun.browser, state.secure_cookies)) {
        tracing::error!(error = %e, "could not set the browser cookie");
    }
    Ok(response)
}
