//! The end user's own page (`/account`) and linking with Alexa from it
//! (`/account/alexa/*`): parse, call `crate::account_page`, answer a page.
//! Forms post back with a CSRF token bound to the session (and, when the
//! browser sends one, an `Origin` that is ours); after a change the browser
//! is sent back to `/account` with 303, which then says what happened.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::browser_binding::browser_cookie;
use super::callback::CallbackQuery;
use super::limits;
use super::page_error::{InWords, PageError};
use crate::account_page::alexa_view::AlexaSays;
use crate::account_page::app_link::{AmazonReturn, AppLinkError};
use crate::account_page::{self, session_cookie_name, AccountError, AccountView, LinkView, Session, SESSION_SECONDS};
use crate::alexa::enablement::AlexaView;
use crate::i18n::{Lang, Words};
use crate::oauth::flow::FlowError;
use crate::store::{AccountSignIn, StoreError};
use crate::upstream::Profile;
use crate::web::{error_page, page_words, redirect, render_in, AppState};

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    t: Words,
    dev: bool,
    notice: Option<String>,
    view: Option<&'a AccountView>,
}

impl AccountPage<'_> {
    fn made_by(&self, how: &str) -> String {
        self.t.get(match how {
            "app" => "account-made-app",
            "google" => "account-made-google",
            _ => "account-made-alexa",
        })
    }

    /// How a link was made, when, and when it was last used.
    fn about(&self, l: &LinkView) -> String {
        let date = |at: i64| crate::admin::format_time(at).chars().take(10).collect::<String>();
        format!(
            "{} · {} · {}",
            self.made_by(&l.link.made_by),
            self.t.with("account-linked-on", "date", &date(l.link.created_at)),
            self.t.with("account-last-used", "date", &date(l.link.last_used_at)),
        )
    }

    fn alexa_says(&self, says: &AlexaSays) -> String {
        self.t.get(match says {
            AlexaSays::Known(AlexaView::Linked) => "account-alexa-linked",
            AlexaSays::Known(AlexaView::EnabledNotLinked) => "account-alexa-not-linked",
            AlexaSays::Known(AlexaView::NotEnabled) => "account-alexa-not-enabled",
            AlexaSays::Unknown => "account-alexa-unknown",
        })
    }
}

#[derive(Template)]
#[template(path = "account_message.html")]
struct AccountMessage<'a> {
    t: Words,
    title: &'a str,
    message: &'a str,
    error: bool,
}

fn message(status: StatusCode, t: Words, title: &str, text: &str) -> HttpResponse {
    render_in(status, t, &AccountMessage { t, title, message: text, error: !status.is_success() })
}

#[derive(Deserialize)]
pub struct PageQuery {
    unlinked: Option<String>,
    signed_out: Option<String>,
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: Option<String>,
}

#[derive(Deserialize)]
pub struct LinkForm {
    csrf: Option<String>,
    client_id: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    ui_locales: Option<String>,
}

fn words(req: &HttpRequest) -> Words {
    page_words(req, None)
}

/// The signed-in user of this request's session cookie.
async fn session(req: &HttpRequest, state: &AppState) -> Result<Option<Session>, StoreError> {
    let cookie = req.cookie(session_cookie_name(state.secure_cookies));
    state.auth.account_session(cookie.as_ref().map(|c| c.value()), state.auth.clock.now()).await
}

fn session_cookie(value: &str, secure: bool, max_age: i64) -> Cookie<'static> {
    Cookie::build(session_cookie_name(secure), value.to_string())
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::seconds(max_age))
        .finish()
}

/// An account error's page.
fn account_error(e: AccountError, t: Words) -> HttpResponse {
    match e {
        AccountError::SignedOut => {
            message(StatusCode::UNAUTHORIZED, t, &t.get("account-title"), &t.get("account-error-session"))
        }
        AccountError::ForeignForm => {
            message(StatusCode::FORBIDDEN, t, &t.get("error-refused-title"), &t.get("error-form-expired"))
        }
        AccountError::NoSuchLink => {
            message(StatusCode::NOT_FOUND, t, &t.get("account-title"), &t.get("account-error-no-link"))
        }
        AccountError::Store(e) => unavailable(e, t),
    }
}

fn unavailable(e: StoreError, t: Words) -> HttpResponse {
    tracing::warn!(error = %e, "the account page failed on the database");
    let mut r = error_page(
        StatusCode::SERVICE_UNAVAILABLE,
        t,
        &t.get("error-unavailable-title"),
        &t.get("error-unavailable"),
        None,
    );
    r.headers_mut()
        .insert(actix_web::http::header::RETRY_AFTER, actix_web::http::header::HeaderValue::from_static("5"));
    r
}

