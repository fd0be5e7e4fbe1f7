//! What the skill says, as a pure function of the request, the resolved user
//! and the intent → permission table. No I/O: the route logs and audits.

use std::collections::BTreeMap;

use super::{first_name, SkillResponse};
use crate::domain::Permission;
use crate::store::ResolvedToken;

const HELP: &str = "You can say hello, or ask what you can do.";
const REPROMPT: &str = "What would you like to do?";

/// An answer, and the permission the user lacked if the intent was refused.
pub struct Answer {
    pub response: SkillResponse,
    pub denied: Option<String>,
}

impl From<SkillResponse> for Answer {
    fn from(response: SkillResponse) -> Self {
        Self { response, denied: None }
    }
}

/// Intents answered without looking at the account (ending a session must
/// work even when the link is gone).
pub fn without_account(intent: Option<&str>) -> Option<SkillResponse> {
    match intent {
        Some("AMAZON.StopIntent" | "AMAZON.CancelIntent") => Some(SkillResponse::speak("Goodbye.")),
        _ => None,
    }
}

/// No token, or one that no longer resolves.
pub fn please_link() -> SkillResponse {
    SkillResponse::speak("Please link your account in the Alexa app to use this skill. I've sent a card to help.")
        .link_account_card()
}

/// A `LaunchRequest` (`intent` is `None`) or an `IntentRequest` of a linked user.
pub fn answer(intent: Option<&str>, user: &ResolvedToken, required: &BTreeMap<String, Permission>) -> Answer {
    if let Some(needed) = intent.and_then(|i| required.get(i)) {
        if !user.permissions.iter().any(|p| p == needed.as_str()) {
            return Answer {
                response: SkillResponse::speak("Sorry, your account is not allowed to do that."),
                denied: Some(needed.as_str().to_string()),
            };
        }
    }
    let response = match intent {
        None | Some("HelloWorldIntent") => match first_name(&user.name) {
            "" => SkillResponse::speak("Hello!"),
            first => SkillResponse::speak(format!("Hello, {first}.")),
        },
        Some("WhatCanIDoIntent") => SkillResponse::speak(list_permissions(&user.permissions)),
        Some("AMAZON.HelpIntent") => SkillResponse::speak(HELP).reprompt(REPROMPT),
        Some("AMAZON.FallbackIntent") => {
            SkillResponse::speak(format!("Sorry, I didn't get that. {HELP}")).reprompt(REPROMPT)
        }
        Some(i) if required.contains_key(i) => SkillResponse::speak("OK, your account is allowed to do that."),
        Some(_) => SkillResponse::speak(format!("Sorry, I can't help with that. {HELP}")).reprompt(REPROMPT),
    };
    response.into()
}

/// "Your account has the permissions a, b and c."
fn list_permissions(permissions: &[String]) -> String {
    match permissions {
        [] => "Your account has no permissions yet.".to_string(),
        [one] => format!("Your account has the permission {one}."),
        [init @ .., last] => format!("Your account has the permissions {} and {last}.", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, permissions: &[&str]) -> ResolvedToken {
        ResolvedToken {
            grant_id: "g".into(),
            client_id: "c".into(),
            user_id: "u".into(),
            email: "e".into(),
            name: name.into(),
            scope: "profile".into(),
            issued_at: 0,
            permissions: permissions.iter().map(|p| p.to_string()).collect(),
            alexa_user_id: None,
            expires_at: i64::MAX,
        }
    }

    fn speech(a: &Answer) -> String {
        serde_json::to_value(&a.response).unwrap()["response"]["outputSpeech"]["text"].as_str().unwrap().to_string()
    }

    #[test]
    fn permissions_are_listed_as_a_sentence() {
        assert_eq!(list_permissions(&[]), "Your account has no permissions yet.");
        assert_eq!(list_permissions(&["a".into()]), "Your account has the permission a.");
        assert_eq!(
            list_permissions(&["a".into(), "b".into(), "c".into()]),
            "Your account has the permissions a, b and c."
        );
    }

    #[test]
    fn greeting_uses_the_first_name_or_none() {
        let none = BTreeMap::new();
        assert_eq!(speech(&answer(None, &user("Ada Lovelace", &[]), &none)), "Hello, Ada.");
        assert_eq!(speech(&answer(Some("HelloWorldIntent"), &user("", &[]), &none)), "Hello!");
    }

    #[test]
    fn mapped_intents_need_their_permission() {
        let table = BTreeMap::from([("OrderTaxiIntent".to_string(), Permission::parse("rides:order").unwrap())]);
        let refused = answer(Some("OrderTaxiIntent"), &user("Ada", &["other"]), &table);
        assert_eq!(refused.denied.as_deref(), Some("rides:order"));
        assert!(speech(&refused).contains("not allowed"));
        let allowed = answer(Some("OrderTaxiIntent"), &user("Ada", &["rides:order"]), &table);
        assert!(allowed.denied.is_none());
        assert!(!speech(&allowed).contains("not allowed"));
    }
}
