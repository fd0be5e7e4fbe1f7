//! Smart Home skills, free of HTTP types: AcceptGrant (keep the Amazon grant
//! a user gives after linking) and events sent for the vendor (fill in a
//! fresh Amazon access token, post to the user's regional gateway, and map
//! Amazon's answer). See docs/smart-home.md.
//!
//! Amazon access tokens live in the grant's row (sealed) until shortly
//! before they expire, so every instance uses the same one. A refresh runs
//! at most once per grant at a time on an instance (a per-grant lock), and
//! across instances the new tokens are stored only if the row still holds
//! the refresh token they came from; the loser reads the winner's tokens,
//! so no refresh token is ever overwritten by an older one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::amazon::{AmazonApi, AmazonError, AmazonTokenResponse};
use crate::domain::TokenHash;
use crate::metrics::Metrics;
use crate::oauth::AuthServer;
use crate::settings::LwaRegion;
use crate::store::{AlexaGrant, AmazonTokens, AuditEvent, ClientRow, EventCredentials, StoreError};

/// An access token this close to its expiry is refreshed before use.
const EXPIRY_MARGIN: i64 = 60;
/// How precisely a grant's "last event" time is kept (seconds).
const LAST_EVENT_GRANULARITY: i64 = 60;

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
    /// The event itself is malformed (before anything reaches Amazon).
    Invalid(String),
}

