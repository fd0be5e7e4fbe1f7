//! `/admin/tokens`: the signed-in admin's API tokens for `/admin/api/`:
//! create (shown once, stored hashed) and revoke.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[allow(unused_imports)]
use super::filters;
use super::{AdminError, AdminSession, ConfirmPage};
use crate::manage::ManageError;
use crate::store::ApiTokenRow;
use crate::web::{redirect, render, AppState};

#[derive(Template)]
#[template(path = "admin/tokens.html")]
struct TokensPage<'a> {
    session: &'a AdminSession,
    tokens: Vec<ApiTokenRow>,
    /// A token just created, shown this once.
    created: Option<&'a str>,
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

async fn page(state: &AppState, session: &AdminSession, created: Option<&str>) -> Result<HttpResponse, AdminError> {
    let tokens = state.auth.store.api_tokens_of(&session.admin_id).await?;
    Ok(render(StatusCode::OK, &TokensPage { session, tokens, created }))
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require(&req, &state).await?;
    page(&state, &session, None).await
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require_form(&req, &state, &form.csrf).await?;
    let (_, token) = state.manage.create_api_token(&session.actor(), &session.email, &form.name).await?;
    page(&state, &session, Some(token.expose())).await
}

pub async fn confirm_revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require(&req, &state).await?;
    let tokens = state.auth.store.api_tokens_of(&session.admin_id).await?;
    let token = tokens.iter().find(|t| t.id == *id && t.revoked_at.is_none()).ok_or(AdminError::NotFound)?;
    let page = ConfirmPage {
        session: &session,
        title: "Revoke this API token?",
        message: format!("Scripts using the token \u{201c}{}\u{201d} stop working at once.", token.name),
        action: format!("/admin/tokens/{}/revoke", token.id),
        button: "Revoke token",
        cancel: "/admin/tokens".into(),
        fields: vec![],
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require_form(&req, &state, &form.csrf).await?;
    // A token already revoked (a second click) is no error on a page.
    match state.manage.revoke_api_token(&session.actor(), &session.email, &id).await {
        Ok(()) | Err(ManageError::NotFound(_)) => Ok(redirect(StatusCode::SEE_OTHER, "/admin/tokens")),
        Err(e) => Err(e.into()),
    }
}
