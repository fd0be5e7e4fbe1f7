//! `GET/POST /oauth/consent`: the user approves or denies the link
//! (`AuthServer::consent_view`, `AuthServer::decide_consent`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::browser_binding::browser_secret;
use super::page_error::{InWords, PageError};
use crate::domain::ConsentPreset;
use crate::i18n::{Lang, Words};
use crate::oauth::flow::FlowError;
use crate::web::{page_words, redirect, render_in, AppState};

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage<'a> {
    t: Words,
    wording: Wording,
    account_name: &'a str,
    account_email: &'a str,
    scopes: Vec<String>,
    request_id: &'a str,
    csrf: &'a str,
}

#[derive(Deserialize)]
pub struct ShowQuery {
    request: Option<String>,
}

#[derive(Deserialize)]
pub struct Decision {
    /// The language the page was shown in, for the errors of its answer.
    lang: Option<String>,
    request: Option<String>,
    csrf: Option<String>,
    decision: Option<String>,
}

pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let now = state.auth.clock.now();
    let query = web::Query::<ShowQuery>::from_query(req.query_string()).ok();
    let id = query.as_ref().and_then(|q| q.request.as_deref());
    let browser = browser_secret(&req, state.secure_cookies);
    let view = state.auth.consent_view(id, browser.as_ref(), now).await.in_words(page_words(&req, None))?;
    let t = page_words(&req, view.lang);
    let page = ConsentPage {
        t,
        wording: Wording::new(t, view.consent, &view.client_name),
        account_name: &view.account_name,
        account_email: &view.account_email,
        scopes: view.scopes.iter().map(|s| describe_scope(t, s)).collect(),
        request_id: &view.request_id,
        csrf: &view.csrf,
    };
    Ok(render_in(StatusCode::OK, t, &page))
}

/// The words that differ between the Alexa and the Google consent page.
struct Wording {
    title: String,
    /// Escaped HTML, with the client's name in bold.
    intro: String,
    can: String,
    deny: String,
    allow: String,
    /// Google's guidelines ask for a link to its privacy policy.
    privacy: Option<String>,
}

impl Wording {
    fn new(t: Words, preset: ConsentPreset, client: &str) -> Self {
        match preset {
            ConsentPreset::Alexa => Self {
                title: t.get("consent-alexa-title"),
                intro: t.strong("consent-alexa-intro", "client", client),
                can: t.get("consent-alexa-can"),
                deny: t.get("consent-alexa-deny"),
                allow: t.get("consent-alexa-allow"),
                privacy: None,
            },
            ConsentPreset::Google => Self {
                title: t.get("consent-google-title"),
                intro: t.strong("consent-google-intro", "client", client),
                can: t.get("consent-google-can"),
                deny: t.get("consent-google-cancel"),
                allow: t.get("consent-google-agree"),
                privacy: Some(format!("https://policies.google.com/privacy?hl={}", t.tag())),
            },
        }
    }
}

fn describe_scope(t: Words, scope: &str) -> String {
    match scope {
        "profile" => t.get("scope-profile"),
        "profile:user_id" => t.get("scope-user-id"),
        other => t.with("scope-other", "scope", other),
    }
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: Result<web::Form<Decision>, actix_web::Error>,
) -> Result<HttpResponse, PageError> {
    let now = state.auth.clock.now();
    // A body that does not parse (a repeated field, another content type)
    // is a form that did not come from our page: its page, not actix's text.
    let Ok(form) = form else {
        return Err(PageError::new(FlowError::ForeignForm { other_site: false }, page_words(&req, None)));
    };
    let t = page_words(&req, form.lang.as_deref().and_then(Lang::from_tag));
    if !crate::web::same_origin(&req, &state.auth.issuer) {
        return Err(PageError::new(FlowError::ForeignForm { other_site: true }, t));
    }
    let browser = browser_secret(&req, state.secure_cookies);
    let location = state
        .auth
        .decide_consent(form.request.as_deref(), browser.as_ref(), form.csrf.as_deref(), form.decision.as_deref(), now)
        .await
        .in_words(t)?;
    Ok(redirect(StatusCode::SEE_OTHER, &location))
}
