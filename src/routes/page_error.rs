//! The browser pages' one error mapping: every `FlowError` becomes its page
//! here, with its status and, from the catalogs (`locales/`), its words in
//! the page's language; nothing internal is shown. (The token endpoints'
//! JSON mapping is `token::error_response`.)

use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::accounts::Refusal;
use crate::i18n::Words;
use crate::oauth::authorize::Untrusted;
use crate::oauth::flow::{FlowError, Stage};
use crate::store::StoreError;
use crate::upstream::UpstreamError;
use crate::web::{error_page, redirect};

/// A `FlowError` as a handler returns it, with the words of its page.
#[derive(Debug)]
pub struct PageError {
    error: FlowError,
    t: Words,
}

impl PageError {
    pub fn new(error: impl Into<FlowError>, t: Words) -> Self {
        Self { error: error.into(), t }
    }
}

/// `result.in_words(t)?`: a flow step's failure, to be shown in `t`.
pub trait InWords<T> {
    fn in_words(self, t: Words) -> Result<T, PageError>;
}

impl<T, E: Into<FlowError>> InWords<T> for Result<T, E> {
    fn in_words(self, t: Words) -> Result<T, PageError> {
        self.map_err(|e| PageError::new(e, t))
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.error)
    }
}

fn untrusted(why: Untrusted) -> &'static str {
    match why {
        Untrusted::TooLarge => "error-request-too-large",
        Untrusted::Malformed => "error-request-malformed",
        Untrusted::Repeats => "error-request-repeats",
        Untrusted::NoClient => "error-no-client",
        Untrusted::UnknownClient => "error-unknown-client",
        Untrusted::NoRedirect => "error-no-redirect",
        Untrusted::RedirectNotRegistered => "error-redirect-not-registered",
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.error_response().status()
    }

    fn error_response(&self) -> HttpResponse {
        page_for(&self.error, self.t)
    }
}

