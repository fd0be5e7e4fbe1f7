//! `/admin/login` and `/admin/logout`. Failed sign-ins look the same and
//! take the same time whether or not the account exists (the password is
//! checked against a dummy hash for unknown emails), and are throttled per
//! account and per client address in the database, so every instance sees
//! the same counts.

use std::sync::OnceLock;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::session::{admin_cookie, csrf_token, removal_cookie, session_hash, AdminSession, SESSION_COOKIE};
use super::AdminError;
use crate::accounts::password;
use crate::domain::{constant_time_eq, Email, Secret};
use crate::store::{AdminRow, AuditEvent};
use crate::web::{redirect, render, AppState};

/// Ties the sign-in form to the browser that loaded it (login CSRF).
const LOGIN_COOKIE: &str = "lb_admin_login";
const FAILED: &str = "Email or password is incorrect.";
const BUSY: &str = "Too many sign-ins at once. Try again in a moment.";
/// Failure counts start over after an hour without failures.
const DECAY: i64 = 3600;
const MAX_LOCK: i64 = 15 * 60;

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage<'a> {
    csrf: &'a str,
    email: &'a str,
    error: Option<&'a str>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// Lock seconds after the n-th consecutive failure: three free tries per
/// account, then 5 s doubling up to 15 minutes. An address gets twenty, as
/// several admins may share one.
pub fn backoff(failures: i64, free: i64) -> i64 {
    if failures <= free {
        return 0;
    }
    let exp = (failures - free - 1).min(16) as u32;
    (5_i64 << exp).min(MAX_LOCK)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| password::hash_blocking(&Secret::generate().expose()[..20]).unwrap_or_default())
}

fn login_page(state: &AppState, status: StatusCode, email: &str, error: Option<&str>) -> HttpResponse {
    let secret = Secret::generate();
    let csrf = csrf_token(state, "admin-login", secret.hash().as_str());
    let mut resp = render(status, &LoginPage { csrf: &csrf, email, error });
    let _ = resp.add_cookie(&admin_cookie(LOGIN_COOKIE, &secret, state.secure_cookies));
    resp
}

pub async fn form(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AdminError> {
    if AdminSession::require(&req, &state).await.is_ok() {
        return Ok(redirect(StatusCode::SEE_OTHER, "/admin"));
    }
    // Every sign-in post follows this page (it sets the form cookie), so
    // computing the dummy hash here keeps even the first failed sign-in of a
    // process from taking longer for unknown emails.
    let _ = web::block(|| dummy_hash().len()).await;
    Ok(login_page(&state, StatusCode::OK, "", None))
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AdminError> {
    let now = state.auth.clock.now();
    let cookie = req.cookie(LOGIN_COOKIE).map(|c| Secret::new(c.value()));
    let expected = cookie.map(|c| csrf_token(&state, "admin-login", c.hash().as_str())).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(form.csrf.as_bytes(), expected.as_bytes()) {
        return Err(AdminError::Csrf);
    }
    let typed = form.email.trim().chars().take(254).collect::<String>().to_lowercase();
    let account_key = format!("email:{typed}");
    // Behind a load balancer, the caller's address from a trusted proxy.
    // Throttled by the caller's limit key (IPv6 by /64), audited by address.
    let ip_key = format!("ip:{}", state.caller_key(&req));
    let caller = format!("ip:{}", state.caller(&req));
    let store = &state.auth.store;
    // Each check costs ~19 MiB for a moment: a flood must not take the
    // instance's memory, so past the cap the answer is "busy" at once.
    let Ok(_permit) = state.password_checks.clone().try_acquire_owned() else {
        let mut resp = login_page(&state, StatusCode::SERVICE_UNAVAILABLE, &typed, Some(BUSY));
        resp.headers_mut().insert(actix_web::http::header::RETRY_AFTER, 1.into());
        return Ok(resp);
    };
    let account = store.reserve_login_attempt(&account_key, DECAY, |n| backoff(n, 3), now).await?;
    let ip = store.reserve_login_attempt(&ip_key, DECAY, |n| backoff(n, 20), now).await?;
    if account.is_none() || ip.is_none() {
        let wait = store.login_locked_for(&account_key, now).await?.max(store.login_locked_for(&ip_key, now).await?);
        let msg = format!("Too many failed attempts. Try again in {} seconds.", wait.max(1));
        let mut resp = login_page(&state, StatusCode::TOO_MANY_REQUESTS, &typed, Some(&msg));
        resp.headers_mut().insert(actix_web::http::header::RETRY_AFTER, wait.max(1).into());
        return Ok(resp);
    }
    let admin = match Email::parse(&typed) {
        Ok(email) => store.admin_by_email(&email).await?,
        Err(_) => None,
    };
    if form.password.len() > 1024 {
        return Err(AdminError::BadInput("That password is too long.".into()));
    }
    let phc = admin.as_ref().map(|a| a.password_hash.clone());
    let pw = form.password.clone();
    let verified = web::block(move || password::verify_blocking(&pw, phc.as_deref().unwrap_or_else(|| dummy_hash())))
        .await
        .unwrap_or(false);
    match admin {
        Some(admin) if verified => {
            store.refund_login_attempt(&ip_key).await?;
            sign_in(&req, &state, &admin, &account_key, now).await
        }
        _ => {
            // The attempt was counted when it was reserved.
            let event = AuditEvent {
                actor: &caller,
                action: "admin_login_failed",
                target: &typed,
                detail: serde_json::json!({}),
            };
            store.audit(event, now).await?;
            Ok(login_page(&state, StatusCode::UNAUTHORIZED, &typed, Some(FAILED)))
        }
    }
}

/// A fresh session id on every sign-in (no fixation); an older session of
/// this browser ends.
async fn sign_in(
    req: &HttpRequest,
    state: &AppState,
    admin: &AdminRow,
    account_key: &str,
    now: i64,
) -> Result<HttpResponse, AdminError> {
    let store = &state.auth.store;
    store.clear_login_failures(account_key).await?;
    if let Some(old) = session_hash(req) {
        store.delete_admin_session(old.as_str()).await?;
    }
    store.purge_admin_sessions(super::session::LIMITS, now).await?;
    let secret = Secret::generate();
    store.create_admin_session(secret.hash().as_str(), admin, now).await?;
    let event = AuditEvent {
        actor: &crate::domain::Actor::admin_ui(&admin.email).name(),
        action: "admin_login",
        target: &admin.id,
        detail: serde_json::json!({}),
    };
    store.audit(event, now).await?;
    let mut resp = redirect(StatusCode::SEE_OTHER, "/admin");
    let _ = resp.add_cookie(&admin_cookie(SESSION_COOKIE, &secret, state.secure_cookies));
    let _ = resp.add_cookie(&removal_cookie(LOGIN_COOKIE, state.secure_cookies));
    Ok(resp)
}

pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require_form(&req, &state, &form.csrf).await?;
    state.auth.store.delete_admin_session(session.hash()).await?;
    let mut resp = redirect(StatusCode::SEE_OTHER, "/admin/login");
    let _ = resp.add_cookie(&removal_cookie(SESSION_COOKIE, state.secure_cookies));
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_is_free_then_doubles_up_to_fifteen_minutes() {
        assert_eq!(backoff(3, 3), 0);
        assert_eq!(backoff(4, 3), 5);
        assert_eq!(backoff(5, 3), 10);
        assert_eq!(backoff(12, 3), 900);
        assert_eq!(backoff(10_000, 3), 900);
    }
}
