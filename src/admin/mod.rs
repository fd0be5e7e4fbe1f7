//! The admin web UI: sign-in, dashboard, users, clients and the audit log. Handlers
//! are thin: check the session (and CSRF on every POST), call the store,
//! render a template. SQL lives in `store/admin_*.rs`.

mod api;
mod api_audit;
mod api_auth;
mod api_clients;
mod audit;
mod client_form;
mod clients;
mod error;
mod login;
mod session;
mod tokens;
mod user_actions;
mod users;

use actix_web::web;

pub use error::AdminError;

/// A second page with a POST form for every destructive action: no
/// JavaScript confirm dialogs, and nothing is destroyed by a GET.
#[derive(askama::Template)]
#[template(path = "admin/confirm.html")]
pub struct ConfirmPage<'a> {
    pub session: &'a AdminSession,
    pub title: &'a str,
    pub message: String,
    pub action: String,
    pub button: &'a str,
    /// Where "Cancel" goes.
    pub cancel: String,
    /// Hidden fields the action needs besides the CSRF token.
    pub fields: Vec<(&'static str, String)>,
}
pub use session::AdminSession;

const STYLE: &str = include_str!("../../static/admin.css");

async fn stylesheet() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(STYLE)
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    use crate::web::endpoints::at;
    api::configure(cfg);
    use actix_web::http::Method;
    crate::web::endpoints::mount(
        cfg,
        vec![
            at("/admin", Method::GET, audit::dashboard),
            at("/admin/static/admin.css", Method::GET, stylesheet),
            at("/admin/login", Method::GET, login::form),
            at("/admin/login", Method::POST, login::submit),
            at("/admin/logout", Method::POST, login::logout),
            at("/admin/audit", Method::GET, audit::log),
            at("/admin/clients", Method::GET, clients::list),
            at("/admin/clients", Method::POST, clients::create),
            at("/admin/clients/new", Method::GET, clients::new_form),
            at("/admin/clients/{id}", Method::GET, clients::show),
            at("/admin/clients/{id}", Method::POST, clients::update),
            at("/admin/clients/{id}/confirm", Method::GET, clients::confirm),
            at("/admin/clients/{id}/rotate", Method::POST, clients::rotate),
            at("/admin/clients/{id}/delete", Method::POST, clients::delete),
            at("/admin/clients/{id}/alexa-events", Method::POST, clients::alexa_events),
            at("/admin/clients/{id}/alexa-app", Method::POST, clients::alexa_app),
            at("/admin/tokens", Method::GET, tokens::list),
            at("/admin/tokens", Method::POST, tokens::create),
            at("/admin/tokens/{id}/revoke", Method::GET, tokens::confirm_revoke),
            at("/admin/tokens/{id}/revoke", Method::POST, tokens::revoke),
            at("/admin/users", Method::GET, users::list),
            at("/admin/users", Method::POST, user_actions::create),
            at("/admin/users/new", Method::GET, users::new_form),
            at("/admin/users/{id}", Method::GET, users::show),
            at("/admin/users/{id}/export", Method::GET, users::export),
            at("/admin/users/{id}/confirm", Method::GET, users::confirm),
            at("/admin/users/{id}/permissions", Method::POST, user_actions::permissions),
            at("/admin/users/{id}/status", Method::POST, user_actions::status),
            at("/admin/users/{id}/links/revoke", Method::POST, user_actions::revoke_links),
            at("/admin/users/{id}/verify-email", Method::POST, user_actions::verify_email),
            at("/admin/users/{id}/identities/unlink", Method::POST, user_actions::unlink),
            at("/admin/users/{id}/delete", Method::POST, user_actions::delete),
        ],
    );
}

/// Unix seconds as `YYYY-MM-DD HH:MM UTC` (0 shows as "never").
pub fn format_time(t: i64) -> String {
    if t <= 0 {
        return "never".into();
    }
    let (y, m, d, secs) = crate::clock::civil_from_unix(t);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", secs / 3600, secs % 3600 / 60)
}

#[cfg(test)]
mod tests {
    use super::format_time;

    #[test]
    fn formats_unix_times_as_utc_dates() {
        assert_eq!(format_time(0), "never");
        assert_eq!(format_time(1), "1970-01-01 00:00 UTC");
        assert_eq!(format_time(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(format_time(1_795_786_000), "2026-11-27 13:26 UTC");
    }
}

/// Template filters: `{{ t|time }}` in every admin page.
pub mod filters {
    pub fn time(t: &i64) -> askama::Result<String> {
        Ok(super::format_time(*t))
    }

    pub fn opt_time(t: &Option<i64>) -> askama::Result<String> {
        Ok(t.map_or_else(String::new, super::format_time))
    }
}
