//! The browser side of an authorization, free of HTTP types. The handlers
//! in `routes/{authorize,callback,consent,dev}.rs` parse the request, call
//! one of these and map the outcome once (`routes/page_error.rs`):
//! - `begin_authorization`: validate, park the request server-side bound to
//!   a fresh browser secret, and say where the upstream login is;
//! - `claim_login` and `finish_login`: the upstream login came back (from
//!   the right browser); who is who, then consent or a code;
//! - `consent_view` and `decide_consent`: the user approves or denies.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use super::authorize::{Rejection, Untrusted};
use super::{AuthServer, ErrorCode, OAuthError};
use crate::accounts::{resolve_login, Refusal};
use crate::domain::{constant_time_eq, ConsentPreset, RedirectUri, ScopeSet, Secret, TokenHash};
use crate::i18n::Lang;
use crate::store::{AccountSignIn, NewPending, PendingRow, StoreError};
use crate::upstream::{Profile, Upstream, UpstreamError};

/// How long a user has to finish signing in and approving.
const PENDING_TTL: i64 = 15 * 60;

/// Where in the flow a request went stale (the page words it differently).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    SignIn,
    Consent,
}

/// Why a browser step failed. Every variant is answered with a page; the
/// words live with the page mapping, not here.
#[derive(Debug)]
pub enum FlowError {
    /// The authorization request cannot be trusted or is malformed: a page,
    /// never a redirect (RFC 6749 §4.1.2.1).
    BadRequest(Untrusted),
    /// A refusal the (verified) client hears about at its redirect URI.
    Redirect(String),
    /// Expired, already used, or unknown.
    Expired(Stage),
    /// Started in another browser, or its cookie was lost (login CSRF).
    OtherBrowser,
    /// The user cancelled at Amazon (`denied`) or Amazon failed; `back`
    /// returns them to the client with `access_denied`.
    Cancelled {
        denied: bool,
        back: String,
    },
    /// The account cannot be linked; `back` as above.
    Refused {
        why: Refusal,
        back: String,
    },
    /// The user is disabled; `back` as above.
    Disabled {
        back: String,
    },
    /// The client was removed mid-flow.
    ClientGone,
    /// The consent form came from elsewhere: another site (`Origin`) or a
    /// stale form (CSRF token).
    ForeignForm {
        other_site: bool,
    },
    /// Neither Allow nor Deny was chosen.
    NoDecision,
    /// A callback reached a server that signs in through `--dev`.
    NotLwa,
    /// The callback carried no code (or an absurd one).
    NoCode,
    /// The callback's query did not parse.
    MalformedCallback,
    /// The development sign-in form's email is not an email.
    DevEmail,
    Upstream(UpstreamError),
    Store(StoreError),
    /// `error`, for a request that asked for `lang` with `ui_locales`: its
    /// page speaks that language, whatever the browser says.
    AskedFor {
        lang: Lang,
        error: Box<FlowError>,
    },
}

impl FlowError {
    /// This error, arising for `pending`: in the language it asked for.
    pub fn for_request(self, pending: &PendingRow) -> Self {
        match kept_lang(pending) {
            Some(lang) => Self::AskedFor { lang, error: Box::new(self) },
            None => self,
        }
    }
}

impl From<StoreError> for FlowError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// A parked authorization: send the browser to `location` with the binding
/// cookie holding `browser`.
pub struct Begun {
    pub location: String,
    pub browser: Secret,
}

/// What an upstream login that came back belongs to.
pub enum Claimed {
    /// An authorization (linking).
    Link(Box<PendingRow>),
    /// A sign-in to the account page (`/account/login`).
    Account(AccountSignIn),
}

/// What comes after a successful sign-in.
pub enum Next {
    /// The code is issued: redirect the browser to the client.
    Code(String),
    /// Ask for consent on `/oauth/consent?request=<id>`.
    Consent(String),
}

/// What the consent page shows.
pub struct ConsentView {
    /// The language `ui_locales` asked for, if any.
    pub lang: Option<Lang>,
    pub consent: ConsentPreset,
    pub client_name: String,
    pub account_name: String,
    pub account_email: String,
    pub scopes: Vec<String>,
    pub request_id: String,
    pub csrf: String,
}

