//! `serve --dev` only: the development identity provider (type any email)
//! and a stand-in redirect URI page for the seeded demo client.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::browser_binding::browser_secret;
use super::page_error::{InWords, PageError};
use crate::domain::Email;
use crate::i18n::{Lang, Words};
use crate::oauth::flow::{Claimed, FlowError, Stage};
use crate::upstream::Profile;
use crate::web::{page_words, render_in, AppState};

#[derive(Template)]
#[template(path = "dev_login.html")]
struct DevLogin<'a> {
    t: Words,
    state: &'a str,
}

#[derive(Template)]
#[template(path = "dev_callback.html")]
struct DevCallback<'a> {
    t: Words,
    code_ttl: String,
    /// What came back: a code to exchange, or the error the client got.
    outcome: Outcome<'a>,
}

enum Outcome<'a> {
    /// A code to exchange, with the command that exchanges it.
    Code { curl: String },
    /// A code that can no longer be exchanged.
    Stale,
    /// RFC 6749 §4.1.2.1: the error (and its description) the client got.
    Error { error: &'a str },
}

#[derive(Deserialize)]
pub struct StateQuery {
    state: Option<String>,
    /// The authorization request's `ui_locales` language, passed along by
    /// `begin_authorization` (this page has no pending request to read).
    ui_locales: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    /// The language the form was shown in, for the errors of its answer.
    lang: Option<String>,
    state: Option<String>,
    email: Option<String>,
    name: Option<String>,
}

pub async fn login_form(req: HttpRequest) -> HttpResponse {
    // Read leniently: a query that does not parse shows the form, whose
    // post then fails as a stale sign-in.
    let query = web::Query::<StateQuery>::from_query(req.query_string()).ok();
    let state = query.as_ref().and_then(|q| q.state.as_deref()).unwrap_or("");
    let ui = query.as_ref().and_then(|q| q.ui_locales.as_deref()).and_then(Lang::from_ui_locales);
    let t = page_words(&req, ui);
    render_in(StatusCode::OK, t, &DevLogin { t, state })
}

/// The upstream `state` doubles as this form's CSRF token: it is random,
/// single-use and only valid from the browser that started the request.
pub async fn login_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: Result<web::Form<LoginForm>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let now = state.auth.clock.now();
    let Ok(form) = form else { return Err(PageError::new(FlowError::Expired(Stage::SignIn), page_words(&req, None))) };
    let t = page_words(&req, form.lang.as_deref().and_then(Lang::from_tag));
    let email = form.email.as_deref().map(Email::parse).and_then(Result::ok).ok_or(FlowError::DevEmail).in_words(t)?;
    let name: String = form.name.as_deref().unwrap_or("").trim().chars().take(200).collect();
    let browser = browser_secret(&req, state.secure_cookies);
    let claimed = state.auth.claim_sign_in(form.state.as_deref(), browser.as_ref(), now).await.in_words(t)?;
    let profile = Profile { provider: "dev", subject: format!("dev:{email}"), email: Some(email.to_string()), name };
    match claimed {
        Claimed::Link(pending) => {
            Ok(super::callback::next(state.auth.finish_login(*pending, profile, now).await.in_words(t)?))
        }
        Claimed::Account(_) => super::account::start_session(&state, profile, t).await,
    }
}

#[derive(Deserialize)]
pub struct CodeQuery {
    code: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// The client's redirect URI stands in here, so only the browser's
/// `Accept-Language` says the language. A code gets the `curl` that
/// exchanges it, with the client's real id (the secret is the one thing to
/// fill in); an error is shown as the client got it.
pub async fn callback_page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let query = web::Query::<CodeQuery>::from_query(req.query_string()).ok();
    let query = query.as_ref();
    let t = page_words(&req, None);
    let code_ttl = state.auth.settings.code_ttl.to_string();
    let error_text;
    let outcome = match query.and_then(|q| q.error.as_deref()) {
        Some(error) => {
            let description = query.and_then(|q| q.error_description.as_deref()).unwrap_or("");
            error_text = if description.is_empty() { error.to_string() } else { format!("{error} ({description})") };
            Outcome::Error { error: &error_text }
        }
        None => code_outcome(&state, query.and_then(|q| q.code.as_deref()).unwrap_or("")).await,
    };
    let status = if matches!(outcome, Outcome::Code { .. }) { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    render_in(status, t, &DevCallback { t, code_ttl, outcome })
}

/// The exchange command for a fresh code, naming the client it was issued
/// to (and the verifier when the request used PKCE).
async fn code_outcome(state: &AppState, code: &str) -> Outcome<'static> {
    let fresh = match state.auth.store.find_code(crate::domain::TokenHash::of(code).as_str()).await {
        Ok(crate::store::CodeLookup::Fresh(row)) if row.expires_at > state.auth.clock.now() => row,
        _ => return Outcome::Stale,
    };
    let issuer = &state.auth.issuer;
    let verifier = if fresh.code_challenge.is_some() { " -d code_verifier=CODE_VERIFIER" } else { "" };
    Outcome::Code {
        curl: format!(
            "curl -u '{}:CLIENT_SECRET' {issuer}/oauth/token -d grant_type=authorization_code -d code={code} -d redirect_uri={}{verifier}",
            fresh.client_id, fresh.redirect_uri
        ),
    }
}
