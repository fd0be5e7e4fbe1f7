//! The federated login: where the browser is sent to prove who it is, and
//! how the answer becomes a `Profile`. Login with Amazon in production; a
//! local development provider with `serve --dev`.

mod lwa;

use std::time::Duration;

pub use lwa::LwaClient;

/// Who the upstream provider says logged in.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Provider name as stored with identities ("lwa", "dev").
    pub provider: &'static str,
    /// Stable subject id at the provider (`amzn1.account...`).
    pub subject: String,
    pub email: Option<String>,
    pub name: String,
}

impl Profile {
    /// Who acted, for the audit log: `lwa:amzn1.account…`, `dev:ada@…`
    /// (a subject that already names its provider is not prefixed twice).
    pub fn actor(&self) -> String {
        match self.subject.strip_prefix(self.provider).and_then(|rest| rest.strip_prefix(':')) {
            Some(_) => self.subject.clone(),
            None => format!("{}:{}", self.provider, self.subject),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("the sign-in provider did not answer in time")]
    Timeout,
    #[error("the sign-in provider refused the request: {0}")]
    Rejected(String),
    #[error("the sign-in provider could not be reached: {0}")]
    Unreachable(String),
}

impl UpstreamError {
    /// A fixed label for metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Timeout => "timeout",
            Self::Rejected(_) => "rejected",
            Self::Unreachable(_) => "unreachable",
        }
    }
}

/// Every upstream HTTP call is bounded: an unresponsive Amazon gives the user
/// an error page, never a hang (the whole callback stays under 15 s).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
pub const CALL_TIMEOUT: Duration = Duration::from_secs(6);

pub enum Upstream {
    Lwa(Box<LwaClient>),
    /// `serve --dev`: a local page where any email and name can be typed.
    Dev,
}

impl Upstream {
    pub fn provider(&self) -> &'static str {
        match self {
            Self::Lwa(_) => "lwa",
            Self::Dev => "dev",
        }
    }
}