/// The language the authorization request asked for with `ui_locales`.
pub fn kept_lang(pending: &PendingRow) -> Option<Lang> {
    pending.ui_locale.as_deref().and_then(Lang::from_tag)
}

/// Whether the browser's binding secret is the one this request was bound to.
fn same_browser(browser: Option<&Secret>, expected: &str) -> bool {
    browser.is_some_and(|s| constant_time_eq(s.hash().as_str().as_bytes(), expected.as_bytes()))
}

impl AuthServer {
    /// `ui`: the language `ui_locales` asked for, kept for the pages after
    /// the sign-in.
    pub async fn begin_authorization(
        &self,
        query: &str,
        ui: Option<Lang>,
        upstream: &Upstream,
        now: i64,
    ) -> Result<Begun, FlowError> {
        let request = self.validate_authorize(query).await.map_err(|r| match r {
            Rejection::Page(why) => FlowError::BadRequest(why),
            Rejection::Redirect { location } => FlowError::Redirect(location),
            Rejection::Unavailable(e) => FlowError::Store(e),
        })?;
        // A fresh binding per authorization: a value the browser already had
        // (perhaps planted) is never reused.
        let browser = Secret::generate();
        let upstream_state = Secret::generate();
        // 256 random bits, base64url: a valid RFC 7636 verifier (43 characters).
        let verifier = Secret::generate();
        let id = crate::store::new_id();
        let (browser_hash, state_hash) = (browser.hash(), upstream_state.hash());
        let scope = request.scope.to_string();
        let pending = NewPending {
            id: &id,
            browser_hash: browser_hash.as_str(),
            upstream_state_hash: state_hash.as_str(),
            upstream_pkce_verifier: verifier.expose(),
            client_id: &request.client.id,
            redirect_uri: request.redirect_uri.as_str(),
            scope: &scope,
            state: request.state.as_deref(),
            code_challenge: request.challenge.as_ref().map(|c| c.value()),
            code_challenge_method: request.challenge.as_ref().map(|c| c.method().as_str()),
            ui_locale: ui.map(Lang::tag),
            expires_at: now + PENDING_TTL,
        };
        self.store.create_pending(pending, now).await?;
        let location = self.upstream_login(upstream, &upstream_state, &verifier, ui);
        Ok(Begun { location, browser })
    }

    /// Where the upstream login starts for our `state` and PKCE `verifier`
    /// (an authorization or an account sign-in).
    pub fn upstream_login(&self, upstream: &Upstream, state: &Secret, verifier: &Secret, ui: Option<Lang>) -> String {
        match upstream {
            Upstream::Lwa(lwa) => lwa.authorize_url(state.expose(), verifier.expose()),
            // The development sign-in page has no pending request to read
            // the language from, so it travels in its address.
            Upstream::Dev => match ui {
                Some(lang) => format!("{}/dev/login?state={}&ui_locales={}", self.issuer, state.expose(), lang.tag()),
                None => format!("{}/dev/login?state={}", self.issuer, state.expose()),
            },
        }
    }

    /// Consumes the pending request named by our upstream `state`, if it
    /// belongs to this browser.
    pub async fn claim_login(
        &self,
        upstream_state: Option<&str>,
        browser: Option<&Secret>,
        now: i64,
    ) -> Result<PendingRow, FlowError> {
        let upstream_state =
            upstream_state.filter(|s| !s.is_empty() && s.len() <= 128).ok_or(FlowError::Expired(Stage::SignIn))?;
        let pending = self
            .store
            .claim_pending_by_upstream_state(TokenHash::of(upstream_state).as_str(), now)
            .await?
            .ok_or(FlowError::Expired(Stage::SignIn))?;
        if !same_browser(browser, &pending.browser_hash) {
            let _ = self.store.delete_pending(&pending.id).await;
            tracing::warn!("callback from a browser that did not start the authorization (login CSRF?)");
            return Err(FlowError::OtherBrowser.for_request(&pending));
        }
        Ok(pending)
    }

