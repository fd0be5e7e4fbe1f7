//! What the skill says, as a pure function of the request, the resolved user,
//! the intent → permission table and the device's language. No I/O: the
//! route logs and audits. The words are in `locales/` (`speech-*`).

use std::collections::BTreeMap;

use super::{first_name, SkillResponse};
use crate::domain::Permission;
use crate::i18n::{text, Lang};
use crate::store::ResolvedToken;

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

fn say(lang: Lang, id: &str) -> SkillResponse {
    SkillResponse::speak(text(lang, id, &[]))
}

/// Speech that invites an answer ("What would you like to do?").
fn ask(lang: Lang, id: &str) -> SkillResponse {
    say(lang, id).reprompt(text(lang, "speech-reprompt", &[]))
}

/// Intents answered without looking at the account (ending a session must
/// work even when the link is gone).
pub fn without_account(intent: Option<&str>, lang: Lang) -> Option<SkillResponse> {
    match intent {
        Some("AMAZON.StopIntent" | "AMAZON.CancelIntent") => Some(say(lang, "speech-goodbye")),
        _ => None,
    }
}

/// No token, or one that no longer resolves.
pub fn please_link(lang: Lang) -> SkillResponse {
    say(lang, "speech-link").link_account_card()
}

/// The account could not be read (the database is down): try again later.
pub fn unavailable(lang: Lang) -> SkillResponse {
    say(lang, "speech-unavailable")
}

/// A `LaunchRequest` (`intent` is `None`) or an `IntentRequest` of a linked user.
pub fn answer(
    intent: Option<&str>,
    user: &ResolvedToken,
    required: &BTreeMap<String, Permission>,
    lang: Lang,
) -> Answer {
    if let Some(needed) = intent.and_then(|i| required.get(i)) {
        if !user.permissions.iter().any(|p| p == needed.as_str()) {
            return Answer { response: say(lang, "speech-not-allowed"), denied: Some(needed.as_str().to_string()) };
        }
    }
    let response = match intent {
        None | Some("HelloWorldIntent") => match first_name(&user.name) {
            "" => say(lang, "speech-hello-anonymous"),
            first => SkillResponse::speak(text(lang, "speech-hello", &[("name", first.into())])),
        },
        Some("WhatCanIDoIntent") => SkillResponse::speak(list_permissions(lang, &user.permissions)),
        Some("AMAZON.HelpIntent") => ask(lang, "speech-help"),
        Some("AMAZON.FallbackIntent") => ask(lang, "speech-didnt-get"),
        Some(i) if required.contains_key(i) => say(lang, "speech-allowed"),
        Some(_) => ask(lang, "speech-cannot-help"),
    };
    response.into()
}

/// "Your account has the permissions a, b and c."
fn list_permissions(lang: Lang, permissions: &[String]) -> String {
    let list = match permissions {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => {
            let init = init.join(&text(lang, "list-separator", &[]));
            text(lang, "list-last", &[("init", init.as_str().into()), ("last", last.as_str().into())])
        }
    };
    text(lang, "speech-permissions", &[("count", permissions.len().into()), ("list", list.as_str().into())])
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

    fn perms(names: &[&str]) -> Vec<String> {
        names.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn permissions_are_listed_as_a_sentence() {
        let en = Lang::En;
        assert_eq!(list_permissions(en, &[]), "Your account has no permissions yet.");
        assert_eq!(list_permissions(en, &perms(&["a"])), "Your account has the permission a.");
        assert_eq!(list_permissions(en, &perms(&["a", "b", "c"])), "Your account has the permissions a, b and c.");
        let ja = list_permissions(Lang::Ja, &perms(&["a", "b", "c"]));
        assert!(ja.contains("a、b"), "{ja}");
        let de = list_permissions(Lang::De, &perms(&["a", "b"]));
        assert!(de.contains("a und b"), "{de}");
    }

    #[test]
    fn greeting_uses_the_first_name_or_none() {
        let none = BTreeMap::new();
        assert_eq!(speech(&answer(None, &user("Ada Lovelace", &[]), &none, Lang::En)), "Hello, Ada.");
        assert_eq!(speech(&answer(Some("HelloWorldIntent"), &user("", &[]), &none, Lang::En)), "Hello!");
        let de = speech(&answer(None, &user("Ada Lovelace", &[]), &none, Lang::De));
        assert!(de.contains("Ada") && de != "Hello, Ada.", "{de}");
    }

    #[test]
    fn mapped_intents_need_their_permission() {
        let table = BTreeMap::from([("OrderTaxiIntent".to_string(), Permission::parse("rides:order").unwrap())]);
        let refused = answer(Some("OrderTaxiIntent"), &user("Ada", &["other"]), &table, Lang::En);
        assert_eq!(refused.denied.as_deref(), Some("rides:order"));
        assert!(speech(&refused).contains("not allowed"));
        let allowed = answer(Some("OrderTaxiIntent"), &user("Ada", &["rides:order"]), &table, Lang::En);
        assert!(allowed.denied.is_none());
        assert!(!speech(&allowed).contains("not allowed"));
    }
}
