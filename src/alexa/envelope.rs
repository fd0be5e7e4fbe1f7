//! Typed Alexa request envelopes (Alexa Skills Kit "Request and response JSON
//! reference" and "Skill events"). Only the fields the endpoint reads are
//! typed; everything else in the JSON is ignored.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Envelope {
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
    #[serde(default)]
    pub application: Option<Application>,
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

/// `request`, by its `type`. Anything else is refused (see `EnvelopeError`).
#[derive(Debug, Deserialize)]
#[serde(tag = "type")]
pub enum Request {
    LaunchRequest(Plain),
    IntentRequest(IntentRequest),
    SessionEndedRequest(Plain),
    #[serde(rename = "AlexaSkillEvent.SkillEnabled")]
    SkillEnabled(SkillEvent),
    #[serde(rename = "AlexaSkillEvent.SkillDisabled")]
    SkillDisabled(SkillEvent),
    #[serde(rename = "AlexaSkillEvent.SkillAccountLinked")]
    SkillAccountLinked(SkillEvent),
    #[serde(rename = "AlexaSkillEvent.SkillPermissionAccepted")]
    SkillPermissionAccepted(SkillEvent),
    #[serde(rename = "AlexaSkillEvent.SkillPermissionChanged")]
    SkillPermissionChanged(SkillEvent),
}

/// The request types the endpoint understands, for the "unknown type" answer.
const KNOWN_TYPES: &[&str] = &[
    "LaunchRequest",
    "IntentRequest",
    "SessionEndedRequest",
    "AlexaSkillEvent.SkillEnabled",
    "AlexaSkillEvent.SkillDisabled",
    "AlexaSkillEvent.SkillAccountLinked",
    "AlexaSkillEvent.SkillPermissionAccepted",
    "AlexaSkillEvent.SkillPermissionChanged",
];

#[derive(Debug, Deserialize)]
pub struct Plain {
    pub timestamp: String,
    /// The device's language, `de-DE`, `ja-JP`, ...
    #[serde(default)]
    pub locale: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct IntentRequest {
    pub timestamp: String,
    #[serde(default)]
    pub locale: Option<String>,
    pub intent: Intent,
}

#[derive(Debug, Deserialize)]
pub struct Intent {
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct SkillEvent {
    pub timestamp: String,
    #[serde(default)]
    pub body: Option<EventBody>,
}

#[derive(Debug, Default, Deserialize)]
pub struct EventBody {
    /// `SkillAccountLinked` carries the new link's access token here.
    #[serde(rename = "accessToken", default)]
    pub access_token: Option<String>,
    /// `SkillPermission*`: the permissions the user accepted.
    #[serde(rename = "acceptedPermissions", default)]
    pub accepted_permissions: Vec<AcceptedPermission>,
}

#[derive(Debug, Deserialize)]
pub struct AcceptedPermission {
    pub scope: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EnvelopeError {
    #[error("the body is not an Alexa request envelope: {0}")]
    Malformed(String),
    #[error("unsupported request type {0:?}")]
    UnknownType(String),
}

/// How much of a client's value an error message repeats (it is logged).
const MAX_ECHOED: usize = 64;

/// serde's message, except that "invalid type/value" ones quote the value,
/// which could be a token: those keep only the position.
fn describe(e: &serde_json::Error) -> String {
    let message = e.to_string();
    if message.starts_with("invalid type") || message.starts_with("invalid value") {
        format!("a field has the wrong type at line {} column {}", e.line(), e.column())
    } else {
        message
    }
}

/// Just enough to name the request type when the typed parse fails.
#[derive(Deserialize)]
struct Probe {
    request: ProbeRequest,
}

#[derive(Deserialize)]
struct ProbeRequest {
    #[serde(rename = "type")]
    kind: String,
}

impl Envelope {
    pub fn parse(body: &[u8]) -> Result<Self, EnvelopeError> {
        serde_json::from_slice(body).map_err(|e| match serde_json::from_slice::<Probe>(body) {
            Ok(p) if !KNOWN_TYPES.contains(&p.request.kind.as_str()) => {
                EnvelopeError::UnknownType(p.request.kind.chars().take(MAX_ECHOED).collect())
            }
            _ => EnvelopeError::Malformed(describe(&e)),
        })
    }

    fn users(&self) -> impl Iterator<Item = &User> {
        let system = self.context.as_ref().and_then(|c| c.system.as_ref()).and_then(|s| s.user.as_ref());
        let session = self.session.as_ref().and_then(|s| s.user.as_ref());
        system.into_iter().chain(session)
    }

    /// `context.System.user.accessToken`, else `session.user.accessToken`,
    /// else (for `SkillAccountLinked`) `request.body.accessToken`.
    pub fn access_token(&self) -> Option<&str> {
        let from_body = self.request.event_body().and_then(|b| b.access_token.as_deref());
        self.users().find_map(|u| u.access_token.as_deref().filter(|t| !t.is_empty())).or(from_body)
    }

