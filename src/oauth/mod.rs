//! The OAuth 2.0 protocol core, free of HTTP framework types: request
//! validation, codes, the two token grants, client authentication and JWTs.

pub mod access_cache;
pub mod authorize;
pub mod client_auth;
mod code_grant;
pub mod error;
pub mod flow;
pub mod grant;
mod introspect;
pub mod jwt;
mod refresh_grant;
mod revoke;
pub mod rotation;
pub mod token_format;
pub mod tokens;

use std::sync::Arc;

pub use error::{ErrorCode, OAuthError};
pub use tokens::TokenResponse;

use crate::clock::Clock;
use crate::settings::Settings;
use crate::store::Store;

/// What every protocol operation needs, built once at startup and shared.
#[derive(Clone)]
pub struct AuthServer {
    pub store: Store,
    pub settings: Arc<Settings>,
    /// The public base URL: RFC 8414 issuer and RFC 9207 `iss`.
    pub issuer: Arc<str>,
    pub keys: jwt::KeyRing,
    /// Derive refresh-token successors and MAC opaque access tokens (see
    /// `token_format`).
    pub tokens: Arc<token_format::TokenKeys>,
    /// Resolved access tokens for a couple of seconds (see `access_cache`).
    pub access_cache: Arc<access_cache::AccessCache>,
    /// Authenticated clients for a couple of seconds (see `access_cache`).
    pub client_cache: Arc<access_cache::ClientCache>,
    /// What Smart Home events need, for a couple of seconds (see
    /// `access_cache`).
    pub event_cache: Arc<access_cache::EventCache>,
    pub clock: Clock,
    /// Keys CSRF tokens: the consent form's (to its request and browser) and
    /// the admin forms' (to the session), each under its own label.
    pub csrf_key: ring::hmac::Key,
    /// Wakes this instance's unlink worker when a link ends.
    pub outbox: crate::outbox::Outbox,
}

impl AuthServer {
    /// A link ended on this instance: nothing cached of it here (token
    /// resolutions, its Amazon grant for events) may outlive that. Other
    /// instances follow within the caches' 2 s bound.
    pub fn forget_links(&self) {
        self.access_cache.clear();
        self.event_cache.clear();
        // An ended link made app-to-app has an unlink queued for Alexa.
        self.outbox.wake();
    }
}
