//! The end user's own door (`/account`, docs/app-to-app.md), free of HTTP
//! types: signing in through the same upstream as linking, the session,
//! the page's contents, ending a link, and linking with Alexa from here
//! (`app_link`). The handlers in `routes/account.rs` parse, call these and
//! map the outcome once.
//!
//! A sign-in is parked server-side like an authorization (its upstream
//! `state` hashed, bound to the browser's cookie, single use) and comes
//! back through `/oauth/callback` (or the development sign-in), where
//! `AuthServer::claim_sign_in` tells it apart from a link. The session is a
//! random secret in a cookie, its hash in `account_sessions`, for 12 hours;
//! a disabled user's session stops at once. Every form carries a CSRF
//! token bound to the session.

pub mod alexa_view;
pub mod app_link;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use crate::accounts::resolve_login;
use crate::domain::{constant_time_eq, Actor, Secret, TokenHash};
use crate::i18n::Lang;
use crate::manage::{ManageError, Manager, UserKey};
use crate::oauth::flow::FlowError;
use crate::oauth::AuthServer;
use crate::store::{LinkDetail, NewSignIn, StoreError, UserRow};
use crate::upstream::{Profile, Upstream};

/// How long a session lasts.
pub const SESSION_SECONDS: i64 = 12 * 3600;
/// How long a user has to finish signing in.
const SIGN_IN_TTL: i64 = 15 * 60;
/// Where a refused or disabled sign-in's page leads back to.
pub const ACCOUNT_PATH: &str = "/account";

/// The session cookie; on HTTPS with the `__Host-` prefix (Secure,
/// host-only, path `/`: a sibling subdomain cannot plant one).
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-lb_account"
    } else {
        "lb_account"
    }
}

/// A sign-in begun: send the browser to `location` with the binding cookie
/// holding `browser`.
pub struct SignInBegun {
    pub location: String,
    pub browser: Secret,
}

/// A signed-in user and the hash of their session (the CSRF key's input).
#[derive(Debug, Clone)]
pub struct Session {
    pub user: UserRow,
    pub session_hash: String,
}

/// Why an account page action failed. Every variant is answered with a page.
#[derive(Debug)]
pub enum AccountError {
    /// No live session: sign in again.
    SignedOut,
    /// The form's CSRF token is not this session's.
    ForeignForm,
    /// Not one of this user's live links.
    NoSuchLink,
    Store(StoreError),
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<ManageError> for AccountError {
    fn from(e: ManageError) -> Self {
        match e {
            ManageError::NotFound(_) | ManageError::Invalid(_) => Self::NoSuchLink,
            ManageError::Store(e) => Self::Store(e),
            other => Self::Store(StoreError::Unavailable(sqlx::Error::Protocol(other.to_string()))),
        }
    }
}

/// One live link as the page shows it.
pub struct LinkView {
    pub link: LinkDetail,
    /// What Alexa says of it, for a link whose Amazon token we hold.
    pub alexa: Option<alexa_view::AlexaSays>,
}

/// A client the user may link with Alexa from here.
pub struct Offer {
    pub client_id: String,
    pub client_name: String,
}

/// What the account page shows.
pub struct AccountView {
    pub user: UserRow,
    pub links: Vec<LinkView>,
    pub offers: Vec<Offer>,
    pub csrf: String,
}

impl AuthServer {
    /// Parks a sign-in and says where the upstream login is.
    pub async fn begin_account_sign_in(
        &self,
        upstream: &Upstream,
        ui: Option<Lang>,
        now: i64,
    ) -> Result<SignInBegun, StoreError> {
        let browser = Secret::generate();
        let upstream_state = Secret::generate();
        let verifier = Secret::generate();
        let (browser_hash, state_hash) = (browser.hash(), upstream_state.hash());
        let sign_in = NewSignIn {
            upstream_state_hash: state_hash.as_str(),
            browser_hash: browser_hash.as_str(),
            upstream_pkce_verifier: verifier.expose(),
            ui_locale: ui.map(Lang::tag),
            expires_at: now + SIGN_IN_TTL,
        };
        self.store.create_account_sign_in(sign_in, now).await?;
        let location = self.upstream_login(upstream, &upstream_state, &verifier, ui);
        Ok(SignInBegun { location, browser })
    }

