//! HTML page helpers shared by the OAuth pages and the admin UI: rendering,
//! the error page, redirects, the public stylesheet, and the language of
//! the pages people see.

use actix_web::http::header::{HeaderValue, ACCEPT_LANGUAGE, CONTENT_LANGUAGE};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use crate::i18n::{Lang, Words};

const STYLE: &str = include_str!("../../static/style.css");

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: Words,
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

/// A person's page in language `t`, saying so in `Content-Language`.
pub fn render_in(status: StatusCode, t: Words, page: &impl Template) -> HttpResponse {
    let mut response = render(status, page);
    response.headers_mut().insert(CONTENT_LANGUAGE, HeaderValue::from_static(t.tag()));
    response
}

/// A page that explains what went wrong, in `t`'s language; `back_link`
/// lets the user return to the app with an error the app understands.
pub fn error_page(status: StatusCode, t: Words, title: &str, message: &str, back_link: Option<&str>) -> HttpResponse {
    render_in(status, t, &ErrorPage { t, title, message, back_link })
}

/// The language of a page a person sees (README "Languages"): `kept` (what
/// the authorization request's `ui_locales` asked for), then the browser's
/// `Accept-Language`, else English.
pub fn page_words(req: &HttpRequest, kept: Option<Lang>) -> Words {
    let accept = req.headers().get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    Words(Lang::for_page(kept, accept))
}

pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(STYLE)
}

/// A redirect the browser follows with GET (303 after a form post).
pub fn redirect(status: StatusCode, location: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("Location", location))
        .insert_header(("Cache-Control", "no-store"))
        .finish()
}

/// Browsers send `Origin` on form posts; when present it must be ours, the
/// configured public URL's origin. Never the request's own Host or
/// `X-Forwarded-Host`: any peer can send those.
pub fn same_origin(req: &HttpRequest, issuer: &str) -> bool {
    let Some(origin) = req.headers().get("Origin").and_then(|v| v.to_str().ok()) else { return true };
    // Under `Referrer-Policy: no-referrer` (ours) browsers send `Origin: null`
    // on form posts (Fetch, "serializing a request origin"): it says nothing,
    // so it counts as absent; the CSRF token still has to match.
    if origin == "null" {
        return true;
    }
    let ours = url::Url::parse(issuer).map(|u| u.origin().ascii_serialization()).unwrap_or_default();
    origin == ours
}
