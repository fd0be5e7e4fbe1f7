//! Admin pages that read user records: the searchable list, one user's page,
//! the pre-provision form, confirmation pages, and the JSON export.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::{Deserialize, Serialize};

#[allow(unused_imports)]
use super::filters;
use super::{AdminError, AdminSession, ConfirmPage};
use crate::store::{IdentityDetail, LinkDetail, UserListRow, UserQuery, UserRow, UserSort};
use crate::web::{render, AppState};

const PAGE: i64 = 50;

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    q: String,
    /// "yes", "no" or empty (any).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    disabled: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    linked: String,
    /// "created" (default) or "active".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    sort: String,
    /// `<sort key>.<user id>` of the last row of the previous page.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    after: String,
}

fn yes_no(raw: &str) -> Result<Option<bool>, AdminError> {
    match raw {
        "" => Ok(None),
        "yes" => Ok(Some(true)),
        "no" => Ok(Some(false)),
        _ => Err(AdminError::BadInput("Filters take yes, no or nothing.".into())),
    }
}

impl ListQuery {
    fn parse(&self) -> Result<UserQuery, AdminError> {
        if self.q.chars().count() > 200 {
            return Err(AdminError::BadInput("Search for at most 200 characters.".into()));
        }
        let sort = match self.sort.as_str() {
            "" | "created" => UserSort::Created,
            "active" => UserSort::LastActive,
            _ => return Err(AdminError::BadInput("Sort by created or active.".into())),
        };
        let after = if self.after.is_empty() {
            None
        } else {
            let bad = || AdminError::BadInput("That page link is malformed.".into());
            let (key, id) = self.after.split_once('.').ok_or_else(bad)?;
            let key = key.parse::<i64>().map_err(|_| bad())?;
            if id.is_empty() || id.len() > 64 {
                return Err(bad());
            }
            Some((key, id.to_string()))
        };
        Ok(UserQuery {
            search: Some(self.q.trim().to_string()).filter(|s| !s.is_empty()),
            disabled: yes_no(&self.disabled)?,
            linked: yes_no(&self.linked)?,
            sort,
            after,
            limit: PAGE + 1,
        })
    }
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage<'a> {
    session: &'a AdminSession,
    query: &'a ListQuery,
    users: &'a [UserListRow],
    next: Option<String>,
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require(&req, &state).await?;
    let parsed = query.parse()?;
    let mut users = state.auth.store.search_users(&parsed).await?;
    let next = if users.len() as i64 > PAGE {
        users.truncate(PAGE as usize);
        users.last().map(|last| {
            let key = match parsed.sort {
                UserSort::Created => last.created_at,
                UserSort::LastActive => last.last_active_at,
            };
            let next = ListQuery { after: format!("{key}.{}", last.id), ..query.0.clone() };
            format!("/admin/users?{}", serde_urlencoded::to_string(&next).unwrap_or_default())
        })
    } else {
        None
    };
    Ok(render(StatusCode::OK, &UsersPage { session: &session, query: &query, users: &users, next }))
}

/// Everything the user page and the export show about one user.
pub struct UserRecord {
    pub user: UserRow,
    pub permissions: Vec<String>,
    pub identities: Vec<IdentityDetail>,
    pub links: Vec<LinkDetail>,
    /// Smart Home: the Amazon grants of these links (status only).
    pub alexa_grants: Vec<crate::store::AlexaGrant>,
    /// Unlinks queued for Alexa (links made app-to-app that ended).
    pub unlinks: Vec<crate::store::UnlinkStatus>,
}

impl UserRecord {
    /// How a link was made, and for one made app-to-app whether Alexa has
    /// been told of its end (the queue's state).
    pub fn made_and_told(&self, link: &LinkDetail) -> String {
        let how = match link.made_by.as_str() {
            "app" => "app-to-app",
            "google" => "Google",
            _ => "Alexa app",
        };
        match self.unlinks.iter().find(|u| u.id == link.id) {
            None if link.alexa_endpoint.is_some() => format!("{how}; Alexa will be told of an unlink"),
            None => how.to_string(),
            Some(u) => match (&u.outcome, u.finished_at) {
                (Some(outcome), Some(at)) => {
                    let what = match outcome.as_str() {
                        "delivered" => "Alexa told of the unlink",
                        "already_gone" => "Alexa had already dropped the skill",
                        _ => "Alexa could not be told (gave up after 24 hours)",
                    };
                    format!("{how}; {what} {}", super::format_time(at))
                }
                _ => format!(
                    "{how}; unlink queued, {} attempts, next {}{}",
                    u.attempts,
                    super::format_time(u.next_attempt_at),
                    u.last_error.as_deref().map(|e| format!(" (last: {e})")).unwrap_or_default()
                ),
            },
        }
    }

    /// A link's Smart Home event status, for its row on the user page.
    pub fn events_status(&self, link_id: &str) -> String {
        match self.alexa_grants.iter().find(|g| g.grant_id == link_id) {
            None => "never granted".into(),
            Some(g) => match (g.dropped_at, &g.dropped_reason) {
                (Some(at), why) => {
                    format!("dropped {} ({})", super::format_time(at), why.as_deref().unwrap_or("no reason"))
                }
                (None, _) => format!(
                    "on, {}; last event {}; last refresh {}",
                    g.region,
                    g.last_event_at.map_or_else(|| "never".into(), super::format_time),
                    g.refreshed_at.map_or_else(|| "never".into(), super::format_time),
                ),
            },
        }
    }
}

