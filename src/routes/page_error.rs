//! The browser pages' one error mapping: every `FlowError` becomes its page
//! here, with its status and words, and nothing internal shown. (The token
//! endpoints' JSON mapping is `token::error_response`.)

use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::accounts::Refusal;
use crate::oauth::flow::{FlowError, Stage};
use crate::store::StoreError;
use crate::upstream::UpstreamError;
use crate::web::{error_page, redirect};

/// A `FlowError` as a handler returns it.
#[derive(Debug)]
pub struct PageError(pub FlowError);

impl From<FlowError> for PageError {
    fn from(e: FlowError) -> Self {
        Self(e)
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        Self(FlowError::Store(e))
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

const START_AGAIN: &str = "Please start linking again from the Alexa app.";

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.error_response().status()
    }

    fn error_response(&self) -> HttpResponse {
        use FlowError as E;
        let bad = StatusCode::BAD_REQUEST;
        match &self.0 {
            E::BadRequest(message) => error_page(bad, "Cannot link this account", message, None),
            E::Redirect(location) => redirect(StatusCode::FOUND, location),
            E::Expired(Stage::SignIn) => error_page(
                bad,
                "Sign-in expired",
                &format!("This sign-in has expired or was already used. {START_AGAIN}"),
                None,
            ),
            E::Expired(Stage::Consent) => error_page(
                bad,
                "Request expired",
                &format!("This request has expired or was already answered. {START_AGAIN}"),
                None,
            ),
            E::OtherBrowser => error_page(
                bad,
                "Sign-in not recognized",
                "This sign-in was started in another browser or its cookie was lost. Please start linking again from the Alexa app on this device.",
                None,
            ),
            E::Cancelled { denied, back } => {
                let message = if *denied {
                    "You cancelled signing in with Amazon, so your account was not linked."
                } else {
                    "Amazon could not sign you in, so your account was not linked."
                };
                error_page(bad, "Account not linked", message, Some(back))
            }
            E::Refused { why, back } => {
                let (title, message) = match why {
                    Refusal::NoEmail => (
                        "Email needed",
                        "Your Amazon account did not share an email address, which is needed to link it.".to_string(),
                    ),
                    Refusal::NotProvisioned { email } => (
                        "Account not found",
                        format!("There is no account for {email} here. Ask the service's administrator to add you, then link again."),
                    ),
                    Refusal::OtherIdentity { email } => (
                        "Already linked to another Amazon account",
                        format!("The account for {email} is already linked to a different Amazon account. Sign in with that Amazon account, or ask the administrator for help."),
                    ),
                };
                error_page(StatusCode::FORBIDDEN, title, &message, Some(back))
            }
            E::Disabled { back } => error_page(
                StatusCode::FORBIDDEN,
                "Account disabled",
                "This account has been disabled. Contact the service's administrator.",
                Some(back),
            ),
            E::ClientGone => {
                error_page(bad, "Cannot link this account", "This application is no longer registered.", None)
            }
            E::ForeignForm { other_site } => {
                let message = if *other_site {
                    "This form was submitted from another site."
                } else {
                    "The form has expired. Please start linking again."
                };
                error_page(StatusCode::FORBIDDEN, "Request refused", message, None)
            }
            E::NoDecision => error_page(bad, "Choose an answer", "Please choose Allow or Deny.", None),
            E::NotLwa => error_page(bad, "Sign-in failed", "This server uses the development sign-in.", None),
            E::NoCode => error_page(bad, "Sign-in failed", "The sign-in response had no code.", None),
            E::MalformedCallback => error_page(bad, "Sign-in failed", "The sign-in response was malformed.", None),
            E::DevEmail => error_page(bad, "Check the email", "Please enter a valid email address.", None),
            E::Upstream(e) => {
                tracing::warn!(error = %e, "upstream login failed");
                let message = match e {
                    UpstreamError::Timeout => "Amazon did not answer in time. Please try linking again in a moment.",
                    _ => "Signing in with Amazon failed. Please try linking again.",
                };
                error_page(StatusCode::BAD_GATEWAY, "Sign-in failed", message, None)
            }
            E::Store(StoreError::InvalidValue(_)) => error_page(
                bad,
                "Invalid request",
                "The request holds characters that are not allowed.",
                None,
            ),
            E::Store(e) => {
                tracing::warn!(error = %e, "authorization flow failed on the database");
                let mut r = error_page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Please try again",
                    "The service is briefly unavailable. Please try again in a moment.",
                    None,
                );
                r.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static("5"));
                r
            }
        }
    }
}