    /// `claim_login`, or else the account page's sign-in named by the same
    /// `state` (both come back through `/oauth/callback`).
    pub async fn claim_sign_in(
        &self,
        upstream_state: Option<&str>,
        browser: Option<&Secret>,
        now: i64,
    ) -> Result<Claimed, FlowError> {
        match self.claim_login(upstream_state, browser, now).await {
            Err(FlowError::Expired(Stage::SignIn)) => {}
            other => return other.map(|p| Claimed::Link(Box::new(p))),
        }
        let expired = FlowError::Expired(Stage::SignIn);
        let Some(upstream_state) = upstream_state.filter(|s| !s.is_empty() && s.len() <= 128) else {
            return Err(expired);
        };
        let Some(sign_in) = self.store.take_account_sign_in(TokenHash::of(upstream_state).as_str()).await? else {
            return Err(expired);
        };
        let lang = sign_in.ui_locale.as_deref().and_then(Lang::from_tag);
        let in_lang = |error: FlowError| match lang {
            Some(lang) => FlowError::AskedFor { lang, error: Box::new(error) },
            None => error,
        };
        if sign_in.expires_at <= now {
            return Err(in_lang(expired));
        }
        if !same_browser(browser, &sign_in.browser_hash) {
            tracing::warn!("account sign-in came back to a browser that did not start it (login CSRF?)");
            return Err(in_lang(FlowError::OtherBrowser));
        }
        Ok(Claimed::Account(sign_in))
    }

    /// The client's redirect URI with `access_denied`, for a page's way back.
    pub fn denied_redirect(&self, pending: &PendingRow, description: &str) -> String {
        self.error_redirect(
            &RedirectUri::from_trusted(pending.redirect_uri.clone()),
            pending.state.as_deref(),
            &OAuthError::new(ErrorCode::AccessDenied, description),
        )
    }

    /// The upstream login did not give a profile: the user cancelled
    /// (`access_denied`) or Amazon failed. The request is spent.
    pub async fn upstream_refused(&self, pending: &PendingRow, error: &str) -> FlowError {
        let _ = self.store.delete_pending(&pending.id).await;
        let back = self.denied_redirect(pending, "the user cancelled the sign-in");
        FlowError::Cancelled { denied: error == "access_denied", back }
    }

    /// Resolves the user (README "Who is who"), then either asks for
    /// consent or issues the code.
    pub async fn finish_login(&self, pending: PendingRow, profile: Profile, now: i64) -> Result<Next, FlowError> {
        let store = &self.store;
        let user = match resolve_login(store, &self.settings, &profile, now).await? {
            Ok(user) => user,
            Err(why) => {
                let _ = store.delete_pending(&pending.id).await;
                return Err(FlowError::Refused {
                    why,
                    back: self.denied_redirect(&pending, "the account cannot be linked"),
                });
            }
        };
        if user.is_disabled() {
            let _ = store.delete_pending(&pending.id).await;
            return Err(FlowError::Disabled { back: self.denied_redirect(&pending, "the account cannot be linked") });
        }
        let client = store.client(&pending.client_id).await?.ok_or(FlowError::ClientGone)?;
        let requested = ScopeSet::parse(&pending.scope).unwrap_or_default();
        let consented = store.consented_scope(&user.id, &client.id).await?.and_then(|s| ScopeSet::parse(&s).ok());
        if client.skip_consent || consented.is_some_and(|c| requested.is_subset(&c)) {
            let _ = store.delete_pending(&pending.id).await;
            return Ok(Next::Code(self.code_for(&pending, &user.id, now).await?));
        }
        let email = profile.email.clone().unwrap_or_default();
        store.set_pending_user(&pending.id, &user.id, &email, &profile.name).await?;
        Ok(Next::Consent(pending.id))
    }