    /// The Alexa user id (`amzn1.ask.account.…`): one per skill and Amazon account.
    pub fn alexa_user_id(&self) -> Option<&str> {
        self.users().find_map(|u| u.user_id.as_deref().filter(|t| !t.is_empty()))
    }

    /// `context.System.application.applicationId`, else the session's.
    pub fn application_id(&self) -> Option<&str> {
        let system = self.context.as_ref().and_then(|c| c.system.as_ref()).and_then(|s| s.application.as_ref());
        let session = self.session.as_ref().and_then(|s| s.application.as_ref());
        system.or(session).map(|a| a.application_id.as_str())
    }

    pub fn intent_name(&self) -> Option<&str> {
        match &self.request {
            Request::IntentRequest(r) => Some(r.intent.name.as_str()),
            _ => None,
        }
    }

    /// `request.locale`: the language to answer in.
    pub fn locale(&self) -> Option<&str> {
        match &self.request {
            Request::LaunchRequest(r) | Request::SessionEndedRequest(r) => r.locale.as_deref(),
            Request::IntentRequest(r) => r.locale.as_deref(),
            _ => None,
        }
    }
}

impl Request {
    pub fn timestamp(&self) -> &str {
        match self {
            Self::LaunchRequest(r) | Self::SessionEndedRequest(r) => &r.timestamp,
            Self::IntentRequest(r) => &r.timestamp,
            Self::SkillEnabled(e)
            | Self::SkillDisabled(e)
            | Self::SkillAccountLinked(e)
            | Self::SkillPermissionAccepted(e)
            | Self::SkillPermissionChanged(e) => &e.timestamp,
        }
    }

    /// `AlexaSkillEvent.*`: delivered asynchronously, so Amazon allows them
    /// an hour of clock difference instead of 150 s.
    pub fn is_event(&self) -> bool {
        self.event_body_slot().is_some()
    }

    fn event_body_slot(&self) -> Option<&Option<EventBody>> {
        match self {
            Self::SkillEnabled(e)
            | Self::SkillDisabled(e)
            | Self::SkillAccountLinked(e)
            | Self::SkillPermissionAccepted(e)
            | Self::SkillPermissionChanged(e) => Some(&e.body),
            _ => None,
        }
    }

    pub fn event_body(&self) -> Option<&EventBody> {
        self.event_body_slot().and_then(Option::as_ref)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_types_are_named() {
        let e = Envelope::parse(br#"{"request":{"type":"Alexa.Presentation.APL.UserEvent","timestamp":"x"}}"#);
        assert_eq!(e.unwrap_err(), EnvelopeError::UnknownType("Alexa.Presentation.APL.UserEvent".into()));
    }

    #[test]
    fn known_types_with_missing_fields_are_malformed() {
        let e = Envelope::parse(br#"{"request":{"type":"IntentRequest","timestamp":"x"}}"#);
        assert!(matches!(e.unwrap_err(), EnvelopeError::Malformed(_)));
        assert!(matches!(Envelope::parse(b"{not json").unwrap_err(), EnvelopeError::Malformed(_)));
    }

    #[test]
    fn errors_never_repeat_field_values() {
        let e = Envelope::parse(
            br#"{"context":{"System":{"user":"SECRET-TOKEN"}},"request":{"type":"LaunchRequest","timestamp":"t"}}"#,
        );
        let message = e.unwrap_err().to_string();
        assert!(!message.contains("SECRET-TOKEN"), "{message}");
        assert!(message.contains("line 1"), "{message}");
        let long = format!(r#"{{"request":{{"type":"{}"}}}}"#, "x".repeat(1000));
        assert!(Envelope::parse(long.as_bytes()).unwrap_err().to_string().len() < 120);
    }

    #[test]
    fn token_comes_from_context_then_session_then_event_body() {
        let e = Envelope::parse(
            br#"{"session":{"user":{"userId":"s","accessToken":"from-session"}},
                 "context":{"System":{"user":{"userId":"c","accessToken":"from-context"}}},
                 "request":{"type":"LaunchRequest","timestamp":"t"}}"#,
        )
        .unwrap();
        assert_eq!(e.access_token(), Some("from-context"));
        assert_eq!(e.alexa_user_id(), Some("c"));
        let e = Envelope::parse(
            br#"{"context":{"System":{"user":{"userId":"c"}}},
                 "request":{"type":"AlexaSkillEvent.SkillAccountLinked","timestamp":"t","body":{"accessToken":"b"}}}"#,
        )
        .unwrap();
        assert_eq!(e.access_token(), Some("b"));
        assert!(e.request.is_event());
    }
}
