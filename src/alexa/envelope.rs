//! The parts of an Alexa request envelope the endpoint reads.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Envelope {
    pub version: Option<String>,
    #[serde(default)]
    pub session: Option<Session>,
    #[serde(default)]
    pub context: Option<Context>,
    pub request: Request,
}

#[derive(Debug, Deserialize)]
pub struct Session {
    #[serde(default)]
    pub user: Option<User>,
}

#[derive(Debug, Deserialize)]
pub struct Context {
    #[serde(rename = "System")]
    pub system: Option<System>,
}

#[derive(Debug, Deserialize)]
pub struct System {
    #[serde(default)]
    pub user: Option<User>,
    #[serde(default)]
    pub application: Option<Application>,
}

#[derive(Debug, Deserialize)]
pub struct Application {
    #[serde(rename = "applicationId")]
    pub application_id: String,
}

#[derive(Debug, Deserialize)]
pub struct User {
    #[serde(rename = "userId", default)]
    pub user_id: Option<String>,
    #[serde(rename = "accessToken", default)]
    pub access_token: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Request {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub intent: Option<Intent>,
}

#[derive(Debug, Deserialize)]
pub struct Intent {
    pub name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    #[error("the body is not an Alexa request envelope: {0}")]
    Malformed(String),
}

impl Envelope {
    pub fn parse(body: &[u8]) -> Result<Self, EnvelopeError> {
        serde_json::from_slice(body).map_err(|e| EnvelopeError::Malformed(e.to_string()))
    }

    /// `context.System.user.accessToken`, else `session.user.accessToken`.
    pub fn access_token(&self) -> Option<&str> {
        let from_context = self
            .context
            .as_ref()
            .and_then(|c| c.system.as_ref())
            .and_then(|s| s.user.as_ref())
            .and_then(|u| u.access_token.as_deref());
        let from_session = self.session.as_ref().and_then(|s| s.user.as_ref()).and_then(|u| u.access_token.as_deref());
        from_context.or(from_session).filter(|t| !t.is_empty())
    }

    pub fn intent_name(&self) -> Option<&str> {
        self.request.intent.as_ref().map(|i| i.name.as_str())
    }
}
