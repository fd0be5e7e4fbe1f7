//! `GET /oauth/callback`: the upstream login comes back here. Claim the
//! parked request (this browser's), exchange Amazon's code within a time
//! bound, then `AuthServer::finish_login`: consent or a code.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::browser_binding::browser_secret;
use super::page_error::{InWords, PageError};
use crate::oauth::flow::{kept_lang, Claimed, FlowError, Next};
use crate::upstream::{Profile, Upstream, UpstreamError};
use crate::web::{page_words, redirect, AppState};

/// The user sees an answer within this bound even if Amazon hangs.
const UPSTREAM_BUDGET: Duration = Duration::from_secs(12);

#[derive(Deserialize)]
pub struct CallbackQuery {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
}

pub async fn callback(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let now = state.auth.clock.now();
    // Until the request is found, only the browser says which language.
    let t = page_words(&req, None);
    let query = web::Query::<CallbackQuery>::from_query(req.query_string())
        .map_err(|_| FlowError::MalformedCallback)
        .in_words(t)?;
    let browser = browser_secret(&req, state.secure_cookies);
    let pending = match state.auth.claim_sign_in(query.state.as_deref(), browser.as_ref(), now).await.in_words(t)? {
        Claimed::Link(pending) => *pending,
        Claimed::Account(sign_in) => return super::account::signed_in_upstream(&req, &state, sign_in, &query).await,
    };
    let t = page_words(&req, kept_lang(&pending));
    if let Some(error) = &query.error {
        return Err(PageError::new(state.auth.upstream_refused(&pending, error).await, t));
    }
    let profile = upstream_profile(&state, query.code.as_deref(), &pending.upstream_pkce_verifier).await.in_words(t)?;
    Ok(next(state.auth.finish_login(pending, profile, now).await.in_words(t)?))
}

/// Amazon's code for the user's profile, within the time bound.
pub async fn upstream_profile(state: &AppState, code: Option<&str>, verifier: &str) -> Result<Profile, FlowError> {
    let code = code.filter(|c| !c.is_empty() && c.len() <= 2048).ok_or(FlowError::NoCode)?;
    let Upstream::Lwa(lwa) = &state.upstream else { return Err(FlowError::NotLwa) };
    let started = std::time::Instant::now();
    let outcome = match tokio::time::timeout(UPSTREAM_BUDGET, lwa.finish(code, verifier)).await {
        Ok(result) => result,
        Err(_) => Err(UpstreamError::Timeout),
    };
    state.metrics.observe_upstream("lwa", outcome.as_ref().err().map(UpstreamError::kind), started.elapsed());
    outcome.map_err(FlowError::Upstream)
}

/// Where a finished sign-in sends the browser.
pub fn next(next: Next) -> HttpResponse {
    match next {
        Next::Code(location) => redirect(StatusCode::FOUND, &location),
        Next::Consent(id) => redirect(StatusCode::SEE_OTHER, &format!("/oauth/consent?request={id}")),
    }
}
