//! The companion Alexa skill endpoint's envelopes and answers (Alexa Skills
//! Kit request/response JSON).

mod envelope;
mod response;

pub use envelope::{Envelope, EnvelopeError};
pub use response::SkillResponse;

/// First name for the greeting: the first word of the display name.
pub fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or("")
}
