//! `GET /admin/api/audit`: the audit log, newest first, with filters and
//! keyset paging.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::api_auth::{api_actor, bad, parse_cursor, ApiError, ErrorBody};
use crate::store::AuditQuery;
use crate::web::AppState;

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