    /// The upstream login of an account sign-in came back: who is who (the
    /// same rules as linking), then a session. Returns its secret.
    pub async fn finish_account_sign_in(&self, profile: Profile, now: i64) -> Result<Secret, FlowError> {
        let back = || ACCOUNT_PATH.to_string();
        let user = match resolve_login(&self.store, &self.settings, &profile, now).await? {
            Ok(user) => user,
            Err(why) => return Err(FlowError::Refused { why, back: back() }),
        };
        if user.is_disabled() {
            return Err(FlowError::Disabled { back: back() });
        }
        let session = Secret::generate();
        self.store.create_account_session(session.hash().as_str(), &user.id, now, now + SESSION_SECONDS).await?;
        Ok(session)
    }

    /// The signed-in user of a session cookie's value, if the session is
    /// live and the user enabled.
    pub async fn account_session(&self, cookie: Option<&str>, now: i64) -> Result<Option<Session>, StoreError> {
        let Some(secret) = cookie.filter(|v| v.len() == 43) else { return Ok(None) };
        let session_hash = TokenHash::of(secret).as_str().to_string();
        let Some(user_id) = self.store.account_session_user(&session_hash, now).await? else { return Ok(None) };
        Ok(self.store.user_by_id(&user_id).await?.map(|user| Session { user, session_hash }))
    }

    /// The CSRF token of every form on the account pages: bound to the session.
    pub fn account_csrf(&self, session: &Session) -> String {
        let tag = ring::hmac::sign(&self.csrf_key, format!("account:{}", session.session_hash).as_bytes());
        URL_SAFE_NO_PAD.encode(tag.as_ref())
    }

    pub fn check_account_csrf(&self, session: &Session, presented: Option<&str>) -> Result<(), AccountError> {
        let expected = self.account_csrf(session);
        match constant_time_eq(presented.unwrap_or("").as_bytes(), expected.as_bytes()) {
            true => Ok(()),
            false => Err(AccountError::ForeignForm),
        }
    }

    pub async fn sign_out(&self, session: &Session) -> Result<(), StoreError> {
        self.store.delete_account_session(&session.session_hash).await
    }
}

/// The page's contents for a signed-in user.
pub async fn view(
    auth: &AuthServer,
    amazon: &crate::alexa::amazon::AmazonApi,
    views: &alexa_view::ViewCache,
    session: &Session,
) -> Result<AccountView, StoreError> {
    let now = auth.clock.now();
    let links: Vec<LinkDetail> =
        auth.store.user_links(&session.user.id).await?.into_iter().filter(|l| l.revoked_at.is_none()).collect();
    let mut shown = Vec::with_capacity(links.len());
    for link in links {
        let alexa = match &link.alexa_endpoint {
            Some(_) => Some(views.ask(auth, amazon, &link, now).await),
            None => None,
        };
        shown.push(LinkView { link, alexa });
    }
    let offers = auth
        .store
        .alexa_app_clients()
        .await?
        .into_iter()
        .filter(|c| !shown.iter().any(|l| l.link.client_id == c.id))
        .map(|c| Offer { client_id: c.id, client_name: c.name })
        .collect();
    Ok(AccountView { user: session.user.clone(), links: shown, offers, csrf: auth.account_csrf(session) })
}

/// The signed-in user ends one of their links: the same use case as an
/// admin's revocation, audited as the user (an unlink reaches Alexa for a
/// link made app-to-app). Returns the ended link as it was.
pub async fn unlink(manager: &Manager, session: &Session, link_id: &str) -> Result<LinkDetail, AccountError> {
    let user = &session.user;
    let link = manager
        .store()
        .user_links(&user.id)
        .await?
        .into_iter()
        .find(|l| l.id == link_id && l.revoked_at.is_none())
        .ok_or(AccountError::NoSuchLink)?;
    manager.revoke_link(&Actor::user(&user.id), &UserKey::Id(user.id.clone()), link_id).await?;
    Ok(link)
}