/// `event` with the Amazon token filled in: `endpoint.scope`, or
/// `payload.scope` for events without an endpoint (AddOrUpdateReport,
/// DeleteReport). `None` when that place is not an object.
fn with_scope(event: &Value, token: &str) -> Option<Value> {
    let mut event = event.clone();
    let scope = json!({ "type": "BearerToken", "token": token });
    let place = if event.get("endpoint").is_some() { "endpoint" } else { "payload" };
    match event.get_mut(place) {
        Some(Value::Object(map)) => {
            map.insert("scope".into(), scope);
        }
        None => {
            event.as_object_mut()?.insert(place.into(), json!({ "scope": scope }));
        }
        Some(_) => return None,
    }
    Some(event)
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

/// After a failed refresh, events of that grant answer 503 for this long.
const FAILED_REFRESH_PAUSE: i64 = 5;

/// Drops `grant` as it was read (a grant a new AcceptGrant replaced since is
/// left alone) and audits it once.
async fn drop_grant(auth: &AuthServer, grant: &AlexaGrant, reason: &str, now: i64) -> Result<(), StoreError> {
    if auth.store.drop_alexa_grant(&grant.grant_id, &grant.code_hash, reason, now).await? {
        let event = AuditEvent {
            actor: "alexa",
            action: "alexa.grant_dropped",
            target: &grant.grant_id,
            detail: json!({ "reason": reason }),
        };
        auth.store.audit(event, now).await?;
    }
    Ok(())
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

fn failed(message: impl Into<String>) -> AcceptGrantError {
    AcceptGrantError::Failed(message.into())
}

impl SmartHome {
    pub fn new(amazon: AmazonApi, default_region: LwaRegion, metrics: Metrics) -> Self {
        Self { amazon, default_region, metrics, refreshing: Mutex::default(), failed: Mutex::default() }
    }

    pub fn default_region(&self) -> LwaRegion {
        self.default_region
    }

    /// Exchanges the grant code for Amazon tokens and keeps them with the
    /// link the grantee token names, which must be `client`'s. A retry with
    /// the same code is answered from what the first one stored.
    pub async fn accept_grant(
        &self,
        auth: &AuthServer,
        client: &ClientRow,
        code: &str,
        grantee_token: &str,
        region: LwaRegion,
        now: i64,
    ) -> Result<(), AcceptGrantError> {
        if code.is_empty() || code.len() > 2048 {
            return Err(failed("the directive carries no grant code (payload.grant.code)"));
        }
        let link = auth.resolve_access(grantee_token, now).await.map_err(|e| match e {
            StoreError::InvalidValue(_) => failed("the grantee token is not an access token of this server"),
            other => AcceptGrantError::Store(other),
        })?;
        let Some(link) = link else {
            return Err(failed(
                "the grantee token (payload.grantee.token) is not a live access token of this server: link the account again",
            ));
        };
        if link.client_id != client.id {
            return Err(failed("the grantee token belongs to another client than the one calling"));
        }
        let code_hash = TokenHash::of(code);
        if let Some(existing) = auth.store.alexa_grant(&link.grant_id).await? {
            if existing.code_hash == code_hash.as_str() && existing.dropped_at.is_none() {
                return Ok(());
            }
        }
        let creds = auth.store.alexa_event_credentials(&client.id).await?.ok_or_else(|| {
            failed(format!(
                "client {} has no \"Send Alexa Events\" credentials: run `linkbroker client alexa-events {} \
                 --alexa-client-id ID --alexa-client-secret-stdin` with the ones from the Alexa developer console \
                 (Build > Permissions)",
                client.id, client.id
            ))
        })?;
        let tokens = self.amazon.exchange_code(&creds, code).await.map_err(|e| match e {
            AmazonError::Refused { error, description } => failed(format!(
                "Amazon refused the grant code ({error}: {description}); check the \"Send Alexa Events\" client id \
                 and secret, and that the code was not used before"
            )),
            AmazonError::Timeout => {
                failed(format!("Amazon's token endpoint did not answer within {} s", self.amazon.timeout().as_secs()))
            }
            AmazonError::Failed(why) => failed(format!("Amazon's token endpoint could not be reached: {why}")),
        })?;
        let stored = AmazonTokens {
            refresh_token: &tokens.refresh_token,
            access_token: &tokens.access_token,
            access_expires_at: now + tokens.expires_in,
        };
        if !auth.store.save_alexa_grant(&link.grant_id, region.as_str(), code_hash.as_str(), &stored, now).await? {
            return Err(failed("the link was revoked while the grant was accepted: link the account again"));
        }
        let detail = json!({ "client_id": client.id, "region": region.as_str() });
        let event = AuditEvent { actor: "alexa", action: "alexa.grant_accepted", target: &link.grant_id, detail };
        auth.store.audit(event, now).await?;
        Ok(())
    }

    /// Sends `event` (and `context`) for `user` (an email or user id) to
    /// Alexa with a fresh Amazon token.
    pub async fn send_event(
        &self,
        auth: &AuthServer,
        client: &ClientRow,
        user: &str,
        event: &Value,
        context: Option<&Value>,
        now: i64,
    ) -> Result<EventOutcome, StoreError> {
        let (user, by_email) = match crate::domain::Email::parse(user) {
            Ok(email) => (email.to_string(), true),
            Err(_) => (user.to_string(), false),
        };
        let mut grant = None;
        for link in auth.store.live_links_of_user_for_client(&user, by_email, &client.id).await? {
            if let Some(g) = auth.store.alexa_grant(&link).await?.filter(|g| g.dropped_at.is_none()) {
                grant = Some(g);
                break;
            }
        }
        let Some(grant) = grant else {
            self.metrics.observe_alexa_event("no_grant");
            return Ok(EventOutcome::NoGrant);
        };
        let Some(creds) = auth.store.alexa_event_credentials(&client.id).await? else {
            self.metrics.observe_alexa_event("no_grant");
            return Ok(EventOutcome::NoGrant);
        };
        let region = LwaRegion::parse(&grant.region).unwrap_or(self.default_region);
        let mut rejected: Option<String> = None;
        loop {
            let token = match self.access_token(auth, &grant, &creds, rejected.as_deref(), now).await? {
                Ok(t) => t,
                Err(outcome) => return self.finish(auth, &grant, outcome, now).await,
            };
            let Some(event) = with_scope(event, &token) else {
                let message = "event.endpoint (or, for AddOrUpdateReport and DeleteReport, event.payload) must be \
                               an object";
                return Ok(EventOutcome::Invalid(message.into()));
            };
            let mut body = json!({ "event": event });
            if let Some(c) = context {
                body["context"] = c.clone();
            }
            let answer = match self.amazon.post_event(region, &body).await {
                Ok(a) => a,
                Err(e) => {
                    let outcome = EventOutcome::Unavailable { amazon_status: None, reason: e.to_string() };
                    return self.finish(auth, &grant, outcome, now).await;
                }
            };
            let code = answer.body["payload"]["code"].as_str().unwrap_or("").to_string();
            let description = answer.body["payload"]["description"].as_str().unwrap_or("").to_string();
            let outcome = match answer.status {
                200..=299 => EventOutcome::Accepted,
                // An expired or revoked token: one refresh, one retry.
                401 if rejected.is_none() => {
                    rejected = Some(token);
                    continue;
                }
                403 if matches!(code.as_str(), "SKILL_DISABLED_EXCEPTION" | "INSUFFICIENT_PERMISSION_EXCEPTION") => {
                    EventOutcome::Dropped { amazon_status: 403, reason: code }
                }
                // A token Amazon itself just issued, refused again: Amazon's
                // side, not the event's.
                401 => EventOutcome::Unavailable {
                    amazon_status: Some(401),
                    reason: "the event gateway refused a freshly refreshed token".into(),
                },
                429 | 500..=599 => EventOutcome::Unavailable {
                    amazon_status: Some(answer.status),
                    reason: format!("the event gateway answered {}", answer.status),
                },
                status => EventOutcome::Refused {
                    amazon_status: status,
                    message: if description.is_empty() { code } else { format!("{code}: {description}") },
                },
            };
            return self.finish(auth, &grant, outcome, now).await;
        }
    }

    /// Records what came of an event (and drops the grant when Amazon said so).
    async fn finish(
        &self,
        auth: &AuthServer,
        grant: &AlexaGrant,
        outcome: EventOutcome,
        now: i64,
    ) -> Result<EventOutcome, StoreError> {
        let grant_id = grant.grant_id.as_str();
        let label = match &outcome {
            EventOutcome::Accepted => {
                // To the minute: a write per event would make the status
                // cost more than the event.
                if grant.last_event_at.is_none_or(|at| at <= now - LAST_EVENT_GRANULARITY) {
                    auth.store.touch_alexa_event(grant_id, now).await?;
                }
                "accepted"
            }
            EventOutcome::NoGrant => "no_grant",
            EventOutcome::Dropped { reason, .. } => {
                drop_grant(auth, grant, reason, now).await?;
                "dropped"
            }
            EventOutcome::Refused { .. } | EventOutcome::Invalid(_) => "refused",
            EventOutcome::Unavailable { .. } => "unavailable",
        };
        self.metrics.observe_alexa_event(label);
        Ok(outcome)
    }

    /// Whether a refresh of this grant failed moments ago (waiters then
    /// answer 503 at once instead of queueing one time-out each).
    fn recently_failed(&self, grant_id: &str, now: i64) -> bool {
        let failed = self.failed.lock().unwrap_or_else(|p| p.into_inner());
        failed.get(grant_id).is_some_and(|&until| until > now)
    }

    fn refresh_failed(&self, grant_id: &str, now: i64) {
        let mut failed = self.failed.lock().unwrap_or_else(|p| p.into_inner());
        failed.retain(|_, until| *until > now);
        failed.insert(grant_id.to_string(), now + FAILED_REFRESH_PAUSE);
    }

    fn lock_for(&self, grant_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.refreshing.lock().unwrap_or_else(|p| p.into_inner());
        // Locks nobody holds or waits for are dropped as the map grows.
        if map.len() > 1024 {
            map.retain(|_, l| Arc::strong_count(l) > 1);
        }
        map.entry(grant_id.to_string()).or_default().clone()
    }

    /// A usable Amazon access token for `grant`: the stored one while fresh
    /// (and not the one the gateway just `rejected`), else one refresh (at
    /// most one per grant at a time here; across instances the
    /// compare-and-swap decides).
    async fn access_token(
        &self,
        auth: &AuthServer,
        grant: &AlexaGrant,
        creds: &EventCredentials,
        rejected: Option<&str>,
        now: i64,
    ) -> Result<Result<String, EventOutcome>, StoreError> {
        let fresh = |g: &AlexaGrant| {
            g.access_token.clone().filter(|t| {
                g.access_expires_at.is_some_and(|at| at > now + EXPIRY_MARGIN) && Some(t.as_str()) != rejected
            })
        };
        if let Some(t) = fresh(grant) {
            return Ok(Ok(t));
        }
        if self.recently_failed(&grant.grant_id, now) {
            let reason = "a refresh of this grant's Amazon token failed moments ago".to_string();
            return Ok(Err(EventOutcome::Unavailable { amazon_status: None, reason }));
        }
        let lock = self.lock_for(&grant.grant_id);
        let _held = lock.lock().await;
        if self.recently_failed(&grant.grant_id, now) {
            let reason = "a refresh of this grant's Amazon token failed moments ago".to_string();
            return Ok(Err(EventOutcome::Unavailable { amazon_status: None, reason }));
        }
        // Another request may have refreshed while this one waited.
        let Some(current) = auth.store.alexa_grant(&grant.grant_id).await?.filter(|g| g.dropped_at.is_none()) else {
            return Ok(Err(EventOutcome::NoGrant));
        };
        if let Some(t) = fresh(&current) {
            return Ok(Ok(t));
        }
        let (Some(refresh), Some(stored)) = (&current.refresh_token, &current.refresh_stored) else {
            return Ok(Err(EventOutcome::NoGrant));
        };
        let tokens: AmazonTokenResponse = match self.amazon.refresh(creds, refresh).await {
            Ok(t) => t,
            Err(AmazonError::Refused { error, .. }) if error == "invalid_grant" => {
                self.metrics.observe_amazon_refresh("invalid_grant");
                let reason = "amazon_invalid_grant".to_string();
                // Dropped while the lock is held: waiters then see it gone
                // instead of presenting the dead token again.
                drop_grant(auth, &current, &reason, now).await?;
                return Ok(Err(EventOutcome::Dropped { amazon_status: 400, reason }));
            }
            Err(AmazonError::Refused { error, description }) => {
                // invalid_client, unauthorized_client: the vendor's
                // credentials, which no retry fixes.
                self.metrics.observe_amazon_refresh("failed");
                let message = format!(
                    "Amazon refused this client's \"Send Alexa Events\" credentials ({error}: {description}); store \
                     the right ones with `linkbroker client alexa-events`"
                );
                return Ok(Err(EventOutcome::Refused { amazon_status: 401, message }));
            }
            Err(e) => {
                self.metrics.observe_amazon_refresh("failed");
                self.refresh_failed(&grant.grant_id, now);
                return Ok(Err(EventOutcome::Unavailable { amazon_status: None, reason: e.to_string() }));
            }
        };
        self.metrics.observe_amazon_refresh("ok");
        let new = AmazonTokens {
            refresh_token: &tokens.refresh_token,
            access_token: &tokens.access_token,
            access_expires_at: now + tokens.expires_in,
        };
        if auth.store.refresh_alexa_grant(&grant.grant_id, stored, &new, now).await? {
            return Ok(Ok(tokens.access_token));
        }
        // Another instance stored its refresh first (or a new AcceptGrant
        // replaced the grant): use what is stored now, if it is usable.
        match auth.store.alexa_grant(&grant.grant_id).await? {
            Some(g) if g.dropped_at.is_none() => match fresh(&g) {
                Some(t) => Ok(Ok(t)),
                None => Ok(Err(EventOutcome::Unavailable {
                    amazon_status: None,
                    reason: "the grant changed during the refresh; retry".into(),
                })),
            },
            _ => Ok(Err(EventOutcome::NoGrant)),
        }
    }
}