/// `error`'s page in `t`'s language (or in the one its request asked for).
fn page_for(error: &FlowError, t: Words) -> HttpResponse {
    use FlowError as E;
    let bad = StatusCode::BAD_REQUEST;
    let forbidden = StatusCode::FORBIDDEN;
    // Title and message ids; `back` returns the user to the client.
    let page = |status, title: &str, message: &str, back: Option<&str>| {
        error_page(status, t, &t.get(title), &t.get(message), back)
    };
    match error {
        E::AskedFor { lang, error } => page_for(error, Words(*lang)),
        E::BadRequest(why) => page(bad, "error-cannot-link-title", untrusted(*why), None),
        E::Redirect(location) => redirect(StatusCode::FOUND, location),
        E::Expired(Stage::SignIn) => page(bad, "error-sign-in-expired-title", "error-sign-in-expired", None),
        E::Expired(Stage::Consent) => page(bad, "error-request-expired-title", "error-request-expired", None),
        E::OtherBrowser => page(bad, "error-other-browser-title", "error-other-browser", None),
        E::Cancelled { denied, back } => {
            let message = if *denied { "error-cancelled" } else { "error-amazon-refused" };
            page(bad, "error-not-linked-title", message, Some(back))
        }
        E::Refused { why, back } => match why {
            Refusal::NoEmail => page(forbidden, "error-email-needed-title", "error-email-needed", Some(back)),
            Refusal::NotProvisioned { email } => error_page(
                forbidden,
                t,
                &t.get("error-no-account-title"),
                &t.with("error-no-account", "email", email),
                Some(back),
            ),
            Refusal::OtherIdentity { email } => error_page(
                forbidden,
                t,
                &t.get("error-other-amazon-title"),
                &t.with("error-other-amazon", "email", email),
                Some(back),
            ),
        },
        E::Disabled { back } => page(forbidden, "error-disabled-title", "error-disabled", Some(back)),
        E::ClientGone => page(bad, "error-cannot-link-title", "error-client-gone", None),
        E::ForeignForm { other_site } => {
            let message = if *other_site { "error-other-site" } else { "error-form-expired" };
            page(forbidden, "error-refused-title", message, None)
        }
        E::NoDecision => page(bad, "error-no-decision-title", "error-no-decision", None),
        E::NotLwa => page(bad, "error-sign-in-failed-title", "error-dev-sign-in-only", None),
        E::NoCode => page(bad, "error-sign-in-failed-title", "error-no-code", None),
        E::MalformedCallback => page(bad, "error-sign-in-failed-title", "error-malformed-callback", None),
        E::DevEmail => page(bad, "error-check-email-title", "error-check-email", None),
        E::Upstream(e) => {
            tracing::warn!(error = %e, "upstream login failed");
            let message = match e {
                UpstreamError::Timeout => "error-amazon-timeout",
                _ => "error-amazon-failed",
            };
            page(StatusCode::BAD_GATEWAY, "error-sign-in-failed-title", message, None)
        }
        E::Store(StoreError::InvalidValue(_)) => page(bad, "error-invalid-title", "error-invalid-characters", None),
        E::Store(e) => {
            tracing::warn!(error = %e, "authorization flow failed on the database");
            let mut r = page(StatusCode::SERVICE_UNAVAILABLE, "error-unavailable-title", "error-unavailable", None);
            r.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static("5"));
            r
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    /// One of each error, as the flow produces them.
    fn every_error() -> Vec<FlowError> {
        use FlowError as E;
        let back = || "https://client.example/cb?error=access_denied".to_string();
        let email = || "ada@example.com".to_string();
        let mut errors: Vec<FlowError> = [
            Untrusted::TooLarge,
            Untrusted::Malformed,
            Untrusted::Repeats,
            Untrusted::NoClient,
            Untrusted::UnknownClient,
            Untrusted::NoRedirect,
            Untrusted::RedirectNotRegistered,
        ]
        .into_iter()
        .map(E::BadRequest)
        .collect();
        errors.extend([
            E::Expired(Stage::SignIn),
            E::Expired(Stage::Consent),
            E::OtherBrowser,
            E::Cancelled { denied: true, back: back() },
            E::Cancelled { denied: false, back: back() },
            E::Refused { why: Refusal::NoEmail, back: back() },
            E::Refused { why: Refusal::NotProvisioned { email: email() }, back: back() },
            E::Refused { why: Refusal::OtherIdentity { email: email() }, back: back() },
            E::Disabled { back: back() },
            E::ClientGone,
            E::ForeignForm { other_site: true },
            E::ForeignForm { other_site: false },
            E::NoDecision,
            E::NotLwa,
            E::NoCode,
            E::MalformedCallback,
            E::DevEmail,
            E::Upstream(UpstreamError::Timeout),
            E::Upstream(UpstreamError::Unreachable("x".into())),
            E::Store(StoreError::InvalidValue(sqlx::Error::PoolTimedOut)),
            E::Store(StoreError::Unavailable(sqlx::Error::PoolTimedOut)),
        ]);
        errors
    }

    async fn body(response: HttpResponse) -> String {
        let bytes = actix_web::body::to_bytes(response.into_body()).await.unwrap_or_default();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    /// The page's title and message: from `start` to the end of the message.
    fn between(html: &str, start: &str, end: &str) -> String {
        let from = html.find(start).expect("a title");
        let to = from + html[from..].find(end).expect("a message");
        html[from..to].to_string()
    }

    /// Every error page in every language: its language, no missing
    /// message, and translated words (not the English ones left in place).
    #[tokio::test]
    async fn every_error_page_renders_in_every_language() {
        let mut english = Vec::new();
        for lang in Lang::ALL {
            for (i, error) in every_error().into_iter().enumerate() {
                let html = body(page_for(&error, Words(lang))).await;
                assert!(html.contains(&format!("<html lang=\"{}\">", lang.tag())), "{error:?}: {html}");
                assert!(!html.contains('['), "{} {error:?}: a message is missing: {html}", lang.tag());
                let words = between(&html, "<h1>", "</p>");
                if lang == Lang::En {
                    english.push(words);
                } else {
                    assert_ne!(words, english[i], "{} {error:?} is in English", lang.tag());
                }
            }
        }
    }

    #[tokio::test]
    async fn an_error_keeps_the_language_its_request_asked_for() {
        let error = FlowError::AskedFor { lang: Lang::Ja, error: Box::new(FlowError::OtherBrowser) };
        let html = body(page_for(&error, Words(Lang::De))).await;
        assert!(html.contains("<html lang=\"ja\">"), "{html}");
    }
}
