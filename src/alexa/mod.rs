//! The companion Alexa skill endpoint's core, free of HTTP types: typed
//! envelopes, proof that a request comes from Alexa (certificate URL rules,
//! chain and signature, timestamp), the dialogue, skill events, and the
//! response builder (Alexa Skills Kit request/response JSON).

pub mod amazon;
mod cert_url;
mod chain_cache;
pub mod dialogue;
pub mod enablement;
mod envelope;
pub mod event_message;
pub mod events;
mod response;
pub mod smart_home;
pub mod timestamp;
mod verifier;

pub use cert_url::CertChainUrl;
pub use envelope::{Envelope, EnvelopeError, Request};
pub use response::SkillResponse;
pub use verifier::{AlexaTrust, CertFetcher, FetchFuture, HttpsFetcher, SignatureVerifier, VerifyError};

/// First name for the greeting: the first word of the display name.
pub fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or("")
}

/// `LINKBROKER_ALEXA_APPLICATION_IDS`: when set, only those skills may call.
pub fn check_application(envelope: &Envelope, allowed: &[String]) -> Result<(), &'static str> {
    if allowed.is_empty() {
        return Ok(());
    }
    match envelope.application_id() {
        Some(id) if allowed.iter().any(|a| a == id) => Ok(()),
        Some(_) => Err("applicationId is not an accepted skill"),
        None => Err("applicationId is missing"),
    }
}
