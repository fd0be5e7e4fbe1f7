//! Admin API tokens: creation (CLI and UI), bearer authentication, and the
//! API's one error type, answered as `{"error", "message"}`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::{Email, Secret, TokenHash};
use crate::routes::AppState;
use crate::store::{Store, StoreError};

/// Creates an API token for the admin with `email`; the value is returned
/// once and only its hash is kept.
pub async fn create_api_token(store: &Store, email: &str, name: &str) -> anyhow::Result<Secret> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let admin = store.admin_by_email(&email).await?.ok_or_else(|| anyhow::anyhow!("no admin with email {email}"))?;
    let name = name.trim();
    if name.chars().count() > 100 {
        anyhow::bail!("a token name has at most 100 characters");
    }
    let token = Secret::generate();
    store.create_api_token(&admin.id, token.hash().as_str(), name, crate::clock::now()).await?;
    Ok(token)
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("a valid admin API token is required (Authorization: Bearer <token>)")]
    Unauthorized,
    #[error("no such record")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// `unauthorized`, `not_found`, `invalid_request`, `conflict` or `unavailable`.
    pub error: &'static str,
    pub message: String,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Invalid(_) => StatusCode::BAD_REQUEST,
            Self::Store(StoreError::Conflict(_)) => StatusCode::CONFLICT,
            Self::Store(StoreError::InvalidValue(_)) => StatusCode::BAD_REQUEST,
            Self::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (error, message) = match self {
            Self::Unauthorized => ("unauthorized", self.to_string()),
            Self::NotFound => ("not_found", self.to_string()),
            Self::Invalid(m) => ("invalid_request", m.clone()),
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
pub async fn api_actor(req: &HttpRequest, state: &AppState) -> Result<String, ApiError> {
    let header = req.headers().get("Authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
    let token =
        header.strip_prefix("Bearer ").map(str::trim).filter(|t| t.len() == 43).ok_or(ApiError::Unauthorized)?;
    let email = state
        .auth
        .store
        .use_api_token(TokenHash::of(token).as_str(), crate::clock::now())
        .await?
        .ok_or(ApiError::Unauthorized)?;
    Ok(format!("admin:{email}"))
}
