//! `serve --dev` only: the development identity provider (type any email)
//! and a stand-in redirect URI page for the seeded demo client.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::browser_binding::browser_secret;
use super::page_error::PageError;
use crate::domain::Email;
use crate::oauth::flow::FlowError;
use crate::upstream::Profile;
use crate::web::{render, AppState};

#[derive(Template)]
#[template(path = "dev_login.html")]
struct DevLogin<'a> {
    state: &'a str,
}

#[derive(Template)]
#[template(path = "dev_callback.html")]
struct DevCallback<'a> {
    code_ttl: i64,
    curl: &'a str,
}

#[derive(Deserialize)]
pub struct StateQuery {
    state: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    state: Option<String>,
    email: Option<String>,
    name: Option<String>,
}

pub async fn login_form(query: web::Query<StateQuery>) -> HttpResponse {
    let state = query.state.as_deref().unwrap_or("");
    render(StatusCode::OK, &DevLogin { state })
}

/// The upstream `state` doubles as this form's CSRF token: it is random,
/// single-use and only valid from the browser that started the request.
pub async fn login_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    let now = state.auth.clock.now();
    let email = form.email.as_deref().map(Email::parse).and_then(Result::ok).ok_or(FlowError::DevEmail)?;
    let name: String = form.name.as_deref().unwrap_or("").trim().chars().take(200).collect();
    let browser = browser_secret(&req, state.secure_cookies);
    let pending = state.auth.claim_login(form.state.as_deref(), browser.as_ref(), now).await?;
    let profile = Profile { provider: "dev", subject: format!("dev:{email}"), email: Some(email.to_string()), name };
    Ok(super::callback::next(state.auth.finish_login(pending, profile, now).await?))
}

#[derive(Deserialize)]
pub struct CodeQuery {
    code: Option<String>,
}

pub async fn callback_page(state: web::Data<AppState>, query: web::Query<CodeQuery>) -> HttpResponse {
    let code = query.code.as_deref().unwrap_or("");
    let issuer = &state.auth.issuer;
    let curl = format!(
        "curl -u CLIENT_ID:CLIENT_SECRET {issuer}/oauth/token -d grant_type=authorization_code -d code={code} -d redirect_uri={issuer}/dev/callback"
    );
    render(StatusCode::OK, &DevCallback { code_ttl: state.auth.settings.code_ttl, curl: &curl })
}
