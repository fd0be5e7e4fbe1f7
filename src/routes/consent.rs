//! `GET/POST /oauth/consent`: the user approves or denies the link.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::authorize::unavailable;
use super::browser_binding::same_browser;
use super::callback::{consent_csrf, issue_code_redirect};
use crate::domain::{constant_time_eq, RedirectUri, ScopeSet};
use crate::oauth::{ErrorCode, OAuthError};
use crate::store::PendingRow;
use crate::web::AppState;
use crate::web::{error_page, redirect, render};

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage<'a> {
    client_name: &'a str,
    account_name: &'a str,
    account_email: &'a str,
    scopes: Vec<String>,
    request_id: &'a str,
    csrf: &'a str,
}

#[derive(Deserialize)]
pub struct ShowQuery {
    request: Option<String>,
}

#[derive(Deserialize)]
pub struct Decision {
    request: Option<String>,
    csrf: Option<String>,
    decision: Option<String>,
}

const GONE: &str = "This request has expired or was already answered. Please start linking again from the Alexa app.";

/// A pending request that has a logged-in user and belongs to this browser.
async fn load(req: &HttpRequest, state: &AppState, id: Option<&str>, now: i64) -> Result<PendingRow, HttpResponse> {
    let gone = || error_page(StatusCode::BAD_REQUEST, "Request expired", GONE, None);
    let id = id.filter(|i| i.len() <= 64).ok_or_else(gone)?;
    let pending = state.auth.store.pending(id, now).await.map_err(|e| unavailable(&e))?.ok_or_else(gone)?;
    if pending.user_id.is_none() || !same_browser(req, &pending.browser_hash, state.secure_cookies) {
        return Err(gone());
    }
    Ok(pending)
}

pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let now = state.auth.clock.now();
    let query = web::Query::<ShowQuery>::from_query(req.query_string()).ok();
    let pending = match load(&req, &state, query.as_ref().and_then(|q| q.request.as_deref()), now).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let client = match state.auth.store.client(&pending.client_id).await {
        Ok(Some(c)) => c,
        Ok(None) => return error_page(StatusCode::BAD_REQUEST, "Request expired", GONE, None),
        Err(e) => return unavailable(&e),
    };
    let scopes =
        ScopeSet::parse(&pending.scope).unwrap_or_default().iter().map(|s| describe_scope(s.as_str())).collect();
    let csrf = consent_csrf(&state, &pending.id, &pending.browser_hash);
    let email = pending.upstream_email.as_deref().unwrap_or("");
    let name = pending.upstream_name.as_deref().filter(|n| !n.is_empty()).unwrap_or(email);
    render(
        StatusCode::OK,
        &ConsentPage {
            client_name: &client.name,
            account_name: name,
            account_email: email,
            scopes,
            request_id: &pending.id,
            csrf: &csrf,
        },
    )
}

fn describe_scope(scope: &str) -> String {
    match scope {
        "profile" => "See your name and email address".to_string(),
        "profile:user_id" => "See your account id".to_string(),
        other => format!("Use the \u{201c}{other}\u{201d} permission"),
    }
}

pub async fn submit(req: HttpRequest, state: web::Data<AppState>, form: web::Form<Decision>) -> HttpResponse {
    let now = state.auth.clock.now();
    if !same_origin(&req, &state.auth.issuer) {
        return error_page(
            StatusCode::FORBIDDEN,
            "Request refused",
            "This form was submitted from another site.",
            None,
        );
    }
    let pending = match load(&req, &state, form.request.as_deref(), now).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let expected = consent_csrf(&state, &pending.id, &pending.browser_hash);
    if !constant_time_eq(form.csrf.as_deref().unwrap_or("").as_bytes(), expected.as_bytes()) {
        return error_page(
            StatusCode::FORBIDDEN,
            "Request refused",
            "The form has expired. Please start linking again.",
            None,
        );
    }
    let decision = form.decision.as_deref();
    if !matches!(decision, Some("approve" | "deny")) {
        return error_page(StatusCode::BAD_REQUEST, "Choose an answer", "Please choose Allow or Deny.", None);
    }
    // Removing the request is what makes the form single-use.
    let pending = match state.auth.store.take_pending(&pending.id, now).await {
        Ok(Some(p)) => p,
        Ok(None) => return error_page(StatusCode::BAD_REQUEST, "Request expired", GONE, None),
        Err(e) => return unavailable(&e),
    };
    let user_id = pending.user_id.clone().unwrap_or_default();
    if decision == Some("deny") {
        let location = state.auth.error_redirect(
            &RedirectUri::from_trusted(pending.redirect_uri.clone()),
            pending.state.as_deref(),
            &OAuthError::new(ErrorCode::AccessDenied, "the user denied the request"),
        );
        return redirect(StatusCode::SEE_OTHER, &location);
    }
    let store = &state.auth.store;
    let previous = match store.consented_scope(&user_id, &pending.client_id).await {
        Ok(s) => s.and_then(|s| ScopeSet::parse(&s).ok()).unwrap_or_default(),
        Err(e) => return unavailable(&e),
    };
    let granted = previous.union(&ScopeSet::parse(&pending.scope).unwrap_or_default());
    if let Err(e) = store.save_consent(&user_id, &pending.client_id, &granted.to_string(), now).await {
        return unavailable(&e);
    }
    issue_code_redirect(&state, &pending, &user_id, StatusCode::SEE_OTHER, now).await
}

/// Browsers send `Origin` on form posts; when present it must be ours, the
/// configured public URL's origin. Never the request's own Host or
/// `X-Forwarded-Host`: any peer can send those.
fn same_origin(req: &HttpRequest, issuer: &str) -> bool {
    let Some(origin) = req.headers().get("Origin").and_then(|v| v.to_str().ok()) else { return true };
    // Under `Referrer-Policy: no-referrer` (ours) browsers send `Origin: null`
    // on form posts (Fetch, "serializing a request origin"): it says nothing,
    // so it counts as absent; the CSRF token still has to match.
    if origin == "null" {
        return true;
    }
    let ours = url::Url::parse(issuer).map(|u| u.origin().ascii_serialization()).unwrap_or_default();
    origin == ours
}