/// `GET /account`: the user's links, or the way to sign in.
pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let t = words(&req);
    let query = web::Query::<PageQuery>::from_query(req.query_string()).ok();
    let dev = matches!(state.upstream, crate::upstream::Upstream::Dev);
    let session = match session(&req, &state).await {
        Ok(s) => s,
        Err(e) => return unavailable(e, t),
    };
    let Some(session) = session else {
        let notice = query.as_ref().and_then(|q| q.signed_out.as_ref()).map(|_| t.get("account-signed-out"));
        return render_in(StatusCode::OK, t, &AccountPage { t, dev, notice, view: None });
    };
    let view = match account_page::view(&state.auth, &state.alexa_app, &state.account_views, &session).await {
        Ok(v) => v,
        Err(e) => return unavailable(e, t),
    };
    let notice = match query.as_ref().and_then(|q| q.unlinked.as_deref()) {
        Some(id) => unlinked_notice(&state, &session, id, t).await,
        None => None,
    };
    render_in(StatusCode::OK, t, &AccountPage { t, dev, notice, view: Some(&view) })
}

/// What the page says after an unlink: whether Alexa is being told.
async fn unlinked_notice(state: &AppState, session: &Session, id: &str, t: Words) -> Option<String> {
    let links = state.auth.store.user_links(&session.user.id).await.ok()?;
    let link = links.into_iter().find(|l| l.id == id && l.revoked_at.is_some())?;
    let told = state.auth.store.unlinks_of_user(&session.user.id).await.ok()?.iter().any(|u| u.id == id);
    let id = match (told, link.made_by.as_str()) {
        (true, _) => "account-unlinked-alexa",
        (false, "alexa") => "account-unlinked-ask-again",
        _ => "account-unlinked",
    };
    Some(t.with(id, "client", &link.client_name))
}

/// `GET /account/login`: park a sign-in, then to the upstream login.
pub async fn login(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let ui = web::Query::<LoginQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.ui_locales.as_deref().and_then(Lang::from_ui_locales));
    let t = page_words(&req, ui);
    if let Some(r) =
        limits::over_page(&state.limits.authorize_per_ip, &state.caller_key(&req), "account sign-in per ip", t)
    {
        return r;
    }
    let now = state.auth.clock.now();
    let begun = match state.auth.begin_account_sign_in(&state.upstream, ui, now).await {
        Ok(b) => b,
        Err(e) => return unavailable(e, t),
    };
    let mut response = redirect(StatusCode::SEE_OTHER, &begun.location);
    if let Err(e) = response.add_cookie(&browser_cookie(&begun.browser, state.secure_cookies)) {
        tracing::error!(error = %e, "could not set the browser cookie");
    }
    response
}

/// Amazon's return to `/oauth/callback` for an account sign-in.
pub async fn signed_in_upstream(
    req: &HttpRequest,
    state: &AppState,
    sign_in: AccountSignIn,
    query: &CallbackQuery,
) -> Result<HttpResponse, PageError> {
    let t = page_words(req, sign_in.ui_locale.as_deref().and_then(Lang::from_tag));
    if query.error.is_some() {
        // Cancelled at Amazon: back to the page, still signed out.
        return Ok(redirect(StatusCode::SEE_OTHER, account_page::ACCOUNT_PATH));
    }
    let profile = super::callback::upstream_profile(state, query.code.as_deref(), &sign_in.upstream_pkce_verifier)
        .await
        .in_words(t)?;
    start_session(state, profile, t).await
}

/// A profile from the upstream (or the development sign-in): a session.
pub async fn start_session(state: &AppState, profile: Profile, t: Words) -> Result<HttpResponse, PageError> {
    let now = state.auth.clock.now();
    let secret = state.auth.finish_account_sign_in(profile, now).await.in_words(t)?;
    let mut response = redirect(StatusCode::SEE_OTHER, account_page::ACCOUNT_PATH);
    response
        .add_cookie(&session_cookie(secret.expose(), state.secure_cookies, SESSION_SECONDS))
        .map_err(|_| PageError::new(FlowError::Expired(crate::oauth::flow::Stage::SignIn), t))?;
    Ok(response)
}

