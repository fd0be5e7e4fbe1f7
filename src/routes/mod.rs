//! actix handlers, one file per route family: parse the request, call the
//! core, map the outcome to HTTP. The mapping of errors to statuses lives
//! here and in `token.rs` only.

mod alexa;
mod authorize;
mod callback;
mod consent;
mod dev;
mod discovery;
pub mod endpoints;
mod health;
mod limits;
mod metrics;
mod pages;
mod revocation;
mod token;
mod userinfo;

use actix_web::web;
use endpoints::at;

use crate::metrics::Metrics;
use crate::oauth::AuthServer;
use crate::rate_limit::RateLimits;
use crate::upstream::Upstream;

pub use limits::{caller, caller_key};
pub use pages::{error_page, redirect, render};

/// Shared by every handler.
pub struct AppState {
    pub auth: AuthServer,
    /// The management use cases (admin UI and API), clearing this
    /// instance's caches.
    pub manage: crate::manage::Manager,
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
    /// Concurrent admin password verifications (argon2id, about 19 MiB
    /// each); a sign-in past the cap is answered 503 at once.
    pub password_checks: std::sync::Arc<tokio::sync::Semaphore>,
}

/// How many admin password verifications may run at once per instance.
pub const PASSWORD_CHECKS: usize = 4;

pub fn configure(cfg: &mut web::ServiceConfig, dev: bool) {
    use actix_web::http::Method;
    let (get, post) = (Method::GET, Method::POST);
    endpoints::mount(
        cfg,
        vec![
            at("/healthz", get.clone(), health::healthz),
            at("/readyz", get.clone(), health::readyz),
            at("/metrics", get.clone(), metrics::metrics),
            at("/static/style.css", get.clone(), pages::stylesheet),
            at("/oauth/authorize", get.clone(), authorize::authorize),
            at("/oauth/callback", get.clone(), callback::callback),
            at("/oauth/consent", get.clone(), consent::show),
            at("/oauth/consent", post.clone(), consent::submit),
            at("/oauth/token", post.clone(), token::token),
            at("/oauth/revoke", post.clone(), revocation::revoke),
            at("/oauth/introspect", post.clone(), revocation::introspect),
            at("/oauth/userinfo", get.clone(), userinfo::userinfo),
            at("/oauth/jwks", get.clone(), discovery::jwks),
            at("/.well-known/oauth-authorization-server", get.clone(), discovery::metadata),
        ],
    );
    cfg.service(alexa::resource());
    crate::admin::configure(cfg);
    if dev {
        endpoints::mount(
            cfg,
            vec![
                at("/dev/login", get.clone(), dev::login_form),
                at("/dev/login", post, dev::login_submit),
                at("/dev/callback", get, dev::callback_page),
            ],
        );
    }
}
