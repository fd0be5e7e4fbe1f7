//! Types that parse untrusted input once, at the edge, so the core never
//! handles a bare `String` that might be an unchecked email, URI or scope.

mod actor;
mod client_id;
mod client_spec;
mod email;
mod permission;
mod pkce;
mod redirect_uri;
mod scope;
mod secret;

pub use actor::{Actor, Door};
pub use client_id::ClientId;
pub use client_spec::{ClientDraft, ClientSpec, ConsentPreset, TokenFormat, MAX_JWT_SCOPE_CHARS};
pub use email::Email;
pub use permission::Permission;
pub use pkce::{CodeChallenge, CodeChallengeMethod, CodeVerifier};
pub use redirect_uri::RedirectUri;
pub use scope::{Scope, ScopeSet};
pub use secret::{constant_time_eq, Secret, TokenHash};

/// Why a piece of input was refused; the message is safe to show a client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

impl ParseError {
    pub fn new(msg: impl Into<String>) -> Self {
        Self(msg.into())
    }
}