/// The session and a checked form: or the page that says why not.
async fn checked(req: &HttpRequest, state: &AppState, csrf: Option<&str>, t: Words) -> Result<Session, HttpResponse> {
    let session = match session(req, state).await {
        Ok(Some(s)) => s,
        Ok(None) => return Err(account_error(AccountError::SignedOut, t)),
        Err(e) => return Err(unavailable(e, t)),
    };
    if !crate::web::same_origin(req, &state.auth.issuer) {
        return Err(account_error(AccountError::ForeignForm, t));
    }
    state.auth.check_account_csrf(&session, csrf).map_err(|e| account_error(e, t))?;
    Ok(session)
}

/// `POST /account/logout`.
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: Result<web::Form<CsrfForm>, actix_web::Error>,
) -> HttpResponse {
    let t = words(&req);
    let csrf = form.ok().and_then(|f| f.into_inner().csrf);
    let session = match checked(&req, &state, csrf.as_deref(), t).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(e) = state.auth.sign_out(&session).await {
        return unavailable(e, t);
    }
    let mut response = redirect(StatusCode::SEE_OTHER, "/account?signed_out=1");
    let _ = response.add_cookie(&session_cookie("", state.secure_cookies, 0));
    response
}

/// `POST /account/links/{link_id}/unlink`.
pub async fn unlink(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Result<web::Form<CsrfForm>, actix_web::Error>,
) -> HttpResponse {
    let t = words(&req);
    let csrf = form.ok().and_then(|f| f.into_inner().csrf);
    let session = match checked(&req, &state, csrf.as_deref(), t).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let link_id = path.into_inner();
    match account_page::unlink(&state.manage, &session, &link_id).await {
        Ok(link) => {
            state.account_views.forget(&link.id);
            let location = format!("/account?unlinked={}", link.id);
            redirect(StatusCode::SEE_OTHER, &location)
        }
        Err(e) => account_error(e, t),
    }
}

/// `POST /account/alexa/link`: to Amazon, for the skill's consent.
pub async fn alexa_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: Result<web::Form<LinkForm>, actix_web::Error>,
) -> HttpResponse {
    let t = words(&req);
    let form = form.ok().map(|f| f.into_inner());
    let csrf = form.as_ref().and_then(|f| f.csrf.clone());
    let session = match checked(&req, &state, csrf.as_deref(), t).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let client_id = form.and_then(|f| f.client_id).unwrap_or_default();
    match state.auth.begin_app_link(&session, &client_id, state.auth.clock.now()).await {
        Ok(location) => redirect(StatusCode::SEE_OTHER, &location),
        Err(e) => app_link_error(e, t),
    }
}

/// `GET /account/alexa/callback`: Amazon's return. Without parameters (as
/// `doctor` checks) it is the expired-attempt page, not a 404.
pub async fn alexa_callback(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let t = words(&req);
    let back = web::Query::<AmazonReturn>::from_query(req.query_string()).map(|q| q.into_inner()).unwrap_or_default();
    let session = match session(&req, &state).await {
        Ok(s) => s,
        Err(e) => return unavailable(e, t),
    };
    let now = state.auth.clock.now();
    match state.auth.finish_app_link(&state.alexa_app, session.as_ref(), &back, now).await {
        Ok(client) => {
            message(StatusCode::OK, t, &t.get("account-linked-title"), &t.with("account-linked", "client", &client))
        }
        Err(e) => app_link_error(e, t),
    }
}

fn app_link_error(e: AppLinkError, t: Words) -> HttpResponse {
    let (status, text) = match e {
        AppLinkError::Expired => (StatusCode::BAD_REQUEST, t.get("app-error-expired")),
        AppLinkError::Cancelled => (StatusCode::BAD_REQUEST, t.get("app-error-cancelled")),
        AppLinkError::AmazonRefused => (StatusCode::BAD_GATEWAY, t.get("app-error-amazon-refused")),
        AppLinkError::EnablementRefused => (StatusCode::BAD_GATEWAY, t.get("app-error-enablement-refused")),
        AppLinkError::AlexaUnavailable => (StatusCode::BAD_GATEWAY, t.get("app-error-alexa-unavailable")),
        AppLinkError::NotOffered => (StatusCode::NOT_FOUND, t.get("app-error-not-offered")),
        AppLinkError::AlreadyLinked { client } => {
            (StatusCode::CONFLICT, t.with("app-error-already-linked", "client", &client))
        }
        AppLinkError::Store(e) => return unavailable(e, t),
    };
    message(status, t, &t.get("app-error-title"), &text)
}
