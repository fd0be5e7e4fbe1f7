//! The browser-binding cookie: names the browser that started an
//! authorization, so a callback or consent from another browser (login
//! CSRF) is refused.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;

use crate::domain::Secret;

/// Names the browser that started an authorization (login CSRF defence).
/// The browser-binding cookie. On HTTPS its name carries the `__Host-`
/// prefix, so browsers accept it only Secure, host-only and on path `/`: a
/// sibling subdomain cannot plant one.
pub const BROWSER_COOKIE: &str = "lb_browser";
pub const BROWSER_COOKIE_SECURE: &str = "__Host-lb_browser";

fn browser_cookie_name(secure: bool) -> &'static str {
    if secure {
        BROWSER_COOKIE_SECURE
    } else {
        BROWSER_COOKIE
    }
}

/// The browser's binding secret from its cookie, if it has a sane one (the
/// flow compares its hash with the request's in constant time).
pub fn browser_secret(req: &HttpRequest, secure: bool) -> Option<Secret> {
    req.cookie(browser_cookie_name(secure)).map(|c| c.value().to_string()).filter(|v| v.len() == 43).map(Secret::new)
}

/// `SameSite=Lax`: the cookie must come back on the top-level redirect from
/// Amazon to /oauth/callback, which `Strict` would withhold.
pub fn browser_cookie(secret: &Secret, secure: bool) -> Cookie<'static> {
    Cookie::build(browser_cookie_name(secure), secret.expose().to_string())
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::hours(1))
        .finish()
}
