//! Admin pages for OAuth clients: list, create (secret shown once), edit
//! (name, exact redirect URIs with Alexa/Google presets, scopes, consent,
//! token format), rotate the secret, delete (revoking its links).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::client_form::ClientForm;
#[allow(unused_imports)]
use super::filters;
use super::{AdminError, AdminSession, ConfirmPage};
use crate::domain::ClientDraft;
use crate::manage::ManageError;
use crate::store::ClientRow;
use crate::web::{redirect, render, AppState};

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
    Ok(state.manage.client(id).await?)
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require(&req, &state).await?;
    let store = &state.auth.store;
    let links: HashMap<String, i64> = store.live_links_per_client().await?.into_iter().collect();
    let clients = state
        .manage
        .clients()
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
/// form must give a draft.
fn preset_or_draft(form: ClientForm) -> Result<ClientDraft, Box<(ClientForm, Option<String>)>> {
    if !form.preset.is_empty() {
        return match form.clone().with_preset() {
            Ok(f) => Err(Box::new((f, None))),
            Err(e) => Err(Box::new((form, Some(e)))),
        };
    }
    form.draft().map_err(|e| Box::new((form, Some(e))))
}

/// Bad input goes back onto the form; anything else is an error page.
fn refused(
    session: &AdminSession,
    client_id: Option<&str>,
    form: &ClientForm,
    e: ManageError,
) -> Result<HttpResponse, AdminError> {
    match AdminError::from(e) {
        AdminError::BadInput(m) => Ok(edit_page(session, client_id, form, Some(&m))),
        other => Err(other),
    }
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ClientForm>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require_form(&req, &state, &form.csrf).await?;
    let form = form.into_inner();
    let draft = match preset_or_draft(form.clone()) {
        Ok(draft) => draft,
        Err(b) => return Ok(edit_page(&session, None, &b.0, b.1.as_deref())),
    };
    match state.manage.create_client(&session.actor(), &draft).await {
        Ok((id, secret)) => Ok(render(
            StatusCode::OK,
            &SecretPage { session: &session, client_id: id.as_str(), secret: secret.expose() },
        )),
        Err(e) => refused(&session, None, &form, e),
    }
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require(&req, &state).await?;
    let c = load(&state, &id).await?;
    Ok(edit_page(&session, Some(&c.id), &ClientForm::of(&c), None))
}

pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<ClientForm>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require_form(&req, &state, &form.csrf).await?;
    let c = load(&state, &id).await?;
    let form = form.into_inner();
    let draft = match preset_or_draft(form.clone()) {
        Ok(draft) => draft,
        Err(b) => return Ok(edit_page(&session, Some(&c.id), &b.0, b.1.as_deref())),
    };
    match state.manage.update_client(&session.actor(), &c.id, &draft).await {
        Ok(()) => Ok(redirect(StatusCode::SEE_OTHER, "/admin/clients")),
        Err(e) => refused(&session, Some(&c.id), &form, e),
    }
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
    let secret = state.manage.rotate_client_secret(&session.actor(), &c.id).await?;
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
    state.manage.delete_client(&session.actor(), &c.id).await?;
    Ok(redirect(StatusCode::SEE_OTHER, "/admin/clients"))
}

#[derive(Deserialize)]
pub struct AlexaEventsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    alexa_client_id: String,
    #[serde(default)]
    alexa_client_secret: String,
    /// Present: remove the stored credentials.
    #[serde(default)]
    clear: String,
}

/// Stores or removes the client's "Send Alexa Events" credentials.
pub async fn alexa_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<AlexaEventsForm>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require_form(&req, &state, &form.csrf).await?;
    let c = load(&state, &id).await?;
    let credentials =
        form.clear.is_empty().then_some((form.alexa_client_id.as_str(), form.alexa_client_secret.as_str()));
    match state.manage.set_alexa_events(&session.actor(), &c.id, credentials).await {
        Ok(()) => Ok(redirect(StatusCode::SEE_OTHER, &format!("/admin/clients/{}", c.id))),
        Err(e) => refused(&session, Some(&c.id), &ClientForm::of(&c), e),
    }
}

#[derive(Deserialize)]
pub struct AlexaAppForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    skill_id: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    alexa_client_id: String,
    #[serde(default)]
    alexa_client_secret: String,
    /// Present: turn app-to-app linking off.
    #[serde(default)]
    clear: String,
}

/// Turns app-to-app linking on or off for the client.
pub async fn alexa_app(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<AlexaAppForm>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require_form(&req, &state, &form.csrf).await?;
    let c = load(&state, &id).await?;
    let draft = crate::manage::AlexaAppDraft {
        skill_id: form.skill_id.clone(),
        stage: Some(form.stage.clone()),
        alexa_client_id: form.alexa_client_id.clone(),
        alexa_client_secret: form.alexa_client_secret.clone(),
    };
    let draft = form.clear.is_empty().then_some(&draft);
    match state.manage.set_alexa_app(&session.actor(), &c.id, draft).await {
        Ok(()) => Ok(redirect(StatusCode::SEE_OTHER, &format!("/admin/clients/{}", c.id))),
        Err(e) => refused(&session, Some(&c.id), &ClientForm::of(&c), e),
    }
}
