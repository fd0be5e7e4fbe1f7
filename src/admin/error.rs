//! The admin UI's one error type: every failure becomes a page with a plain
//! message (or a redirect to the sign-in page), never internal text.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::routes::{error_page, redirect};
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// No live session: go and sign in.
    #[error("not signed in")]
    SignIn,
    /// The form's CSRF token is missing or wrong (or the form is stale).
    #[error("form token mismatch")]
    Csrf,
    #[error("not found")]
    NotFound,
    /// Bad input; the message is shown to the admin.
    #[error("{0}")]
    BadInput(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ResponseError for AdminError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn => StatusCode::SEE_OTHER,
            Self::Csrf => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadInput(_) => StatusCode::BAD_REQUEST,
            Self::Store(StoreError::Conflict(_)) => StatusCode::CONFLICT,
            Self::Store(StoreError::InvalidValue(_)) => StatusCode::BAD_REQUEST,
            Self::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        match self {
            Self::SignIn => redirect(status, "/admin/login"),
            Self::Csrf => error_page(
                status,
                "Request refused",
                "This form has expired or came from another site. Go back, reload the page and try again.",
                None,
            ),
            Self::NotFound => error_page(status, "Not found", "There is no such record.", None),
            Self::BadInput(msg) => error_page(status, "Check your input", msg, None),
            Self::Store(StoreError::Conflict(_)) => {
                error_page(status, "Already exists", "A record with that value already exists.", None)
            }
            Self::Store(StoreError::InvalidValue(_)) => {
                error_page(status, "Check your input", "The input holds characters that are not allowed.", None)
            }
            Self::Store(e) => {
                tracing::error!(error = %e, "admin request failed in the store");
                error_page(status, "Try again", "The database is unavailable. Please try again shortly.", None)
            }
        }
    }
}
