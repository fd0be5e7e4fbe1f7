//! HTML page helpers shared by the OAuth pages and the admin UI: rendering,
//! the error page, redirects, the public stylesheet.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use askama::Template;

const STYLE: &str = include_str!("../../static/style.css");

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

/// A redirect the browser follows with GET (303 after a form post).
pub fn redirect(status: StatusCode, location: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("Location", location))
        .insert_header(("Cache-Control", "no-store"))
        .finish()
}
