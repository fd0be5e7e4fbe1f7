//! `POST /alexa`: the companion skill endpoint. Resolves the account-linking
//! token in the envelope to the local user and answers in Alexa's JSON.

use actix_web::{web, HttpResponse};

use super::AppState;
use crate::alexa::{first_name, Envelope, SkillResponse};

pub async fn skill(state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    let now = crate::clock::now();
    if state.auth.settings.alexa_verify_signature {
        // Signature verification is not built yet; accepting unverified
        // requests would let anyone impersonate Alexa, so refuse them.
        tracing::warn!("refusing /alexa request: signature verification is on but not available in this build");
        return bad_request("request signature could not be verified");
    }
    let envelope = match Envelope::parse(&body) {
        Ok(e) => e,
        Err(e) => return bad_request(&e.to_string()),
    };
    let kind = envelope.request.kind.as_str();
    if kind == "SessionEndedRequest" || kind.starts_with("AlexaSkillEvent.") {
        return HttpResponse::Ok().json(SkillResponse::empty());
    }
    if !matches!(kind, "LaunchRequest" | "IntentRequest") {
        return bad_request(&format!("unsupported request type {kind:?}"));
    }
    let resolved = match envelope.access_token() {
        None => None,
        Some(token) => match state.auth.resolve_access(token, now).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "skill request failed on the database");
                return HttpResponse::Ok()
                    .json(SkillResponse::speak("Sorry, I can't reach your account right now. Please try again soon."));
            }
        },
    };
    let Some(user) = resolved else {
        return HttpResponse::Ok().json(
            SkillResponse::speak(
                "Please link your account in the Alexa app to use this skill. I've sent a card to help.",
            )
            .link_account_card(),
        );
    };
    let response = match envelope.intent_name() {
        None | Some("HelloWorldIntent") => {
            let first = first_name(&user.name);
            if first.is_empty() {
                SkillResponse::speak("Hello!")
            } else {
                SkillResponse::speak(format!("Hello, {first}."))
            }
        }
        Some("AMAZON.HelpIntent") => SkillResponse::speak("You can say hello.").reprompt("What would you like to do?"),
        Some("AMAZON.StopIntent" | "AMAZON.CancelIntent") => SkillResponse::speak("Goodbye."),
        Some(_) => SkillResponse::speak("Sorry, I don't know that one."),
    };
    HttpResponse::Ok().json(response)
}

fn bad_request(reason: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(serde_json::json!({ "error": "bad_request", "message": reason }))
}
