//! HTML page helpers: rendering, the error page, the browser-binding cookie.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use crate::domain::{constant_time_eq, Secret};

const STYLE: &str = include_str!("../../static/style.css");

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

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
    back_link: Option<&'a str>,
}

pub fn render(status: StatusCode, page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .insert_header(("Cache-Control", "no-store"))
            .body(html),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            HttpResponse::InternalServerError().body("internal error")
        }
    }
}

/// A page that explains what went wrong; `back_link` lets the user return to
/// the app with an error the app understands.
pub fn error_page(status: StatusCode, title: &str, message: &str, back_link: Option<&str>) -> HttpResponse {
    render(status, &ErrorPage { title, message, back_link })
}

pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(STYLE)
}

/// The browser's binding secret from its cookie, if it has a sane one.
fn browser_secret(req: &HttpRequest, secure: bool) -> Option<Secret> {
    req.cookie(browser_cookie_name(secure)).map(|c| c.value().to_string()).filter(|v| v.len() == 43).map(Secret::new)
}

/// Whether this request comes from the browser whose binding hash is `expected`.
pub fn same_browser(req: &HttpRequest, expected: &str, secure: bool) -> bool {
    browser_secret(req, secure).is_some_and(|s| constant_time_eq(s.hash().as_str().as_bytes(), expected.as_bytes()))
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

/// A redirect the browser follows with GET (303 after a form post).
pub fn redirect(status: StatusCode, location: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("Location", location))
        .insert_header(("Cache-Control", "no-store"))
        .finish()
}
