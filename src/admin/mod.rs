//! The admin web UI: sign-in, dashboard, users, clients and the audit log. Handlers
//! are thin: check the session (and CSRF on every POST), call the store,
//! render a template. SQL lives in `store/admin_*.rs`.

mod api;
mod api_auth;
mod api_clients;
mod audit;
mod client_form;
mod clients;
mod error;
mod login;
mod ops;
mod session;
mod tokens;
mod user_actions;
mod users;

use actix_web::web;

pub use api_auth::create_api_token;
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
    api::configure(cfg);
    cfg.route("/admin", web::get().to(audit::dashboard))
        .route("/admin/static/admin.css", web::get().to(stylesheet))
        .route("/admin/login", web::get().to(login::form))
        .route("/admin/login", web::post().to(login::submit))
        .route("/admin/logout", web::post().to(login::logout))
        .route("/admin/audit", web::get().to(audit::log))
        .route("/admin/clients", web::get().to(clients::list))
        .route("/admin/clients", web::post().to(clients::create))
        .route("/admin/clients/new", web::get().to(clients::new_form))
        .route("/admin/clients/{id}", web::get().to(clients::show))
        .route("/admin/clients/{id}", web::post().to(clients::update))
        .route("/admin/clients/{id}/confirm", web::get().to(clients::confirm))
        .route("/admin/clients/{id}/rotate", web::post().to(clients::rotate))
        .route("/admin/clients/{id}/delete", web::post().to(clients::delete))
        .route("/admin/tokens", web::get().to(tokens::list))
        .route("/admin/tokens", web::post().to(tokens::create))
        .route("/admin/tokens/{id}/revoke", web::get().to(tokens::confirm_revoke))
        .route("/admin/tokens/{id}/revoke", web::post().to(tokens::revoke))
        .route("/admin/users", web::get().to(users::list))
        .route("/admin/users", web::post().to(user_actions::create))
        .route("/admin/users/new", web::get().to(users::new_form))
        .route("/admin/users/{id}", web::get().to(users::show))
        .route("/admin/users/{id}/export", web::get().to(users::export))
        .route("/admin/users/{id}/confirm", web::get().to(users::confirm))
        .route("/admin/users/{id}/permissions", web::post().to(user_actions::permissions))
        .route("/admin/users/{id}/status", web::post().to(user_actions::status))
        .route("/admin/users/{id}/links/revoke", web::post().to(user_actions::revoke_links))
        .route("/admin/users/{id}/identities/unlink", web::post().to(user_actions::unlink))
        .route("/admin/users/{id}/delete", web::post().to(user_actions::delete));
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
