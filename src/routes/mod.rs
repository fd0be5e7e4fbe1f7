//! The OAuth and skill endpoints' actix handlers, one file per route family:
//! parse the request, call the core, map the outcome to HTTP. Errors become
//! statuses in two places: `page_error.rs` (browser pages) and
//! `token::error_response` (RFC 6749 JSON); `/alexa` answers in its own
//! shape (`alexa.rs`).

mod account;
mod alexa;
mod authorize;
mod browser_binding;
mod callback;
mod consent;
mod dev;
mod discovery;
mod health;
mod limits;
mod metrics;
mod page_error;
mod revocation;
mod smart_home;
mod token;
mod userinfo;

use actix_web::web;

use crate::web::endpoints::{self, at};

pub fn configure(cfg: &mut web::ServiceConfig, dev: bool) {
    use actix_web::http::Method;
    let (get, post) = (Method::GET, Method::POST);
    endpoints::mount(
        cfg,
        vec![
            at("/healthz", get.clone(), health::healthz),
            at("/readyz", get.clone(), health::readyz),
            at("/metrics", get.clone(), metrics::metrics),
            at("/static/style.css", get.clone(), crate::web::pages::stylesheet),
            at("/oauth/authorize", get.clone(), authorize::authorize),
            at("/oauth/callback", get.clone(), callback::callback),
            at("/oauth/consent", get.clone(), consent::show),
            at("/oauth/consent", post.clone(), consent::submit),
            at("/oauth/token", post.clone(), token::token),
            at("/oauth/revoke", post.clone(), revocation::revoke),
            at("/oauth/introspect", post.clone(), revocation::introspect),
            at("/oauth/userinfo", get.clone(), userinfo::userinfo),
            at("/user/profile", get.clone(), userinfo::userinfo),
            at("/oauth/jwks", get.clone(), discovery::jwks),
            at("/.well-known/oauth-authorization-server", get.clone(), discovery::metadata),
            at("/alexa/smart-home", post.clone(), smart_home::relay),
            at("/alexa/events", post.clone(), smart_home::send),
            at("/account", get.clone(), account::page),
            at("/account/login", get.clone(), account::login),
            at("/account/logout", post.clone(), account::logout),
            at("/account/links/{link_id}/unlink", post.clone(), account::unlink),
            at("/account/alexa/link", post.clone(), account::alexa_link),
            at("/account/alexa/callback", get.clone(), account::alexa_callback),
        ],
    );
    cfg.service(alexa::resource());
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
