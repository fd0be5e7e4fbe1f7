//! The admin JSON API under `/admin/api/`: the UI's user, permission, link,
//! client and audit operations for automation, authenticated by admin API
//! tokens. The OpenAPI document is generated from these annotations.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::api_auth::{api_actor, bad, parse_cursor, ApiError, ErrorBody};
use crate::manage::UserKey;
use crate::store::{UserQuery, UserSort};
use crate::web::AppState;

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
    /// How the link was made: `alexa`, `app` (app-to-app) or `google`.
    made_by: String,
    /// For a link made app-to-app that ended: the unlink sent to Alexa
    /// (`queued`, `delivered`, `already_gone` or `abandoned`).
    alexa_unlink: Option<String>,
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
    /// Only a verified email can be matched by a Google ID token.
    email_verified: bool,
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
    /// The email is verified (a Google ID token may then match this user).
    #[serde(default)]
    email_verified: bool,
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
            disabled: u.disabled,
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
        return Err(ApiError::NotFound("no such user".into()));
    }
    let u = store.user_by_id(id).await?.ok_or_else(|| ApiError::NotFound("no such user".into()))?;
    let identities = store.user_identities(id).await?.into_iter().map(|i| IdentityView {
        provider: i.provider,
        subject: i.subject,
        email: i.email,
        name: i.name,
        last_login_at: i.last_login_at,
    });
    let unlinks = store.unlinks_of_user(id).await?;
    let unlink_state = |link: &str| {
        unlinks.iter().find(|u| u.id == link).map(|u| u.outcome.clone().unwrap_or_else(|| "queued".into()))
    };
    let links = store.user_links(id).await?.into_iter().map(|l| LinkView {
        alexa_unlink: unlink_state(&l.id),
        made_by: l.made_by,
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
        email_verified: u.email_verified,
        permissions: store.user_permissions(id).await?,
        identities: identities.collect(),
        links: links.collect(),
        id: u.id,
        email: u.email,
        name: u.name,
        created_at: u.created_at,
    })
}

#[utoipa::path(get, path = "/admin/api/users/{id}", security(("bearer" = [])), params(("id" = String, Path, description = "The user's id")),
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
    let body = body.into_inner();
    let new = crate::manage::NewUser {
        email: body.email,
        name: body.name,
        permissions: body.permissions,
        email_verified: body.email_verified,
    };
    let user = state.manage.provision_user(&actor, &new).await?;
    Ok(HttpResponse::Created().json(user_detail(&state, &user.id).await?))
}

#[utoipa::path(put, path = "/admin/api/users/{id}/permissions/{permission}", security(("bearer" = [])),
    params(("id" = String, Path, description = "The user's id"), ("permission" = String, Path, description = "A permission, e.g. rides:order")),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn grant_permission(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    set_permission(req, state, path, true).await
}

#[utoipa::path(delete, path = "/admin/api/users/{id}/permissions/{permission}", security(("bearer" = [])),
    params(("id" = String, Path, description = "The user's id"), ("permission" = String, Path, description = "A permission, e.g. rides:order")),
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
    let (id, permission) = path.into_inner();
    state.manage.set_permission(&actor, &UserKey::Id(id), &permission, grant).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// What `POST /admin/api/users/{id}/{op}` does.
#[derive(ToSchema)]
#[allow(dead_code)] // a schema only: the handler reads the path as text
#[schema(rename_all = "lowercase")]
enum UserOperation {
    Disable,
    Enable,
    #[schema(rename = "verify-email")]
    VerifyEmail,
}