/// The session and the user record a user-page request is about; with
/// `csrf`, the request is a form post and the token must match.
pub async fn session_and_user(
    req: &HttpRequest,
    state: &AppState,
    id: &str,
    csrf: Option<&str>,
) -> Result<(AdminSession, UserRecord), AdminError> {
    let session = match csrf {
        Some(token) => AdminSession::require_form(req, state, token).await?,
        None => AdminSession::require(req, state).await?,
    };
    Ok((session, load_user(state, id).await?))
}

async fn load_user(state: &AppState, id: &str) -> Result<UserRecord, AdminError> {
    let store = &state.auth.store;
    if id.len() > 64 {
        return Err(AdminError::NotFound);
    }
    let user = store.user_by_id(id).await?.ok_or(AdminError::NotFound)?;
    Ok(UserRecord {
        permissions: store.user_permissions(id).await?,
        identities: store.user_identities(id).await?,
        links: store.user_links(id).await?,
        alexa_grants: store.alexa_grants_of_user(id).await?,
        unlinks: store.unlinks_of_user(id).await?,
        user,
    })
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage<'a> {
    session: &'a AdminSession,
    r: &'a UserRecord,
    known_permissions: Vec<String>,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AdminError> {
    let (session, r) = session_and_user(&req, &state, &id, None).await?;
    let known_permissions =
        state.auth.store.known_permissions().await?.into_iter().filter(|p| !r.permissions.contains(p)).collect();
    Ok(render(StatusCode::OK, &UserPage { session: &session, r: &r, known_permissions }))
}

#[derive(Template)]
#[template(path = "admin/user_new.html")]
struct NewUserPage<'a> {
    session: &'a AdminSession,
}

pub async fn new_form(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require(&req, &state).await?;
    Ok(render(StatusCode::OK, &NewUserPage { session: &session }))
}

#[derive(Deserialize)]
pub struct ConfirmQuery {
    action: String,
    #[serde(default)]
    link: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    subject: String,
}

pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<ConfirmQuery>,
) -> Result<HttpResponse, AdminError> {
    let (session, r) = session_and_user(&req, &state, &id, None).await?;
    let base = format!("/admin/users/{}", r.user.id);
    let who = r.user.email.clone();
    let (title, message, action, button, fields) = match query.action.as_str() {
        "delete" => (
            "Delete this user?",
            format!("{who} will be erased: every link is revoked, identities, permissions and personal data are removed. The audit trail stays, without personal data. This cannot be undone."),
            format!("{base}/delete"),
            "Delete user",
            vec![],
        ),
        "revoke_all" => (
            "Revoke every link?",
            format!("Every voice-platform link of {who} stops working at once. They can link again."),
            format!("{base}/links/revoke"),
            "Revoke all links",
            vec![],
        ),
        "revoke" => {
            let link = r.links.iter().find(|l| l.id == query.link).ok_or(AdminError::NotFound)?;
            (
                "Revoke this link?",
                format!("The link of {who} with {} stops working at once.", link.client_name),
                format!("{base}/links/revoke"),
                "Revoke link",
                vec![("link", link.id.clone())],
            )
        }
        "unlink" => {
            let idn = r
                .identities
                .iter()
                .find(|i| i.provider == query.provider && i.subject == query.subject)
                .ok_or(AdminError::NotFound)?;
            (
                "Unlink this identity?",
                format!("The {} account {} is detached from {who}; its next sign-in is treated as new.", idn.provider, idn.subject),
                format!("{base}/identities/unlink"),
                "Unlink identity",
                vec![("provider", idn.provider.clone()), ("subject", idn.subject.clone())],
            )
        }
        _ => return Err(AdminError::BadInput("Unknown action.".into())),
    };
    let page = ConfirmPage { session: &session, title, message, action, button, cancel: base, fields };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Serialize)]
struct Export<'a> {
    id: &'a str,
    email: &'a str,
    name: &'a str,
    disabled: bool,
    created_at: i64,
    permissions: &'a [String],
    identities: Vec<serde_json::Value>,
    links: Vec<serde_json::Value>,
}

/// The user's data as JSON (a data-subject access request): no secrets,
/// no token hashes.
pub async fn export(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AdminError> {
    let (session, r) = session_and_user(&req, &state, &id, None).await?;
    let u = &r.user;
    let body = Export {
        id: &u.id,
        email: &u.email,
        name: &u.name,
        disabled: u.is_disabled(),
        created_at: u.created_at,
        permissions: &r.permissions,
        identities: r
            .identities
            .iter()
            .map(|i| {
                serde_json::json!({
                    "provider": i.provider, "subject": i.subject, "email": i.email, "name": i.name,
                    "created_at": i.created_at, "last_login_at": i.last_login_at,
                })
            })
            .collect(),
        links: r
            .links
            .iter()
            .map(|l| {
                serde_json::json!({
                    "id": l.id, "client_id": l.client_id, "client_name": l.client_name, "scope": l.scope,
                    "created_at": l.created_at, "last_used_at": l.last_used_at, "revoked_at": l.revoked_at,
                    "revoked_reason": l.revoked_reason, "alexa_user_id": l.alexa_user_id,
                    "made_by": l.made_by,
                })
            })
            .collect(),
    };
    session.audit(&state, "user_exported", &u.id, serde_json::json!({})).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Content-Disposition", format!("attachment; filename=\"user-{}.json\"", u.id)))
        .json(body))
}
