//! `/admin/api/clients`: the JSON door to the client use cases in
//! `manage::clients`, which validate and audit.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::api_auth::{api_actor, ApiError, ErrorBody};
use crate::domain::{ClientDraft, ConsentPreset, TokenFormat};
use crate::web::AppState;

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
    /// Accept PKCE `plain` from this client (default: S256 only; an update
    /// without the field keeps the current setting).
    #[serde(default)]
    allow_plain_pkce: Option<bool>,
    /// Consent page wording: `alexa` (default) or `google`; an update
    /// without the field keeps the current one.
    #[serde(default)]
    consent: Option<String>,
}

impl NewClient {
    /// `plain_default`, `consent_default`: the settings when the body does
    /// not say.
    fn draft(self, plain_default: bool, consent_default: ConsentPreset) -> Result<ClientDraft, ApiError> {
        let consent = match self.consent.as_deref() {
            None => consent_default,
            Some(raw) => {
                ConsentPreset::parse(raw).map_err(|_| ApiError::Invalid("consent is alexa or google".into()))?
            }
        };
        let token_format = TokenFormat::parse(self.token_format.as_deref().unwrap_or(""))
            .map_err(|_| ApiError::Invalid("token_format is opaque or jwt".into()))?;
        Ok(ClientDraft {
            name: self.name,
            redirect_uris: self.redirect_uris,
            scopes: self.scopes,
            skip_consent: self.skip_consent,
            token_format,
            allow_plain_pkce: self.allow_plain_pkce.unwrap_or(plain_default),
            consent,
        })
    }
}

/// The client secret, returned only by create and rotate.
#[derive(Serialize, ToSchema)]
pub struct ClientSecret {
    client_id: String,
    client_secret: String,
}

#[derive(Serialize, ToSchema)]
pub struct ClientView {
    id: String,
    name: String,
    redirect_uris: Vec<String>,
    scopes: Vec<String>,
    skip_consent: bool,
    token_format: String,
    allow_plain_pkce: bool,
    /// Consent page wording: `alexa` or `google`.
    consent: String,
    /// The "Send Alexa Events" client id, if stored (the secret is write-only).
    alexa_events_client_id: Option<String>,
    /// App-to-app linking, when on (the secret is write-only).
    alexa_app: Option<AlexaAppView>,
    created_at: i64,
}

/// A client's app-to-app settings, without the secret.
#[derive(Serialize, ToSchema)]
pub struct AlexaAppView {
    skill_id: String,
    /// `live` or `development`.
    stage: String,
    alexa_client_id: String,
}

fn secret_answer(status: actix_web::http::StatusCode, client_id: &str, secret: &crate::domain::Secret) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("Cache-Control", "no-store"))
        .json(ClientSecret { client_id: client_id.to_string(), client_secret: secret.expose().to_string() })
}

#[utoipa::path(get, path = "/admin/api/clients", security(("bearer" = [])),
    responses((status = 200, body = Vec<ClientView>), (status = 401, body = ErrorBody)))]
pub async fn list_clients(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    api_actor(&req, &state).await?;
    let clients: Vec<ClientView> = state
        .manage
        .clients()
        .await?
        .into_iter()
        .map(|c| ClientView {
            scopes: c.scopes.split_whitespace().map(str::to_string).collect(),
            id: c.id,
            name: c.name,
            redirect_uris: c.redirect_uris,
            skip_consent: c.skip_consent,
            token_format: c.token_format.as_str().to_string(),
            allow_plain_pkce: c.allow_plain_pkce,
            consent: c.consent.as_str().to_string(),
            alexa_events_client_id: c.alexa_events_client_id,
            alexa_app: c.alexa_app.map(|a| AlexaAppView {
                skill_id: a.skill_id,
                stage: a.stage,
                alexa_client_id: a.alexa_client_id,
            }),
            created_at: c.created_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(clients))
}

#[utoipa::path(post, path = "/admin/api/clients", request_body = NewClient, security(("bearer" = [])),
    responses((status = 201, body = ClientSecret), (status = 400, body = ErrorBody)))]
