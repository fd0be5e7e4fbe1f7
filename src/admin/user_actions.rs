//! Admin actions on user records: every one a CSRF-checked POST that calls
//! its use case in `manage` (which validates and audits) and ends in a
//! redirect.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{AdminError, AdminSession};
use crate::manage::{ManageError, NewUser, UserKey};
use crate::web::{redirect, AppState};

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
    /// Ticked: the admin vouches for the email.
    #[serde(default)]
    email_verified: String,
}

fn back_to(user_id: &str) -> HttpResponse {
    redirect(StatusCode::SEE_OTHER, &format!("/admin/users/{user_id}"))
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<NewUserForm>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require_form(&req, &state, &form.csrf).await?;
    let form = form.into_inner();
    let new = NewUser {
        email: form.email,
        name: form.name,
        permissions: vec![form.permissions],
        email_verified: !form.email_verified.is_empty(),
    };
    let user = state.manage.provision_user(&session.actor(), &new).await?;
    Ok(back_to(&user.id))
}

pub async fn permissions(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require_form(&req, &state, &form.csrf).await?;
    let grant = match form.op.as_str() {
        "add" => true,
        "remove" => false,
        _ => return Err(AdminError::BadInput("Choose add or remove.".into())),
    };
    let key = UserKey::Id(id.into_inner());
    let (user, _) = state.manage.set_permission(&session.actor(), &key, &form.permission, grant).await?;
    Ok(back_to(&user.id))
}

/// Disable or enable (see `Manager::set_disabled` for what each means to
/// the platforms).
pub async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require_form(&req, &state, &form.csrf).await?;
    let disabled = match form.op.as_str() {
        "disable" => true,
        "enable" => false,
        _ => return Err(AdminError::BadInput("Choose disable or enable.".into())),
    };
    let (user, _) = state.manage.set_disabled(&session.actor(), &UserKey::Id(id.into_inner()), disabled).await?;
    Ok(back_to(&user.id))
}

/// Marks the user's email verified.
pub async fn verify_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require_form(&req, &state, &form.csrf).await?;
    let (user, _) = state.manage.verify_email(&session.actor(), &UserKey::Id(id.into_inner())).await?;
    Ok(back_to(&user.id))
}

pub async fn revoke_links(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require_form(&req, &state, &form.csrf).await?;
    let key = UserKey::Id(id.into_inner());
    if form.link.is_empty() {
        state.manage.revoke_all_links(&session.actor(), &key).await?;
    } else {
        // A link already revoked (a second click) is no error on a page.
        match state.manage.revoke_link(&session.actor(), &key, &form.link).await {
            Ok(()) | Err(ManageError::NotFound("live link")) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(back_to(key.as_id()))
}

pub async fn unlink(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require_form(&req, &state, &form.csrf).await?;
    let key = UserKey::Id(id.into_inner());
    match state.manage.unlink_identity(&session.actor(), &key, &form.provider, &form.subject).await {
        Ok(_) | Err(ManageError::NotFound("identity")) => Ok(back_to(key.as_id())),
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require_form(&req, &state, &form.csrf).await?;
    state.manage.delete_user(&session.actor(), &UserKey::Id(id.into_inner())).await?;
    Ok(redirect(StatusCode::SEE_OTHER, "/admin/users"))
}
