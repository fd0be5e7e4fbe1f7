//! Smart Home skills, free of HTTP types: AcceptGrant (keep the Amazon grant
//! a user gives after linking, `accept_grant`), events sent for the vendor
//! (fill in a fresh Amazon access token, post to the user's regional
//! gateway and map Amazon's answer, `send_event`), and the Amazon token
//! each event needs (`amazon_token`). See docs/smart-home.md.

mod accept_grant;
mod amazon_token;
mod send_event;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::amazon::AmazonApi;
use crate::metrics::Metrics;
use crate::oauth::AuthServer;
use crate::settings::LwaRegion;
use crate::store::{AuditEvent, StoreError};

/// Why an AcceptGrant failed; the message tells the developer what to fix
/// (Alexa shows the user a failed linking).
#[derive(Debug)]
pub enum AcceptGrantError {
    Failed(String),
    Store(StoreError),
}

impl From<StoreError> for AcceptGrantError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// What `/alexa/events` answers.
#[derive(Debug)]
pub enum EventOutcome {
    /// Amazon accepted it (202).
    Accepted,
    /// No live link with an AcceptGrant for this user and client.
    NoGrant,
    /// Amazon said the skill is disabled or the grant is gone; it was dropped.
    Dropped { amazon_status: u16, reason: String },
    /// Amazon refused the event itself (400): the vendor's mistake.
    Refused { amazon_status: u16, message: String },
    /// Amazon faults, throttling and time-outs: retry later.
    Unavailable { amazon_status: Option<u16>, reason: String },
}

pub struct SmartHome {
    amazon: AmazonApi,
    default_region: LwaRegion,
    /// Counts events and Amazon refreshes by outcome.
    metrics: Metrics,
    /// One lock per grant being refreshed on this instance.
    refreshing: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Grants whose refresh failed (not refused) recently, until when.
    failed: Mutex<HashMap<String, i64>>,
}

/// Audits a grant dropped because Amazon ended it.
async fn audit_drop(auth: &AuthServer, grant_id: &str, reason: &str, now: i64) -> Result<(), StoreError> {
    // Nothing cached here may send another event with it.
    auth.event_cache.clear();
    let event = AuditEvent {
        actor: "alexa",
        action: "alexa.grant_dropped",
        target: grant_id,
        detail: json!({ "reason": reason }),
    };
    auth.store.audit(event, now).await
}

fn message_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `AcceptGrant.Response`, as the Lambda must return it.
pub fn accept_grant_response() -> Value {
    json!({ "event": { "header": {
        "namespace": "Alexa.Authorization", "name": "AcceptGrant.Response",
        "messageId": message_id(), "payloadVersion": "3" }, "payload": {} } })
}

/// `ErrorResponse` with type `ACCEPT_GRANT_FAILED`.
pub fn accept_grant_failed(message: &str) -> Value {
    json!({ "event": { "header": {
        "namespace": "Alexa.Authorization", "name": "ErrorResponse",
        "messageId": message_id(), "payloadVersion": "3" },
        "payload": { "type": "ACCEPT_GRANT_FAILED", "message": message } } })
}

impl SmartHome {
    pub fn new(amazon: AmazonApi, default_region: LwaRegion, metrics: Metrics) -> Self {
        Self { amazon, default_region, metrics, refreshing: Mutex::default(), failed: Mutex::default() }
    }

    pub fn default_region(&self) -> LwaRegion {
        self.default_region
    }
}
