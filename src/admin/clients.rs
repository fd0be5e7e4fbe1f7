//! Admin pages for OAuth clients: list, create (secret shown once), edit
//! (name, exact redirect URIs with Alexa/Google presets, scopes, consent,
//! token format), rotate the secret, delete (revoking its links).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::client_form::{ClientForm, ClientSpec};
#[allow(unused_imports)]
use super::filters;
use super::{AdminError, AdminSession, ConfirmPage};
use crate::cli::{add_client, ClientAdd, TokenFormat};
use crate::routes::{redirect, render, AppState};
use crate::store::ClientRow;

#[derive(Template)]
#[template(path = "admin/clients.html")]
struct ClientsPage<'a> {
    session: &'a AdminSession,
    clients: Vec<(ClientRow, i64)>,
}

#[derive(Template)]
#[template(path = "admin/client_edit.html")]
struct EditPage<'a> {
    session: &'a AdminSession,
    /// `None` on the create form.
    client_id: Option<&'a str>,
    form: &'a ClientForm,
    error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "admin/client_secret.html")]
struct SecretPage<'a> {
    session: &'a AdminSession,
    client_id: &'a str,
    secret: &'a str,
}

#[derive(Deserialize)]
pub struct ConfirmQuery {
    action: String,
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn load(state: &AppState, id: &str) -> Result<ClientRow, AdminError> {
    if id.len() > 64 {
        return Err(AdminError::NotFound);
    }
    state.auth.store.client(id).await?.ok_or(AdminError::NotFound)
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require(&req, &state).await?;
    let store = &state.auth.store;
    let links: HashMap<String, i64> = store.live_links_per_client().await?.into_iter().collect();
    let clients = store
        .list_clients()
        .await?
        .into_iter()
        .map(|c| (links.get(&c.id).copied().unwrap_or(0), c))
        .map(|(n, c)| (c, n));
    Ok(render(StatusCode::OK, &ClientsPage { session: &session, clients: clients.collect() }))
}

fn edit_page(session: &AdminSession, client_id: Option<&str>, form: &ClientForm, error: Option<&str>) -> HttpResponse {
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    render(status, &EditPage { session, client_id, form, error })
}

pub async fn new_form(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require(&req, &state).await?;
    let form = ClientForm { scopes: "profile".into(), ..Default::default() };
    Ok(edit_page(&session, None, &form, None))
}

/// A preset button re-shows the form with the URIs added; otherwise the
/// form must parse.
fn preset_or_spec(form: ClientForm) -> Result<ClientSpec, Box<(ClientForm, Option<String>)>> {
    if !form.preset.is_empty() {
        return match form.clone().with_preset() {
            Ok(f) => Err(Box::new((f, None))),
            Err(e) => Err(Box::new((form, Some(e)))),
        };
    }
    form.parse().map_err(|e| Box::new((form, Some(e))))
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ClientForm>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require_form(&req, &state, &form.csrf).await?;
    let spec = match preset_or_spec(form.into_inner()) {
        Ok(spec) => spec,
        Err(b) => return Ok(edit_page(&session, None, &b.0, b.1.as_deref())),
    };
    let args = ClientAdd {
        name: spec.name,
        redirect_uris: spec.redirect_uris,
        scopes: spec.scopes.iter().map(|s| s.as_str().to_string()).collect(),
        skip_consent: spec.skip_consent,
        token_format: if spec.jwt { TokenFormat::Jwt } else { TokenFormat::Opaque },
        allow_plain_pkce: false,
        json: false,
    };
    let (id, secret) = add_client(&state.auth.store, &args).await.map_err(|e| AdminError::BadInput(e.to_string()))?;
    session.audit(&state, "client_created", id.as_str(), serde_json::json!({})).await?;
    Ok(render(StatusCode::OK, &SecretPage { session: &session, client_id: id.as_str(), secret: secret.expose() }))
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require(&req, &state).await?;
    let c = load(&state, &id).await?;
    let form = ClientForm {
        name: c.name,
        redirect_uris: c.redirect_uris.join("\n"),
        scopes: c.scopes,
        skip_consent: if c.skip_consent { "1".into() } else { String::new() },
        token_format: c.token_format,
        ..Default::default()
    };
    Ok(edit_page(&session, Some(&c.id), &form, None))
}

pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<ClientForm>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require_form(&req, &state, &form.csrf).await?;
    let c = load(&state, &id).await?;
    let spec = match preset_or_spec(form.into_inner()) {
        Ok(spec) => spec,
        Err(b) => return Ok(edit_page(&session, Some(&c.id), &b.0, b.1.as_deref())),
    };
    if !spec.save(&state.auth.store, &c.id).await? {
        return Err(AdminError::NotFound);
    }
    session.audit(&state, "client_updated", &c.id, serde_json::json!({})).await?;
    Ok(redirect(StatusCode::SEE_OTHER, "/admin/clients"))
}

pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<ConfirmQuery>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require(&req, &state).await?;
    let c = load(&state, &id).await?;
    let base = format!("/admin/clients/{}", c.id);
    let (title, message, action, button) = match query.action.as_str() {
        "rotate" => (
            "Issue a new secret?",
            format!("The current secret of {} stops working at once; paste the new one into the Alexa or Google console right away.", c.name),
            format!("{base}/rotate"),
            "Rotate secret",
        ),
        "delete" => (
            "Delete this client?",
            format!("{} is removed and every account linked through it is unlinked. This cannot be undone.", c.name),
            format!("{base}/delete"),
            "Delete client",
        ),
        _ => return Err(AdminError::BadInput("Unknown action.".into())),
    };
    let page = ConfirmPage { session: &session, title, message, action, button, cancel: base, fields: vec![] };
    Ok(render(StatusCode::OK, &page))
}

pub async fn rotate(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require_form(&req, &state, &form.csrf).await?;
    let c = load(&state, &id).await?;
    let secret =
        super::ops::rotate_client_secret(&state.auth, &session.actor(), &c.id).await?.ok_or(AdminError::NotFound)?;
    Ok(render(StatusCode::OK, &SecretPage { session: &session, client_id: &c.id, secret: secret.expose() }))
}

pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require_form(&req, &state, &form.csrf).await?;
    let c = load(&state, &id).await?;
    super::ops::delete_client(&state.auth, &session.actor(), &c.id).await?;
    Ok(redirect(StatusCode::SEE_OTHER, "/admin/clients"))
}