    /// The consent form's CSRF token: bound to the request and to its browser.
    fn consent_csrf(&self, pending_id: &str, browser_hash: &str) -> String {
        let tag = ring::hmac::sign(&self.csrf_key, format!("consent:{pending_id}:{browser_hash}").as_bytes());
        URL_SAFE_NO_PAD.encode(tag.as_ref())
    }

    /// A pending request that has a signed-in user and belongs to this browser.
    async fn awaiting_consent(
        &self,
        id: Option<&str>,
        browser: Option<&Secret>,
        now: i64,
    ) -> Result<PendingRow, FlowError> {
        let gone = FlowError::Expired(Stage::Consent);
        let Some(id) = id.filter(|i| i.len() <= 64) else { return Err(gone) };
        let pending = self.store.pending(id, now).await?.ok_or(FlowError::Expired(Stage::Consent))?;
        if pending.user_id.is_none() || !same_browser(browser, &pending.browser_hash) {
            return Err(gone.for_request(&pending));
        }
        Ok(pending)
    }

    pub async fn consent_view(
        &self,
        id: Option<&str>,
        browser: Option<&Secret>,
        now: i64,
    ) -> Result<ConsentView, FlowError> {
        let pending = self.awaiting_consent(id, browser, now).await?;
        let Some(client) = self.store.client(&pending.client_id).await? else {
            return Err(FlowError::Expired(Stage::Consent).for_request(&pending));
        };
        let scopes =
            ScopeSet::parse(&pending.scope).unwrap_or_default().iter().map(|s| s.as_str().to_string()).collect();
        let email = pending.upstream_email.clone().unwrap_or_default();
        let name = pending.upstream_name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| email.clone());
        Ok(ConsentView {
            lang: kept_lang(&pending),
            consent: client.consent,
            client_name: client.name,
            account_name: name,
            account_email: email,
            scopes,
            csrf: self.consent_csrf(&pending.id, &pending.browser_hash),
            request_id: pending.id,
        })
    }

    /// The user's answer on the consent form; returns where the browser
    /// goes next (the client, with a code or `access_denied`).
    pub async fn decide_consent(
        &self,
        id: Option<&str>,
        browser: Option<&Secret>,
        csrf: Option<&str>,
        decision: Option<&str>,
        now: i64,
    ) -> Result<String, FlowError> {
        let pending = self.awaiting_consent(id, browser, now).await?;
        let expected = self.consent_csrf(&pending.id, &pending.browser_hash);
        if !constant_time_eq(csrf.unwrap_or("").as_bytes(), expected.as_bytes()) {
            return Err(FlowError::ForeignForm { other_site: false }.for_request(&pending));
        }
        let approve = match decision {
            Some("approve") => true,
            Some("deny") => false,
            _ => return Err(FlowError::NoDecision.for_request(&pending)),
        };
        // Removing the request is what makes the form single-use.
        let pending = self.store.take_pending(&pending.id, now).await?.ok_or(FlowError::Expired(Stage::Consent))?;
        let user_id = pending.user_id.clone().unwrap_or_default();
        if !approve {
            return Ok(self.denied_redirect(&pending, "the user denied the request"));
        }
        let previous = self
            .store
            .consented_scope(&user_id, &pending.client_id)
            .await?
            .and_then(|s| ScopeSet::parse(&s).ok())
            .unwrap_or_default();
        let granted = previous.union(&ScopeSet::parse(&pending.scope).unwrap_or_default());
        self.store.save_consent(&user_id, &pending.client_id, &granted.to_string(), now).await?;
        Ok(self.code_for(&pending, &user_id, now).await?)
    }

    /// Issues the code for a finished request; returns the success redirect.
    async fn code_for(&self, pending: &PendingRow, user_id: &str, now: i64) -> Result<String, StoreError> {
        let challenge =
            pending.code_challenge.as_deref().map(|c| (c, pending.code_challenge_method.as_deref().unwrap_or("plain")));
        let redirect_uri = RedirectUri::from_trusted(pending.redirect_uri.clone());
        self.issue_code(
            &pending.client_id,
            user_id,
            &redirect_uri,
            &pending.scope,
            pending.state.as_deref(),
            challenge,
            now,
        )
        .await
    }
}
