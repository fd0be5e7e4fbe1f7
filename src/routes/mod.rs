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
mod limits;
mod metrics;
mod pages;
mod revocation;
mod token;
mod userinfo;

use actix_web::web;

use crate::metrics::Metrics;
use crate::oauth::AuthServer;
use crate::rate_limit::RateLimits;
use crate::upstream::Upstream;

pub use limits::caller;
pub use pages::{error_page, redirect, render};

/// Shared by every handler.
pub struct AppState {
    pub auth: AuthServer,
    pub upstream: Upstream,
    /// Cookies get `Secure` unless the public URL is plain http on loopback.
    pub secure_cookies: bool,
    /// Keys the consent form's CSRF token to its request and browser.
    pub csrf_key: ring::hmac::Key,
    /// Proves `/alexa` requests come from Alexa; `None` only when
    /// `LINKBROKER_ALEXA_VERIFY_SIGNATURE=false` (warned at startup).
    pub alexa_verifier: Option<crate::alexa::SignatureVerifier>,
    /// Counters behind `/metrics`.
    pub metrics: Metrics,
    /// Per-instance abuse limits.
    pub limits: RateLimits,
}

pub fn configure(cfg: &mut web::ServiceConfig, dev: bool) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(metrics::metrics))
        .route("/static/style.css", web::get().to(pages::stylesheet))
        .route("/oauth/authorize", web::get().to(authorize::authorize))
        .route("/oauth/callback", web::get().to(callback::callback))
        .route("/oauth/consent", web::get().to(consent::show))
        .route("/oauth/consent", web::post().to(consent::submit))
        .route("/oauth/token", web::post().to(token::token))
        .route("/oauth/revoke", web::post().to(revocation::revoke))
        .route("/oauth/introspect", web::post().to(revocation::introspect))
        .route("/oauth/userinfo", web::get().to(userinfo::userinfo))
        .route("/oauth/jwks", web::get().to(discovery::jwks))
        .route("/.well-known/oauth-authorization-server", web::get().to(discovery::metadata))
        .service(alexa::resource());
    crate::admin::configure(cfg);
    if dev {
        cfg.route("/dev/login", web::get().to(dev::login_form))
            .route("/dev/login", web::post().to(dev::login_submit))
            .route("/dev/callback", web::get().to(dev::callback_page));
    }
}
