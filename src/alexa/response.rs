//! A small typed builder for Alexa response JSON.

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct SkillResponse {
    version: &'static str,
    #[serde(rename = "sessionAttributes")]
    session_attributes: serde_json::Map<String, serde_json::Value>,
    response: Body,
}

#[derive(Debug, Serialize)]
struct Body {
    #[serde(rename = "outputSpeech", skip_serializing_if = "Option::is_none")]
    output_speech: Option<Speech>,
    #[serde(skip_serializing_if = "Option::is_none")]
    card: Option<Card>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reprompt: Option<Reprompt>,
    #[serde(rename = "shouldEndSession")]
    should_end_session: bool,
}

#[derive(Debug, Serialize)]
struct Speech {
    #[serde(rename = "type")]
    kind: &'static str,
    text: String,
}

#[derive(Debug, Serialize)]
struct Reprompt {
    #[serde(rename = "outputSpeech")]
    output_speech: Speech,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type")]
enum Card {
    LinkAccount,
    Simple { title: String, content: String },
}

impl SkillResponse {
    pub fn speak(text: impl Into<String>) -> Self {
        Self {
            version: "1.0",
            session_attributes: Default::default(),
            response: Body {
                output_speech: Some(Speech { kind: "PlainText", text: text.into() }),
                card: None,
                reprompt: None,
                should_end_session: true,
            },
        }
    }

    /// An empty answer (events and SessionEndedRequest expect no speech).
    pub fn empty() -> Self {
        let mut r = Self::speak("");
        r.response.output_speech = None;
        r
    }

    /// Asks the user to link their account in the Alexa app.
    pub fn link_account_card(mut self) -> Self {
        self.response.card = Some(Card::LinkAccount);
        self
    }

    pub fn simple_card(mut self, title: impl Into<String>, content: impl Into<String>) -> Self {
        self.response.card = Some(Card::Simple { title: title.into(), content: content.into() });
        self
    }

    /// Keeps the session open and says `text` if the user stays silent.
    pub fn reprompt(mut self, text: impl Into<String>) -> Self {
        self.response.reprompt = Some(Reprompt { output_speech: Speech { kind: "PlainText", text: text.into() } });
        self.response.should_end_session = false;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_account_card_has_the_documented_shape() {
        let v = serde_json::to_value(SkillResponse::speak("Please link").link_account_card()).unwrap();
        assert_eq!(v["version"], "1.0");
        assert_eq!(v["response"]["card"]["type"], "LinkAccount");
        assert_eq!(v["response"]["outputSpeech"]["type"], "PlainText");
        assert_eq!(v["response"]["shouldEndSession"], true);
    }
}
