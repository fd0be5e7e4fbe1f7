//! The admin UI's one error type: every failure becomes a page with a plain
//! message (or a redirect to the sign-in page), never internal text.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::i18n::{Lang, Words};
use crate::manage::ManageError;
use crate::store::StoreError;
use crate::web::{error_page, redirect};

/// The admin UI is in English: it is for operators, not for the people linking.
const ADMIN: Words = Words(Lang::En);

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
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

impl From<ManageError> for AdminError {
    fn from(e: ManageError) -> Self {
        match e {
            ManageError::Invalid(m) => Self::BadInput(capitalized(&m)),
            ManageError::NotFound(_) => Self::NotFound,
            ManageError::Conflict(m) => Self::Conflict(capitalized(&m)),
            ManageError::Store(e) => Self::Store(e),
            ManageError::Internal(m) => Self::Internal(m),
        }
    }
}

/// Use-case messages are sentences without their first capital (they also
/// appear mid-line in the CLI and the API); a page shows them whole.
fn capitalized(m: &str) -> String {
    let mut chars = m.chars();
    match chars.next() {
        Some(first) => {
            let end = if m.ends_with('.') { "" } else { "." };
            format!("{}{}{end}", first.to_uppercase(), chars.as_str())
        }
        None => String::new(),
    }
}

impl ResponseError for AdminError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn => StatusCode::SEE_OTHER,
            Self::Csrf => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadInput(_) => StatusCode::BAD_REQUEST,
            Self::Conflict(_) | Self::Store(StoreError::Conflict(_)) => StatusCode::CONFLICT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
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
                ADMIN,
                "Request refused",
                "This form has expired or came from another site. Go back, reload the page and try again.",
                None,
            ),
            Self::NotFound => error_page(status, ADMIN, "Not found", "There is no such record.", None),
            Self::BadInput(msg) => error_page(status, ADMIN, "Check your input", msg, None),
            Self::Conflict(msg) => error_page(status, ADMIN, "Already exists", msg, None),
            Self::Internal(e) => {
                tracing::error!(error = %e, "admin request failed");
                error_page(
                    status,
                    ADMIN,
                    "Try again",
                    "Something went wrong on the server. Please try again shortly.",
                    None,
                )
            }
            Self::Store(StoreError::Conflict(_)) => {
                error_page(status, ADMIN, "Already exists", "A record with that value already exists.", None)
            }
            Self::Store(StoreError::InvalidValue(_)) => {
                error_page(status, ADMIN, "Check your input", "The input holds characters that are not allowed.", None)
            }
            Self::Store(e) => {
                tracing::error!(error = %e, "admin request failed in the store");
                error_page(status, ADMIN, "Try again", "The database is unavailable. Please try again shortly.", None)
            }
        }
    }
}
