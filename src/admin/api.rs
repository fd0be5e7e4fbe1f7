//! The admin JSON API under `/admin/api/`: the UI's user, permission, link,
//! client and audit operations for automation, authenticated by admin API
//! tokens. The OpenAPI document is generated from these annotations.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::api_auth::{api_actor, ApiError, ErrorBody};
use crate::domain::{Email, Permission};
use crate::routes::AppState;
use crate::store::{AuditEvent, AuditQuery, UserQuery, UserRow, UserSort};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListParams {
    /// Case-insensitive substring of the email or name.
    q: Option<String>,
    disabled: Option<bool>,
    /// Only users with (or without) a live link.
    linked: Option<bool>,
    /// `created` (default) or `active`.
    sort: Option<String>,
    /// The `next` cursor of the previous page.
    after: Option<String>,
    /// 1 to 200, default 50.
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct UserSummary {
    id: String,
    email: String,
    name: String,
    disabled: bool,
    created_at: i64,
    /// Unix seconds of the last sign-in or refresh; 0 if never.
    last_active_at: i64,
    live_links: i64,
}

#[derive(Serialize, ToSchema)]
pub struct UserPage {
    users: Vec<UserSummary>,
    /// Pass as `after` for the next page; absent on the last page.
    next: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LinkView {
    id: String,
    client_id: String,
    client_name: String,
    scope: String,
    created_at: i64,
    last_used_at: i64,
    revoked_at: Option<i64>,
    alexa_user_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IdentityView {
    provider: String,
    subject: String,
    email: String,
    name: String,
    last_login_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct UserDetail {
    id: String,
    email: String,
    name: String,
    disabled: bool,
    created_at: i64,
    permissions: Vec<String>,
    identities: Vec<IdentityView>,
    links: Vec<LinkView>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewUser {
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    permissions: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ClientView {
    id: String,
    name: String,
    redirect_uris: Vec<String>,
    scopes: Vec<String>,
    skip_consent: bool,
    token_format: String,
    created_at: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    action: Option<String>,
    /// Text found in the actor, target or detail (a user or client id).
    subject: Option<String>,
    since: Option<i64>,
    until: Option<i64>,
    /// `<at>.<id>` of the last entry already seen: the next (older) page.
    before: Option<String>,
    /// 1 to 500, default 100.
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    id: String,
    at: i64,
    actor: String,
    action: String,
    target: String,
    /// JSON object, never a secret.
    detail: serde_json::Value,
}

fn bad(msg: impl std::fmt::Display) -> ApiError {
    ApiError::Invalid(msg.to_string())
}

async fn audit(
    state: &AppState,
    actor: &str,
    action: &str,
    target: &str,
    detail: serde_json::Value,
) -> Result<(), ApiError> {
    let event = AuditEvent { actor, action, target, detail };
    Ok(state.auth.store.audit(event, crate::clock::now()).await?)
}

/// The acting admin and the user a `/users/{id}/...` request is about.
async fn actor_and_user(req: &HttpRequest, state: &AppState, id: &str) -> Result<(String, UserRow), ApiError> {
    let actor = api_actor(req, state).await?;
    let user = state.auth.store.user_by_id(id).await?.ok_or(ApiError::NotFound)?;
    Ok((actor, user))
}

fn parse_cursor(raw: &str) -> Result<(i64, String), ApiError> {
    let (key, id) = raw.split_once('.').ok_or_else(|| bad("malformed cursor"))?;
    let key = key.parse().map_err(|_| bad("malformed cursor"))?;
    if id.is_empty() || id.len() > 64 {
        return Err(bad("malformed cursor"));
    }
    Ok((key, id.to_string()))
}

#[utoipa::path(get, path = "/admin/api/users", params(UserListParams), security(("bearer" = [])),
    responses((status = 200, body = UserPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_users(
    req: HttpRequest,
    state: web::Data<AppState>,
    p: web::Query<UserListParams>,
) -> Result<HttpResponse, ApiError> {
    api_actor(&req, &state).await?;
    let limit = p.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) || p.q.as_deref().is_some_and(|q| q.chars().count() > 200) {
        return Err(bad("limit is 1 to 200 and q at most 200 characters"));
    }
    let sort = match p.sort.as_deref() {
        None | Some("created") => UserSort::Created,
        Some("active") => UserSort::LastActive,
        Some(_) => return Err(bad("sort is created or active")),
    };
    let query = UserQuery {
        search: p.q.clone().filter(|q| !q.trim().is_empty()),
        disabled: p.disabled,
        linked: p.linked,
        sort,
        after: p.after.as_deref().map(parse_cursor).transpose()?,
        limit: limit + 1,
    };
    let mut rows = state.auth.store.search_users(&query).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = rows.last().filter(|_| more).map(|u| {
        let key = if sort == UserSort::Created { u.created_at } else { u.last_active_at };
        format!("{key}.{}", u.id)
    });
    let users = rows
        .into_iter()
        .map(|u| UserSummary {
            disabled: u.disabled != 0,
            id: u.id,
            email: u.email,
            name: u.name,
            created_at: u.created_at,
            last_active_at: u.last_active_at,
            live_links: u.live_links,
        })
        .collect();
    Ok(HttpResponse::Ok().json(UserPage { users, next }))
}

async fn user_detail(state: &AppState, id: &str) -> Result<UserDetail, ApiError> {
    let store = &state.auth.store;
    if id.len() > 64 {
        return Err(ApiError::NotFound);
    }
    let u = store.user_by_id(id).await?.ok_or(ApiError::NotFound)?;
    let identities = store.user_identities(id).await?.into_iter().map(|i| IdentityView {
        provider: i.provider,
        subject: i.subject,
        email: i.email,
        name: i.name,
        last_login_at: i.last_login_at,
    });
    let links = store.user_links(id).await?.into_iter().map(|l| LinkView {
        id: l.id,
        client_id: l.client_id,
        client_name: l.client_name,
        scope: l.scope,
        created_at: l.created_at,
        last_used_at: l.last_used_at,
        revoked_at: l.revoked_at,
        alexa_user_id: l.alexa_user_id,
    });
    Ok(UserDetail {
        disabled: u.is_disabled(),
        permissions: store.user_permissions(id).await?,
        identities: identities.collect(),
        links: links.collect(),
        id: u.id,
        email: u.email,
        name: u.name,
        created_at: u.created_at,
    })
}

#[utoipa::path(get, path = "/admin/api/users/{id}", security(("bearer" = [])),
    responses((status = 200, body = UserDetail), (status = 404, body = ErrorBody)))]
pub async fn get_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    api_actor(&req, &state).await?;
    Ok(HttpResponse::Ok().json(user_detail(&state, &id).await?))
}

/// Pre-provisions a user.
#[utoipa::path(post, path = "/admin/api/users", request_body = NewUser, security(("bearer" = [])),
    responses((status = 201, body = UserDetail), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<NewUser>,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    let email = Email::parse(&body.email).map_err(bad)?;
    if body.name.chars().count() > 200 || body.permissions.len() > 100 {
        return Err(bad("name is at most 200 characters, permissions at most 100"));
    }
    let permissions =
        body.permissions.iter().map(|p| Permission::parse(p)).collect::<Result<Vec<_>, _>>().map_err(bad)?;
    let user = state.auth.store.create_user(&email, body.name.trim(), &permissions, crate::clock::now()).await?;
    audit(&state, &actor, "user_provisioned", &user.id, serde_json::json!({ "via": "api" })).await?;
    Ok(HttpResponse::Created().json(user_detail(&state, &user.id).await?))
}

#[utoipa::path(put, path = "/admin/api/users/{id}/permissions/{permission}", security(("bearer" = [])),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn grant_permission(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    set_permission(req, state, path, true).await
}

#[utoipa::path(delete, path = "/admin/api/users/{id}/permissions/{permission}", security(("bearer" = [])),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_permission(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    set_permission(req, state, path, false).await
}

async fn set_permission(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    grant: bool,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    let (id, raw) = path.into_inner();
    let permission = Permission::parse(&raw).map_err(bad)?;
    let store = &state.auth.store;
    let user = store.user_by_id(&id).await?.ok_or(ApiError::NotFound)?;
    let (changed, action) = if grant {
        (store.grant_permission(&user.id, &permission, crate::clock::now()).await?, "permission_granted")
    } else {
        (store.revoke_permission(&user.id, &permission).await?, "permission_revoked")
    };
    if changed {
        state.auth.access_cache.clear();
        audit(&state, &actor, action, &user.id, serde_json::json!({ "permission": permission.as_str() })).await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// `disable` or `enable` a user.
#[utoipa::path(post, path = "/admin/api/users/{id}/{op}", security(("bearer" = [])),
    params(("op" = String, Path, description = "disable or enable")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn set_status(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    let (id, op) = path.into_inner();
    let (disabled, action) = match op.as_str() {
        "disable" => (true, "user_disabled"),
        "enable" => (false, "user_enabled"),
        _ => return Err(ApiError::NotFound),
    };
    let store = &state.auth.store;
    let user = store.user_by_id(&id).await?.ok_or(ApiError::NotFound)?;
    if store.set_user_disabled(&user.id, disabled, crate::clock::now()).await? {
        state.auth.access_cache.clear();
        audit(&state, &actor, action, &user.id, serde_json::json!({})).await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(delete, path = "/admin/api/users/{id}/links/{link_id}", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    let (id, link) = path.into_inner();
    if !state.auth.store.revoke_user_link(&id, &link, "admin", crate::clock::now()).await? {
        return Err(ApiError::NotFound);
    }
    state.auth.access_cache.clear();
    audit(&state, &actor, "link_revoked", &link, serde_json::json!({ "user_id": id })).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Erases the user: revokes every link, removes personal data, keeps a
/// pseudonymous audit trail.
#[utoipa::path(delete, path = "/admin/api/users/{id}", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (actor, user) = actor_and_user(&req, &state, &id).await?;
    super::ops::delete_user(&state.auth, &actor, &user.id, &user.email).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Detaches an upstream identity; its next sign-in counts as a new one.
#[utoipa::path(delete, path = "/admin/api/users/{id}/identities/{provider}/{subject}", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn unlink_identity(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, provider, subject) = path.into_inner();
    let (actor, user) = actor_and_user(&req, &state, &id).await?;
    if !state.auth.store.unlink_identity(&user.id, &provider, &subject).await? {
        return Err(ApiError::NotFound);
    }
    audit(&state, &actor, "identity_unlinked", &user.id, serde_json::json!({ "provider": provider })).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Revokes every live link of the user.
#[utoipa::path(delete, path = "/admin/api/users/{id}/links", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_all_links(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (actor, user) = actor_and_user(&req, &state, &id).await?;
    super::ops::revoke_all_links(&state.auth, &actor, &user.id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(get, path = "/admin/api/clients", security(("bearer" = [])),
    responses((status = 200, body = Vec<ClientView>), (status = 401, body = ErrorBody)))]
pub async fn list_clients(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    api_actor(&req, &state).await?;
    let clients: Vec<ClientView> = state
        .auth
        .store
        .list_clients()
        .await?
        .into_iter()
        .map(|c| ClientView {
            scopes: c.scopes.split_whitespace().map(str::to_string).collect(),
            id: c.id,
            name: c.name,
            redirect_uris: c.redirect_uris,
            skip_consent: c.skip_consent,
            token_format: c.token_format,
            created_at: c.created_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(clients))
}

#[utoipa::path(get, path = "/admin/api/audit", params(AuditParams), security(("bearer" = [])),
    responses((status = 200, body = Vec<AuditEntry>), (status = 400, body = ErrorBody)))]
pub async fn list_audit(
    req: HttpRequest,
    state: web::Data<AppState>,
    p: web::Query<AuditParams>,
) -> Result<HttpResponse, ApiError> {
    api_actor(&req, &state).await?;
    let limit = p.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) || p.subject.as_deref().is_some_and(|s| s.len() > 200) {
        return Err(bad("limit is 1 to 500 and subject at most 200 characters"));
    }
    let query = AuditQuery {
        action: p.action.clone(),
        subject: p.subject.clone(),
        since: p.since,
        until: p.until,
        before: p.before.as_deref().map(parse_cursor).transpose()?,
        limit,
    };
    let entries: Vec<AuditEntry> = state
        .auth
        .store
        .audit_entries(&query)
        .await?
        .into_iter()
        .map(|e| AuditEntry {
            detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null),
            id: e.id,
            at: e.at,
            actor: e.actor,
            action: e.action,
            target: e.target,
        })
        .collect();
    Ok(HttpResponse::Ok().json(entries))
}

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "linkbroker admin API", description = "Users, permissions, links, clients and the audit log."),
    paths(list_users, get_user, create_user, delete_user, grant_permission, revoke_permission, set_status, revoke_link,
        revoke_all_links, unlink_identity, list_clients, list_audit, super::api_clients::create_client, super::api_clients::rotate_secret,
        super::api_clients::delete_client, super::api_clients::update_client),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

/// Malformed JSON bodies and query strings get the API's error shape too.
fn invalid(e: impl std::fmt::Display) -> actix_web::Error {
    ApiError::Invalid(e.to_string()).into()
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    use crate::routes::endpoints::at;
    use actix_web::http::Method;
    let endpoints = vec![
        at("/openapi.json", Method::GET, openapi),
        at("/users", Method::GET, list_users),
        at("/users", Method::POST, create_user),
        at("/users/{id}", Method::GET, get_user),
        at("/users/{id}", Method::DELETE, delete_user),
        at("/users/{id}/links", Method::DELETE, revoke_all_links),
        at("/users/{id}/identities/{provider}/{subject}", Method::DELETE, unlink_identity),
        at("/users/{id}/permissions/{permission}", Method::PUT, grant_permission),
        at("/users/{id}/permissions/{permission}", Method::DELETE, revoke_permission),
        at("/users/{id}/links/{link_id}", Method::DELETE, revoke_link),
        at("/users/{id}/{op}", Method::POST, set_status),
        at("/clients", Method::GET, list_clients),
        at("/clients", Method::POST, super::api_clients::create_client),
        at("/clients/{id}", Method::DELETE, super::api_clients::delete_client),
        at("/clients/{id}", Method::PUT, super::api_clients::update_client),
        at("/clients/{id}/rotate-secret", Method::POST, super::api_clients::rotate_secret),
        at("/audit", Method::GET, list_audit),
    ];
    cfg.service(
        crate::routes::endpoints::mount_on(web::scope("/admin/api"), endpoints)
            .app_data(web::JsonConfig::default().limit(64 * 1024).error_handler(|e, _| invalid(e)))
            .app_data(web::QueryConfig::default().error_handler(|e, _| invalid(e)))
            .app_data(web::PathConfig::default().error_handler(|e, _| invalid(e)))
            .default_service(web::to(|| async { Err::<HttpResponse, _>(ApiError::NotFound) })),
    );
}
