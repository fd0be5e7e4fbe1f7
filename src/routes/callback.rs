//! `GET /oauth/callback`: the upstream login comes back here. Also the shared
//! end of every login (`finish_login`): who is who, then consent or code.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde::Deserialize;

use super::authorize::unavailable;
use super::browser_binding::same_browser;
use crate::accounts::{resolve_login, Refusal};
use crate::domain::{RedirectUri, ScopeSet, TokenHash};
use crate::oauth::{ErrorCode, OAuthError};
use crate::store::PendingRow;
use crate::upstream::{Profile, Upstream, UpstreamError};
use crate::web::AppState;
use crate::web::{error_page, redirect};

/// The user sees an answer within this bound even if Amazon hangs.
const UPSTREAM_BUDGET: Duration = Duration::from_secs(12);

#[derive(Deserialize)]
pub struct CallbackQuery {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
}

const EXPIRED: &str = "This sign-in has expired or was already used. Please start linking again from the Alexa app.";

pub async fn callback(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let now = state.auth.clock.now();
    let Ok(query) = web::Query::<CallbackQuery>::from_query(req.query_string()) else {
        return error_page(StatusCode::BAD_REQUEST, "Sign-in failed", "The sign-in response was malformed.", None);
    };
    let Some(pending) = claim(&req, &state, query.state.as_deref(), now).await else {
        return error_page(StatusCode::BAD_REQUEST, "Sign-in expired", EXPIRED, None);
    };
    let pending = match pending {
        Ok(p) => p,
        Err(response) => return response,
    };
    let back_to_client = |code: ErrorCode, description: &str| {
        state.auth.error_redirect(
            &RedirectUri::from_trusted(pending.redirect_uri.clone()),
            pending.state.as_deref(),
            &OAuthError::new(code, description),
        )
    };
    if let Some(error) = &query.error {
        let _ = state.auth.store.delete_pending(&pending.id).await;
        let back = back_to_client(ErrorCode::AccessDenied, "the user cancelled the sign-in");
        let message = if error == "access_denied" {
            "You cancelled signing in with Amazon, so your account was not linked."
        } else {
            "Amazon could not sign you in, so your account was not linked."
        };
        return error_page(StatusCode::BAD_REQUEST, "Account not linked", message, Some(&back));
    }
    let Some(code) = query.code.as_deref().filter(|c| !c.is_empty() && c.len() <= 2048) else {
        return error_page(StatusCode::BAD_REQUEST, "Sign-in failed", "The sign-in response had no code.", None);
    };
    let Upstream::Lwa(lwa) = &state.upstream else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Sign-in failed",
            "This server uses the development sign-in.",
            None,
        );
    };
    let started = std::time::Instant::now();
    let outcome = match tokio::time::timeout(UPSTREAM_BUDGET, lwa.finish(code, &pending.upstream_pkce_verifier)).await {
        Ok(result) => result,
        Err(_) => Err(UpstreamError::Timeout),
    };
    state.metrics.observe_upstream("lwa", outcome.as_ref().err().map(UpstreamError::kind), started.elapsed());
    let profile = match outcome {
        Ok(profile) => profile,
        Err(e) => return upstream_failed(&e),
    };
    finish_login(&state, pending, profile, now).await
}

/// Consumes the pending request named by our upstream `state` and checks it
/// belongs to this browser. `None` when there is no such live request.
pub async fn claim(
    req: &HttpRequest,
    state: &AppState,
    upstream_state: Option<&str>,
    now: i64,
) -> Option<Result<PendingRow, HttpResponse>> {
    let upstream_state = upstream_state.filter(|s| !s.is_empty() && s.len() <= 128)?;
    let pending =
        match state.auth.store.claim_pending_by_upstream_state(TokenHash::of(upstream_state).as_str(), now).await {
            Ok(p) => p?,
            Err(e) => return Some(Err(unavailable(&e))),
        };
    if !same_browser(req, &pending.browser_hash, state.secure_cookies) {
        let _ = state.auth.store.delete_pending(&pending.id).await;
        tracing::warn!("callback from a browser that did not start the authorization (login CSRF?)");
        return Some(Err(error_page(
            StatusCode::BAD_REQUEST,
            "Sign-in not recognized",
            "This sign-in was started in another browser or its cookie was lost. Please start linking again from the Alexa app on this device.",
            None,
        )));
    }
    Some(Ok(pending))
}

