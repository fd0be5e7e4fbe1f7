//! Admin actions on user records (every one a CSRF-checked POST that ends
//! in a redirect, and every one audited with the admin as actor).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::users::session_and_user;
use super::{AdminError, AdminSession};
use crate::domain::{Email, Permission};
use crate::routes::{redirect, AppState};

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
    /// permissions: `add` or `remove`; status: `disable` or `enable`.
    #[serde(default)]
    op: String,
    #[serde(default)]
    permission: String,
    /// links/revoke: one link id, or empty for all.
    #[serde(default)]
    link: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    subject: String,
}

#[derive(Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    /// Comma- or space-separated.
    #[serde(default)]
    permissions: String,
}

fn back_to(user_id: &str) -> HttpResponse {
    redirect(StatusCode::SEE_OTHER, &format!("/admin/users/{user_id}"))
}

fn bad(e: impl std::fmt::Display) -> AdminError {
    AdminError::BadInput(e.to_string())
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<NewUserForm>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require_form(&req, &state, &form.csrf).await?;
    let email = Email::parse(&form.email).map_err(bad)?;
    let name = form.name.trim();
    if name.chars().count() > 200 {
        return Err(bad("A name has at most 200 characters."));
    }
    let permissions = Permission::parse_list(&form.permissions.replace(char::is_whitespace, ",")).map_err(bad)?;
    let now = crate::clock::now();
    let user = state.auth.store.create_user(&email, name, &permissions, now).await?;
    let granted: Vec<&str> = permissions.iter().map(Permission::as_str).collect();
    session.audit(&state, "user_provisioned", &user.id, serde_json::json!({ "permissions": granted })).await?;
    Ok(back_to(&user.id))
}

pub async fn permissions(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AdminError> {
    let (session, r) = session_and_user(&req, &state, &id, Some(&form.csrf)).await?;
    let permission = Permission::parse(&form.permission).map_err(bad)?;
    let store = &state.auth.store;
    let (changed, action) = match form.op.as_str() {
        "add" => (store.grant_permission(&r.user.id, &permission, crate::clock::now()).await?, "permission_granted"),
        "remove" => (store.revoke_permission(&r.user.id, &permission).await?, "permission_revoked"),
        _ => return Err(bad("Choose add or remove.")),
    };
    if changed {
        state.auth.access_cache.clear();
        session.audit(&state, action, &r.user.id, serde_json::json!({ "permission": permission.as_str() })).await?;
    }
    Ok(back_to(&r.user.id))
}

/// Disabling stops every link (tokens of a disabled user do not resolve; at
/// once here, within the 2 s cache bound elsewhere) without revoking them.
/// Enabling brings back only the links the platforms kept: a refresh refused
/// while disabled makes Alexa or Google drop the link for good.
pub async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AdminError> {
    let (session, r) = session_and_user(&req, &state, &id, Some(&form.csrf)).await?;
    let (disabled, action) = match form.op.as_str() {
        "disable" => (true, "user_disabled"),
        "enable" => (false, "user_enabled"),
        _ => return Err(bad("Choose disable or enable.")),
    };
    if state.auth.store.set_user_disabled(&r.user.id, disabled, crate::clock::now()).await? {
        state.auth.access_cache.clear();
        session.audit(&state, action, &r.user.id, serde_json::json!({})).await?;
    }
    Ok(back_to(&r.user.id))
}

pub async fn revoke_links(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AdminError> {
    let (session, r) = session_and_user(&req, &state, &id, Some(&form.csrf)).await?;
    let store = &state.auth.store;
    let now = crate::clock::now();
    if form.link.is_empty() {
        super::ops::revoke_all_links(&state.auth, &session.actor(), &r.user.id).await?;
    } else if store.revoke_user_link(&r.user.id, &form.link, "admin", now).await? {
        state.auth.access_cache.clear();
        session.audit(&state, "link_revoked", &form.link, serde_json::json!({ "user_id": r.user.id })).await?;
    }
    Ok(back_to(&r.user.id))
}

pub async fn unlink(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AdminError> {
    let (session, r) = session_and_user(&req, &state, &id, Some(&form.csrf)).await?;
    if state.auth.store.unlink_identity(&r.user.id, &form.provider, &form.subject).await? {
        let detail = serde_json::json!({ "provider": form.provider });
        session.audit(&state, "identity_unlinked", &r.user.id, detail).await?;
    }
    Ok(back_to(&r.user.id))
}

pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AdminError> {
    let (session, r) = session_and_user(&req, &state, &id, Some(&form.csrf)).await?;
    super::ops::delete_user(&state.auth, &session.actor(), &r.user.id, &r.user.email).await?;
    Ok(redirect(StatusCode::SEE_OTHER, "/admin/users"))
}
