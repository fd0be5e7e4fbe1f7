//! `GET/POST /oauth/consent`: the user approves or denies the link
//! (`AuthServer::consent_view`, `AuthServer::decide_consent`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::browser_binding::browser_secret;
use super::page_error::PageError;
use crate::oauth::flow::FlowError;
use crate::web::{redirect, render, AppState};

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

pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let now = state.auth.clock.now();
    let query = web::Query::<ShowQuery>::from_query(req.query_string()).ok();
    let id = query.as_ref().and_then(|q| q.request.as_deref());
    let browser = browser_secret(&req, state.secure_cookies);
    let view = state.auth.consent_view(id, browser.as_ref(), now).await?;
    let page = ConsentPage {
        client_name: &view.client_name,
        account_name: &view.account_name,
        account_email: &view.account_email,
        scopes: view.scopes.iter().map(|s| describe_scope(s)).collect(),
        request_id: &view.request_id,
        csrf: &view.csrf,
    };
    Ok(render(StatusCode::OK, &page))
}

fn describe_scope(scope: &str) -> String {
    match scope {
        "profile" => "See your name and email address".to_string(),
        "profile:user_id" => "See your account id".to_string(),
        other => format!("Use the \u{201c}{other}\u{201d} permission"),
    }
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<Decision>,
) -> Result<HttpResponse, PageError> {
    let now = state.auth.clock.now();
    if !same_origin(&req, &state.auth.issuer) {
        return Err(FlowError::ForeignForm { other_site: true }.into());
    }
    let browser = browser_secret(&req, state.secure_cookies);
    let location = state
        .auth
        .decide_consent(form.request.as_deref(), browser.as_ref(), form.csrf.as_deref(), form.decision.as_deref(), now)
        .await?;
    Ok(redirect(StatusCode::SEE_OTHER, &location))
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