pub async fn create_client(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<NewClient>,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    let (id, secret) =
        state.manage.create_client(&actor, &body.into_inner().draft(false, ConsentPreset::default())?).await?;
    Ok(secret_answer(actix_web::http::StatusCode::CREATED, id.as_str(), &secret))
}

#[utoipa::path(post, path = "/admin/api/clients/{id}/rotate-secret", security(("bearer" = [])), params(("id" = String, Path, description = "The client's id")),
    responses((status = 200, body = ClientSecret), (status = 404, body = ErrorBody)))]
pub async fn rotate_secret(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    let secret = state.manage.rotate_client_secret(&actor, &id).await?;
    Ok(secret_answer(actix_web::http::StatusCode::OK, &id, &secret))
}

/// Deletes a client and revokes every link made through it.
#[utoipa::path(delete, path = "/admin/api/clients/{id}", security(("bearer" = [])), params(("id" = String, Path, description = "The client's id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_client(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    state.manage.delete_client(&actor, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The whole client as it should be (name, URIs, scopes, consent, format,
/// PKCE `plain`).
#[utoipa::path(put, path = "/admin/api/clients/{id}", request_body = NewClient, security(("bearer" = [])), params(("id" = String, Path, description = "The client's id")),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_client(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<NewClient>,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    let current = state.manage.client(&id).await?;
    state
        .manage
        .update_client(&actor, &id, &body.into_inner().draft(current.allow_plain_pkce, current.consent)?)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The skill's "Send Alexa Events" credentials (Alexa developer console,
/// Build > Permissions). The secret is stored sealed and never returned.
#[derive(Deserialize, ToSchema)]
pub struct AlexaEvents {
    alexa_client_id: String,
    alexa_client_secret: String,
}

#[utoipa::path(put, path = "/admin/api/clients/{id}/alexa-events", request_body = AlexaEvents, security(("bearer" = [])), params(("id" = String, Path, description = "The client's id")),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_alexa_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<AlexaEvents>,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    let credentials = Some((body.alexa_client_id.as_str(), body.alexa_client_secret.as_str()));
    state.manage.set_alexa_events(&actor, &id, credentials).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(delete, path = "/admin/api/clients/{id}/alexa-events", security(("bearer" = [])), params(("id" = String, Path, description = "The client's id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn clear_alexa_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    state.manage.set_alexa_events(&actor, &id, None).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// App-to-app linking: the skill, the stage users enable (`live`, the
/// default, or `development`), and the skill's Alexa Client Id and Secret
/// (Alexa developer console, Build > Account Linking). The secret is stored
/// sealed and never returned.
#[derive(Deserialize, ToSchema)]
pub struct AlexaApp {
    skill_id: String,
    #[serde(default)]
    stage: Option<String>,
    alexa_client_id: String,
    alexa_client_secret: String,
}

#[utoipa::path(put, path = "/admin/api/clients/{id}/alexa-app", request_body = AlexaApp, security(("bearer" = [])), params(("id" = String, Path, description = "The client's id")),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_alexa_app(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<AlexaApp>,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    let body = body.into_inner();
    let draft = crate::manage::AlexaAppDraft {
        skill_id: body.skill_id,
        stage: body.stage,
        alexa_client_id: body.alexa_client_id,
        alexa_client_secret: body.alexa_client_secret,
    };
    state.manage.set_alexa_app(&actor, &id, Some(&draft)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(delete, path = "/admin/api/clients/{id}/alexa-app", security(("bearer" = [])), params(("id" = String, Path, description = "The client's id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn clear_alexa_app(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    state.manage.set_alexa_app(&actor, &id, None).await?;
    Ok(HttpResponse::NoContent().finish())
}
