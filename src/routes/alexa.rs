//! `POST /alexa`: the companion skill endpoint. Proves the request comes from
//! Alexa, resolves the account-linking token to the local user and answers
//! in Alexa's JSON. Every refusal is a 400 with a short reason, never a 500.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use crate::alexa::{check_application, dialogue, events, timestamp, Envelope, Request, SkillResponse};
use crate::domain::TokenHash;
use crate::i18n::Lang;
use crate::store::{AuditEvent, ResolvedToken};
use crate::web::AppState;

/// Alexa requests are a few KB; larger bodies get 413 before any parsing.
pub const MAX_BODY: usize = 64 * 1024;

pub fn resource() -> actix_web::Resource {
    let endpoint = super::endpoints::at("/alexa", actix_web::http::Method::POST, skill);
    let mut resources = super::endpoints::resources(vec![endpoint]);
    resources.remove(0).app_data(web::PayloadConfig::new(MAX_BODY))
}

async fn skill(req: HttpRequest, state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    let now = state.auth.clock.now();
    let settings = &state.auth.settings;
    if let Some(verifier) = &state.alexa_verifier {
        let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
        if let Err(e) = verifier.verify(header("SignatureCertChainUrl"), header("Signature-256"), &body, now).await {
            return refuse(&e.0);
        }
    }
    let envelope = match Envelope::parse(&body) {
        Ok(e) => e,
        Err(e) => return refuse(&e.to_string()),
    };
    if state.alexa_verifier.is_some() {
        // Signed bodies can still be replayed; their age is what stops that.
        if let Err(reason) = timestamp::check(envelope.request.timestamp(), envelope.request.is_event(), now) {
            return refuse(reason);
        }
    }
    if let Err(reason) = check_application(&envelope, &settings.alexa_application_ids) {
        return refuse(reason);
    }

    if envelope.request.is_event() {
        return match events::record(&state.auth, &envelope, None, now).await {
            Ok(()) => HttpResponse::Ok().json(SkillResponse::empty()),
            Err(e) => unavailable(&e),
        };
    }
    if matches!(envelope.request, Request::SessionEndedRequest(_)) {
        return HttpResponse::Ok().json(SkillResponse::empty());
    }
    let intent = envelope.intent_name();
    let lang = Lang::from_alexa_locale(envelope.locale().unwrap_or(""));
    if let Some(response) = dialogue::without_account(intent, lang) {
        return HttpResponse::Ok().json(response);
    }
    let user = match envelope.access_token() {
        None => None,
        Some(token) => match state.auth.resolve_access(token, now).await {
            Ok(r) => r,
            Err(crate::store::StoreError::InvalidValue(_)) => None,
            Err(e) => {
                tracing::warn!(error = %e, "skill request failed on the database");
                return HttpResponse::Ok().json(dialogue::unavailable(lang));
            }
        },
    };
    let Some(user) = user else { return HttpResponse::Ok().json(dialogue::please_link(lang)) };
    remember_alexa_user(&state, &envelope, &user, envelope.access_token().unwrap_or_default()).await;
    let answer = dialogue::answer(intent, &user, &settings.alexa_intent_permissions, lang);
    if let Some(permission) = &answer.denied {
        let intent = intent.unwrap_or("");
        tracing::warn!(user_id = %user.user_id, intent, permission = %permission, "alexa intent refused: permission missing");
        let detail = json!({ "intent": intent, "permission": permission, "alexa_user_id": envelope.alexa_user_id() });
        let event = AuditEvent { actor: "alexa", action: "alexa.intent_denied", target: &user.user_id, detail };
        if let Err(e) = state.auth.store.audit(event, now).await {
            tracing::warn!(error = %e, "auditing a refused alexa intent failed");
        }
    }
    HttpResponse::Ok().json(answer.response)
}

/// Stores the Alexa user id on the link the first time (or when it changes),
/// so admins can see which Alexa account a link belongs to. Best effort: the
/// user still gets their answer if this write fails.
/// The cached resolution learns the id too, or every cache hit would try
/// the write again.
async fn remember_alexa_user(state: &AppState, envelope: &Envelope, user: &ResolvedToken, token: &str) {
    let Some(alexa_user) = envelope.alexa_user_id() else { return };
    if user.alexa_user_id.as_deref() == Some(alexa_user) {
        return;
    }
    match state.auth.store.record_alexa_user(&user.grant_id, alexa_user).await {
        Ok(_) => state
            .auth
            .access_cache
            .update(&TokenHash::of(token), |r| std::sync::Arc::make_mut(r).alexa_user_id = Some(alexa_user.into())),
        Err(e) => tracing::warn!(error = %e, "recording the alexa user id failed"),
    }
}

fn refuse(reason: &str) -> HttpResponse {
    tracing::warn!(reason, "refusing /alexa request");
    HttpResponse::BadRequest().json(json!({ "error": "bad_request", "message": reason }))
}

fn unavailable(e: &crate::store::StoreError) -> HttpResponse {
    if matches!(e, crate::store::StoreError::InvalidValue(_)) {
        return refuse("the request holds characters that are not allowed");
    }
    tracing::warn!(error = %e, "alexa skill event failed on the database");
    HttpResponse::ServiceUnavailable()
        .insert_header(("Retry-After", "5"))
        .json(json!({ "error": "temporarily_unavailable", "message": "retry later" }))
}
