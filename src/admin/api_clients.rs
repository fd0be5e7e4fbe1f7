//! Admin API: client changes (create, rotate the secret, delete).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::api_auth::{api_actor, ApiError, ErrorBody};
use super::client_form::ClientForm;
use crate::cli::{add_client, ClientAdd, TokenFormat};
use crate::routes::AppState;
use crate::store::AuditEvent;

#[derive(Deserialize, ToSchema)]
pub struct NewClient {
    name: String,
    /// Exact URIs: https, or http on loopback.
    redirect_uris: Vec<String>,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    skip_consent: bool,
    /// `opaque` (default) or `jwt`.
    #[serde(default)]
    token_format: Option<String>,
    /// Accept PKCE `plain` from this client (default: S256 only).
    #[serde(default)]
    allow_plain_pkce: bool,
}

/// The client secret, returned only by create and rotate.
#[derive(Serialize, ToSchema)]
pub struct ClientSecret {
    client_id: String,
    client_secret: String,
}

#[utoipa::path(post, path = "/admin/api/clients", request_body = NewClient, security(("bearer" = [])),
    responses((status = 201, body = ClientSecret), (status = 400, body = ErrorBody)))]
pub async fn create_client(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<NewClient>,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    if body.redirect_uris.is_empty() || body.redirect_uris.len() > 20 || body.scopes.len() > 50 {
        return Err(ApiError::Invalid("give 1 to 20 redirect_uris and at most 50 scopes".into()));
    }
    let token_format = match body.token_format.as_deref() {
        None | Some("opaque") => TokenFormat::Opaque,
        Some("jwt") => TokenFormat::Jwt,
        Some(_) => return Err(ApiError::Invalid("token_format is opaque or jwt".into())),
    };
    let args = ClientAdd {
        name: body.name.clone(),
        redirect_uris: body.redirect_uris.clone(),
        scopes: body.scopes.clone(),
        skip_consent: body.skip_consent,
        token_format,
        allow_plain_pkce: body.allow_plain_pkce,
        json: true,
    };
    let (id, secret) = add_client(&state.auth.store, &args).await.map_err(|e| ApiError::Invalid(e.to_string()))?;
    let event =
        AuditEvent { actor: &actor, action: "client_created", target: id.as_str(), detail: serde_json::json!({}) };
    state.auth.store.audit(event, crate::clock::now()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(ClientSecret { client_id: id.as_str().to_string(), client_secret: secret.expose().to_string() }))
}

#[utoipa::path(post, path = "/admin/api/clients/{id}/rotate-secret", security(("bearer" = [])),
    responses((status = 200, body = ClientSecret), (status = 404, body = ErrorBody)))]
pub async fn rotate_secret(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    let secret = super::ops::rotate_client_secret(&state.auth, &actor, &id).await?.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(ClientSecret { client_id: id.into_inner(), client_secret: secret.expose().to_string() }))
}

/// Deletes a client and revokes every link made through it.
#[utoipa::path(delete, path = "/admin/api/clients/{id}", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_client(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    if !super::ops::delete_client(&state.auth, &actor, &id).await? {
        return Err(ApiError::NotFound);
    }
    Ok(HttpResponse::NoContent().finish())
}

/// The whole client as it should be (name, URIs, scopes, consent, format).
#[utoipa::path(put, path = "/admin/api/clients/{id}", request_body = NewClient, security(("bearer" = [])),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_client(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<NewClient>,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    // The same checks as the UI form.
    let form = ClientForm {
        name: body.name.clone(),
        redirect_uris: body.redirect_uris.join("\n"),
        scopes: body.scopes.join(" "),
        skip_consent: if body.skip_consent { "1".into() } else { String::new() },
        token_format: body.token_format.clone().unwrap_or_default(),
        ..Default::default()
    };
    let spec = form.parse().map_err(ApiError::Invalid)?;
    if !spec.save(&state.auth.store, &id).await? {
        return Err(ApiError::NotFound);
    }
    let event = AuditEvent { actor: &actor, action: "client_updated", target: &id, detail: serde_json::json!({}) };
    state.auth.store.audit(event, crate::clock::now()).await?;
    Ok(HttpResponse::NoContent().finish())
}
