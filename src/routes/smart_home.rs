//! `POST /alexa/smart-home` (the Smart Home Lambda's relay) and
//! `POST /alexa/events` (events the vendor sends for a user). Both are
//! authenticated with the skill's OAuth client id and secret (HTTP Basic),
//! like the token endpoint; the work is in `alexa::smart_home`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::limits;
use super::token::error_response;
use crate::alexa::event_message::EventMessage;
use crate::alexa::smart_home::{accept_grant_failed, accept_grant_response, AcceptGrantError, EventOutcome};
use crate::alexa::{events, Envelope};
use crate::oauth::client_auth::ClientCredentials;
use crate::settings::LwaRegion;
use crate::store::{ClientRow, StoreError};
use crate::web::AppState;

// Bodies are bounded by the app-wide 64 KB payload limit (`startup`):
// directives and events are a few KB.

/// The caller's client, from HTTP Basic (the body is JSON, so never form
/// credentials), under the token endpoint's abuse limits: per caller IP
/// before authentication (secret guessing), per client after it.
async fn client(req: &HttpRequest, state: &AppState) -> Result<ClientRow, HttpResponse> {
    if let Some(r) = limits::over_json(&state.limits.token_per_ip, &state.caller_key(req), "smart home per ip") {
        return Err(r);
    }
    let authorization = req.headers().get("Authorization").and_then(|v| v.to_str().ok());
    let creds = ClientCredentials::extract(authorization, None, None).map_err(|e| error_response(&e.error, true))?;
    let client = state.auth.authenticate_client(&creds).await.map_err(|e| error_response(&e, true))?;
    if let Some(r) = limits::over_json(&state.limits.token_per_client, &client.id, "smart home per client") {
        return Err(r);
    }
    Ok(client)
}

fn bad_request(message: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({ "error": "invalid_request", "message": message }))
}

fn unavailable(e: &StoreError) -> HttpResponse {
    tracing::warn!(error = %e, "smart home request failed on the database");
    HttpResponse::ServiceUnavailable()
        .insert_header(("Retry-After", "5"))
        .json(json!({ "error": "temporarily_unavailable", "message": "retry later" }))
}

#[derive(Deserialize)]
pub struct RegionQuery {
    region: Option<String>,
}

pub async fn relay(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<RegionQuery>,
    body: web::Bytes,
) -> HttpResponse {
    let now = state.auth.clock.now();
    let client = match client(&req, &state).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let region = match query.region.as_deref() {
        None => state.smart_home.default_region(),
        Some(raw) => match LwaRegion::parse(raw) {
            Some(r) => r,
            None => return bad_request("region is na, eu or fe"),
        },
    };
    let Ok(value) = serde_json::from_slice::<Value>(&body) else {
        return bad_request("the body is not JSON: send the Lambda's event as it came");
    };
    let header = &value["directive"]["header"];
    if header["namespace"] == "Alexa.Authorization" && header["name"] == "AcceptGrant" {
        let payload = &value["directive"]["payload"];
        let code = payload["grant"]["code"].as_str().unwrap_or("");
        let token = payload["grantee"]["token"].as_str().unwrap_or("");
        let outcome = state.smart_home.accept_grant(&state.auth, &client, code, token, region, now).await;
        return match outcome {
            Ok(()) => HttpResponse::Ok().json(accept_grant_response()),
            Err(AcceptGrantError::Failed(message)) => {
                tracing::warn!(client_id = %client.id, reason = %message, "AcceptGrant failed");
                HttpResponse::Ok().json(accept_grant_failed(&message))
            }
            Err(AcceptGrantError::Store(e @ StoreError::Sealed(_))) => {
                tracing::error!(error = %e, "AcceptGrant: a secret linkbroker keeps does not open");
                HttpResponse::Ok().json(accept_grant_failed(
                    "linkbroker cannot open a secret it keeps (its log says which); ask its operator",
                ))
            }
            Err(AcceptGrantError::Store(e)) => {
                tracing::warn!(error = %e, "AcceptGrant failed on the database");
                HttpResponse::Ok().json(accept_grant_failed("linkbroker could not reach its database; try again"))
            }
        };
    }
    let envelope = match Envelope::parse(&body) {
        Ok(e) if e.request.is_event() => e,
        _ => {
            return bad_request(
                "only Alexa.Authorization AcceptGrant directives and AlexaSkillEvent.* events are relayed here; \
                 handle other directives in the Lambda",
            )
        }
    };
    match events::record(&state.auth, &envelope, Some(&client.id), now).await {
        Ok(()) => HttpResponse::Ok().json(crate::alexa::SkillResponse::empty()),
        Err(StoreError::InvalidValue(_)) => bad_request("the event holds characters that are not allowed"),
        Err(e) => unavailable(&e),
    }
}

/// The request as sent; `event` and `context` stay raw JSON text
/// (`EventMessage` reads only what it needs).
#[derive(Deserialize)]
pub struct EventRequest {
    user: String,
    event: Box<serde_json::value::RawValue>,
    #[serde(default)]
    context: Option<Box<serde_json::value::RawValue>>,
}

pub async fn send(req: HttpRequest, state: web::Data<AppState>, body: web::Bytes) -> HttpResponse {
    let now = state.auth.clock.now();
    let client = match client(&req, &state).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let request: EventRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bad_request(&format!("expected {{\"user\", \"event\", \"context\"}}: {e}")),
    };
    if request.user.is_empty() || request.user.len() > 320 {
        return bad_request("user is the user's email or id");
    }
    let message = match EventMessage::parse(&request.event, request.context) {
        Ok(m) => m,
        Err(why) => return bad_request(&why),
    };
    let outcome = state.smart_home.send_event(&state.auth, &client, &request.user, &message, now).await;
    match outcome {
        Ok(EventOutcome::Accepted) => HttpResponse::Accepted().json(json!({ "status": 202 })),
        Ok(EventOutcome::NoGrant) => HttpResponse::NotFound().json(json!({
            "error": "no_event_grant",
            "message": "this user has no live link with an accepted Alexa grant for this client",
        })),
        Ok(EventOutcome::Dropped { amazon_status, reason }) => HttpResponse::Gone().json(json!({
            "status": amazon_status, "error": "grant_dropped",
            "message": format!("Amazon ended the grant ({reason}); the user must enable the skill and link again"),
        })),
        Ok(EventOutcome::Refused { amazon_status, message }) => {
            HttpResponse::build(StatusCode::BAD_REQUEST).json(json!({ "status": amazon_status, "message": message }))
        }
        Ok(EventOutcome::Unavailable { amazon_status, reason }) => {
            tracing::warn!(reason = %reason, "an Alexa event could not be delivered");
            HttpResponse::ServiceUnavailable()
                .insert_header(("Retry-After", "5"))
                .json(json!({ "status": amazon_status, "error": "temporarily_unavailable", "message": reason }))
        }
        Err(StoreError::InvalidValue(_)) => bad_request("the request holds characters that are not allowed"),
        Err(e) => unavailable(&e),
    }
}