fn upstream_failed(e: &UpstreamError) -> HttpResponse {
    tracing::warn!(error = %e, "upstream login failed");
    let message = match e {
        UpstreamError::Timeout => "Amazon did not answer in time. Please try linking again in a moment.",
        _ => "Signing in with Amazon failed. Please try linking again.",
    };
    error_page(StatusCode::BAD_GATEWAY, "Sign-in failed", message, None)
}

/// The consent form's CSRF token: bound to the request and to this browser.
pub fn consent_csrf(state: &AppState, pending_id: &str, browser_hash: &str) -> String {
    let tag = ring::hmac::sign(&state.csrf_key, format!("consent:{pending_id}:{browser_hash}").as_bytes());
    URL_SAFE_NO_PAD.encode(tag.as_ref())
}

/// Resolves the user, then either asks for consent or issues the code.
pub async fn finish_login(state: &AppState, pending: PendingRow, profile: Profile, now: i64) -> HttpResponse {
    let store = &state.auth.store;
    let refused = |title: &str, message: String| {
        let back = state.auth.error_redirect(
            &RedirectUri::from_trusted(pending.redirect_uri.clone()),
            pending.state.as_deref(),
            &OAuthError::new(ErrorCode::AccessDenied, "the account cannot be linked"),
        );
        error_page(StatusCode::FORBIDDEN, title, &message, Some(&back))
    };
    let user = match resolve_login(store, &state.auth.settings, &profile, now).await {
        Ok(Ok(user)) => user,
        Ok(Err(refusal)) => {
            let _ = store.delete_pending(&pending.id).await;
            return match refusal {
                Refusal::NoEmail => refused("Email needed", "Your Amazon account did not share an email address, which is needed to link it.".into()),
                Refusal::NotProvisioned { email } => refused(
                    "Account not found",
                    format!("There is no account for {email} here. Ask the service's administrator to add you, then link again."),
                ),
                Refusal::OtherIdentity { email } => refused(
                    "Already linked to another Amazon account",
                    format!("The account for {email} is already linked to a different Amazon account. Sign in with that Amazon account, or ask the administrator for help."),
                ),
            };
        }
        Err(e) => return unavailable(&e),
    };
    if user.is_disabled() {
        let _ = store.delete_pending(&pending.id).await;
        return refused(
            "Account disabled",
            "This account has been disabled. Contact the service's administrator.".into(),
        );
    }
    let client = match store.client(&pending.client_id).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "Cannot link this account",
                "This application is no longer registered.",
                None,
            )
        }
        Err(e) => return unavailable(&e),
    };
    let requested = ScopeSet::parse(&pending.scope).unwrap_or_default();
    let consented = match store.consented_scope(&user.id, &client.id).await {
        Ok(s) => s.and_then(|s| ScopeSet::parse(&s).ok()),
        Err(e) => return unavailable(&e),
    };
    if client.skip_consent || consented.is_some_and(|c| requested.is_subset(&c)) {
        let _ = store.delete_pending(&pending.id).await;
        return issue_code_redirect(state, &pending, &user.id, StatusCode::FOUND, now).await;
    }
    let email = profile.email.clone().unwrap_or_default();
    if let Err(e) = store.set_pending_user(&pending.id, &user.id, &email, &profile.name).await {
        return unavailable(&e);
    }
    redirect(StatusCode::SEE_OTHER, &format!("/oauth/consent?request={}", pending.id))
}

pub async fn issue_code_redirect(
    state: &AppState,
    pending: &PendingRow,
    user_id: &str,
    status: StatusCode,
    now: i64,
) -> HttpResponse {
    let challenge =
        pending.code_challenge.as_deref().map(|c| (c, pending.code_challenge_method.as_deref().unwrap_or("plain")));
    let redirect_uri = RedirectUri::from_trusted(pending.redirect_uri.clone());
    match state
        .auth
        .issue_code(
            &pending.client_id,
            user_id,
            &redirect_uri,
            &pending.scope,
            pending.state.as_deref(),
            challenge,
            now,
        )
        .await
    {
        Ok(location) => redirect(status, &location),
        Err(e) => unavailable(&e),
    }
}
