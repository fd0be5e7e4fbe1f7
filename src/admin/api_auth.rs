//! Admin API bearer authentication, and the API's one error type, answered
//! as `{"error", "message"}` (tokens are created in `manage::admins`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::{Actor, TokenHash};
use crate::manage::ManageError;
use crate::store::StoreError;
use crate::web::AppState;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("a valid admin API token is required (Authorization: Bearer <token>)")]
    Unauthorized,
    /// What is missing: "no such user", "unknown operation …".
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

impl From<ManageError> for ApiError {
    fn from(e: ManageError) -> Self {
        match e {
            ManageError::Invalid(m) => Self::Invalid(m),
            ManageError::NotFound(what) => Self::NotFound(format!("no such {what}")),
            ManageError::Conflict(m) => Self::Conflict(m),
            ManageError::Store(e) => Self::Store(e),
            ManageError::Internal(m) => Self::Internal(m),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// `unauthorized`, `not_found`, `invalid_request`, `conflict`, `unavailable` or `internal`.
    pub error: &'static str,
    pub message: String,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Invalid(_) => StatusCode::BAD_REQUEST,
            Self::Conflict(_) | Self::Store(StoreError::Conflict(_)) => StatusCode::CONFLICT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Store(StoreError::InvalidValue(_)) => StatusCode::BAD_REQUEST,
            Self::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (error, message) = match self {
            Self::Unauthorized => ("unauthorized", self.to_string()),
            Self::NotFound(_) => ("not_found", self.to_string()),
            Self::Invalid(m) => ("invalid_request", m.clone()),
            Self::Conflict(m) => ("conflict", m.clone()),
            Self::Internal(m) => {
                tracing::error!(error = %m, "admin API request failed");
                ("internal", "the server failed; retry shortly".into())
            }
            Self::Store(StoreError::Conflict(_)) => ("conflict", "a record with that value already exists".into()),
            Self::Store(StoreError::InvalidValue(_)) => {
                ("invalid_request", "the input holds characters that are not allowed".into())
            }
            Self::Store(e) => {
                tracing::error!(error = %e, "admin API request failed in the store");
                ("unavailable", "the database is unavailable; retry shortly".into())
            }
        };
        let mut resp = HttpResponse::build(self.status_code());
        resp.insert_header(("Cache-Control", "no-store"));
        if matches!(self, Self::Unauthorized) {
            resp.insert_header(("WWW-Authenticate", "Bearer"));
        }
        resp.json(ErrorBody { error, message })
    }
}

/// The admin a request's bearer token acts for, as the audit log names it.
pub async fn api_actor(req: &HttpRequest, state: &AppState) -> Result<Actor, ApiError> {
    let header = req.headers().get("Authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
    let token =
        header.strip_prefix("Bearer ").map(str::trim).filter(|t| t.len() == 43).ok_or(ApiError::Unauthorized)?;
    let email = state
        .auth
        .store
        .use_api_token(TokenHash::of(token).as_str(), state.auth.clock.now())
        .await?
        .ok_or(ApiError::Unauthorized)?;
    Ok(Actor::admin_api(&email))
}

/// A 400 that says what to fix.
pub(super) fn bad(msg: impl std::fmt::Display) -> ApiError {
    ApiError::Invalid(msg.to_string())
}

/// A page cursor, `<sort key>.<id>`.
pub(super) fn parse_cursor(raw: &str) -> Result<(i64, String), ApiError> {
    let (key, id) = raw.split_once('.').ok_or_else(|| bad("malformed cursor"))?;
    let key = key.parse().map_err(|_| bad("malformed cursor"))?;
    if id.is_empty() || id.len() > 64 {
        return Err(bad("malformed cursor"));
    }
    Ok((key, id.to_string()))
}