/// `disable` or `enable` a user, or `verify-email` (mark the email verified).
#[utoipa::path(post, path = "/admin/api/users/{id}/{op}", security(("bearer" = [])),
    params(("id" = String, Path, description = "The user's id"), ("op" = UserOperation, Path, description = "disable, enable or verify-email")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn set_status(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    let (id, op) = path.into_inner();
    let disabled = match op.as_str() {
        "disable" => true,
        "enable" => false,
        "verify-email" => {
            state.manage.verify_email(&actor, &UserKey::Id(id)).await?;
            return Ok(HttpResponse::NoContent().finish());
        }
        other => {
            let shown: String = other.chars().take(40).collect();
            return Err(ApiError::NotFound(format!(
                "unknown operation {shown:?}: POST …/users/{{id}}/disable, …/enable or …/verify-email"
            )));
        }
    };
    state.manage.set_disabled(&actor, &UserKey::Id(id), disabled).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(delete, path = "/admin/api/users/{id}/links/{link_id}", security(("bearer" = [])),
    params(("id" = String, Path, description = "The user's id"), ("link_id" = String, Path, description = "One of the user's links")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    let (id, link) = path.into_inner();
    state.manage.revoke_link(&actor, &UserKey::Id(id), &link).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Erases the user: revokes every link, removes personal data, keeps a
/// pseudonymous audit trail.
#[utoipa::path(delete, path = "/admin/api/users/{id}", security(("bearer" = [])), params(("id" = String, Path, description = "The user's id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    state.manage.delete_user(&actor, &UserKey::Id(id.into_inner())).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Detaches an upstream identity; its next sign-in counts as a new one.
#[utoipa::path(delete, path = "/admin/api/users/{id}/identities/{provider}/{subject}", security(("bearer" = [])),
    params(("id" = String, Path, description = "The user's id"), ("provider" = String, Path, description = "lwa, dev or google"),
        ("subject" = String, Path, description = "The identity's subject at its provider")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn unlink_identity(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    let (id, provider, subject) = path.into_inner();
    state.manage.unlink_identity(&actor, &UserKey::Id(id), &provider, &subject).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Revokes every live link of the user.
#[utoipa::path(delete, path = "/admin/api/users/{id}/links", security(("bearer" = [])), params(("id" = String, Path, description = "The user's id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_all_links(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = api_actor(&req, &state).await?;
    state.manage.revoke_all_links(&actor, &UserKey::Id(id.into_inner())).await?;
    Ok(HttpResponse::NoContent().finish())
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
        revoke_all_links, unlink_identity, super::api_audit::list_audit, super::api_clients::list_clients, super::api_clients::create_client, super::api_clients::rotate_secret,
        super::api_clients::delete_client, super::api_clients::update_client, super::api_clients::set_alexa_events,
        super::api_clients::clear_alexa_events, super::api_clients::set_alexa_app, super::api_clients::clear_alexa_app),
    components(schemas(ErrorBody, UserOperation)),
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
    use crate::web::endpoints::at;
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
        at("/clients", Method::GET, super::api_clients::list_clients),
        at("/clients", Method::POST, super::api_clients::create_client),
        at("/clients/{id}", Method::DELETE, super::api_clients::delete_client),
        at("/clients/{id}", Method::PUT, super::api_clients::update_client),
        at("/clients/{id}/rotate-secret", Method::POST, super::api_clients::rotate_secret),
        at("/clients/{id}/alexa-events", Method::PUT, super::api_clients::set_alexa_events),
        at("/clients/{id}/alexa-events", Method::DELETE, super::api_clients::clear_alexa_events),
        at("/clients/{id}/alexa-app", Method::PUT, super::api_clients::set_alexa_app),
        at("/clients/{id}/alexa-app", Method::DELETE, super::api_clients::clear_alexa_app),
        at("/audit", Method::GET, super::api_audit::list_audit),
    ];
    cfg.service(
        crate::web::endpoints::mount_on(web::scope("/admin/api"), endpoints)
            .app_data(web::JsonConfig::default().limit(64 * 1024).error_handler(|e, _| invalid(e)))
            .app_data(web::QueryConfig::default().error_handler(|e, _| invalid(e)))
            .app_data(web::PathConfig::default().error_handler(|e, _| invalid(e)))
            .default_service(web::to(|| async {
                Err::<HttpResponse, _>(ApiError::NotFound(
                    "no such path in the admin API (see /admin/api/openapi.json)".into(),
                ))
            })),
    );
}
