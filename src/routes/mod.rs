//! actix handlers, one file per route family: parse the request, call the
//! core, map the outcome to HTTP. The mapping of errors to statuses lives
//! here and in `token.rs` only.

mod alexa;
mod authorize;
mod callback;
mod consent;
mod dev;
mod discovery;
mod health;
mod pages;
mod token;
mod userinfo;

use actix_web::web;

use crate::oauth::AuthServer;
use crate::upstream::Upstream;

pub use pages::{error_page, redirect, render};

/// Shared by every handler.
pub struct AppState {
    pub auth: AuthServer,
    pub upstream: Upstream,
    /// Cookies get `Secure` unless the public URL is plain http on loopback.
    pub secure_cookies: bool,
    /// Keys the consent form's CSRF token to its request and browser.
    pub csrf_key: ring::hmac::Key,
}

pub fn configure(cfg: &mut web::ServiceConfig, dev: bool) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/static/style.css", web::get().to(pages::stylesheet))
        .route("/oauth/authorize", web::get().to(authorize::authorize))
        .route("/oauth/callback", web::get().to(callback::callback))
        .route("/oauth/consent", web::get().to(consent::show))
        .route("/oauth/consent", web::post().to(consent::submit))
        .route("/oauth/token", web::post().to(token::token))
        .route("/oauth/userinfo", web::get().to(userinfo::userinfo))
        .route("/oauth/jwks", web::get().to(discovery::jwks))
        .route("/.well-known/oauth-authorization-server", web::get().to(discovery::metadata))
        .route("/alexa", web::post().to(alexa::skill));
    crate::admin::configure(cfg);
    if dev {
        cfg.route("/dev/login", web::get().to(dev::login_form))
            .route("/dev/login", web::post().to(dev::login_submit))
            .route("/dev/callback", web::get().to(dev::callback_page));
    }
}
