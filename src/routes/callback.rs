//! `GET /oauth/callback`: the upstream login comes back here. Claim the
//! parked request (this browser's), exchange Amazon's code within a time
//! bound, then `AuthServer::finish_login`: consent or a code.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::browser_binding::browser_secret;
use super::page_error::{InWords, PageError};
use crate::oauth::flow::{kept_lang, FlowError, Next};
use crate::upstream::{Upstream, UpstreamError};
use crate::web::{page_words, redirect, AppState};

/// The user sees an answer within this bound even if Amazon hangs.
const UPSTREAM_BUDGET: Duration = Duration::from_secs(12);

#[derive(Deserialize)]
pub struct CallbackQuery {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
}

pub async fn callback(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let now = state.auth.clock.now();
    // Until the request is found, only the browser says which language.
    let t = page_words(&req, None);
    let query = web::Query::<CallbackQuery>::from_query(req.query_string())
        .map_err(|_| FlowError::MalformedCallback)
        .in_words(t)?;
    let browser = browser_secret(&req, state.secure_cookies);
    let pending = state.auth.claim_login(query.state.as_deref(), browser.as_ref(), now).await.in_words(t)?;
    let t = page_words(&req, kept_lang(&pending));
    if let Some(error) = &query.error {
        return Err(PageError::new(state.auth.upstream_refused(&pending, error).await, t));
    }
    let code =
        query.code.as_deref().filter(|c| !c.is_empty() && c.len() <= 2048).ok_or(FlowError::NoCode).in_words(t)?;
    let Upstream::Lwa(lwa) = &state.upstream else { return Err(PageError::new(FlowError::NotLwa, t)) };
    let started = std::time::Instant::now();
    let outcome = match tokio::time::timeout(UPSTREAM_BUDGET, lwa.finish(code, &pending.upstream_pkce_verifier)).await {
        Ok(result) => result,
        Err(_) => Err(UpstreamError::Timeout),
    };
    state.metrics.observe_upstream("lwa", outcome.as_ref().err().map(UpstreamError::kind), started.elapsed());
    let profile = outcome.map_err(FlowError::Upstream).in_words(t)?;
    Ok(next(state.auth.finish_login(pending, profile, now).await.in_words(t)?))
}

/// Where a finished sign-in sends the browser.
pub fn next(next: Next) -> HttpResponse {
    match next {
        Next::Code(location) => redirect(StatusCode::FOUND, &location),
        Next::Consent(id) => redirect(StatusCode::SEE_OTHER, &format!("/oauth/consent?request={id}")),
    }
}
