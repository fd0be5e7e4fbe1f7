//! Events the vendor sends for a user: the user's Amazon grant and the
//! client's event credentials (cached for a couple of seconds, see
//! `oauth::access_cache`), a fresh Amazon token, one post to the user's
//! regional gateway (and one more after a refresh if the gateway says the
//! token expired), and Amazon's answer mapped to what `/alexa/events` says.
//! An accepted event writes nothing but the grant's "last event" minute.

use std::sync::Arc;

use super::amazon_token::TargetKey;
use super::{audit_drop, EventOutcome, SmartHome};
use crate::alexa::event_message::EventMessage;
use crate::oauth::AuthServer;
use crate::settings::LwaRegion;
use crate::store::{AlexaGrant, ClientRow, EventTarget, StoreError};

/// How precisely a grant's "last event" time is kept (seconds).
const LAST_EVENT_GRANULARITY: i64 = 60;

impl SmartHome {
    /// Sends `message` for `user` (an email or user id) to Alexa with a
    /// fresh Amazon token.
    pub async fn send_event(
        &self,
        auth: &AuthServer,
        client: &ClientRow,
        user: &str,
        message: &EventMessage,
        now: i64,
    ) -> Result<EventOutcome, StoreError> {
        let (user, by_email) = match crate::domain::Email::parse(user) {
            Ok(email) => (email.to_string(), true),
            Err(_) => (user.to_string(), false),
        };
        let key: TargetKey = (client.id.clone(), user);
        let target = match auth.event_cache.get_if(&key, |_| true) {
            Some(cached) => cached,
            None => {
                let read = auth.store.event_target(&key.1, by_email, &client.id).await?.map(Arc::new);
                auth.event_cache.insert(key.clone(), read.clone());
                read
            }
        };
        let Some(target) = target else {
            self.metrics.observe_alexa_event("no_grant");
            return Ok(EventOutcome::NoGrant);
        };
        let EventTarget { grant, creds } = &*target;
        let region = LwaRegion::parse(&grant.region).unwrap_or(self.default_region);
        let mut rejected: Option<String> = None;
        loop {
            let token = match self.access_token(auth, &key, grant, creds, rejected.as_deref(), now).await? {
                Ok(t) => t,
                Err(outcome) => return self.finish(auth, &key, grant, outcome, now).await,
            };
            let body = message.body_with_token(&token);
            let answer = match self.amazon.post_event(region, &token, body).await {
                Ok(a) => a,
                Err(e) => {
                    let outcome = EventOutcome::Unavailable { amazon_status: None, reason: e.to_string() };
                    return self.finish(auth, &key, grant, outcome, now).await;
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
            return self.finish(auth, &key, grant, outcome, now).await;
        }
    }

    /// Records what came of an event (and drops the grant when Amazon said so).
    async fn finish(
        &self,
        auth: &AuthServer,
        key: &TargetKey,
        grant: &AlexaGrant,
        outcome: EventOutcome,
        now: i64,
    ) -> Result<EventOutcome, StoreError> {
        let label = match &outcome {
            EventOutcome::Accepted => {
                if last_event_due(auth, key, grant, now) {
                    auth.store.touch_alexa_event(&grant.grant_id, now).await?;
                }
                "accepted"
            }
            EventOutcome::NoGrant => "no_grant",
            EventOutcome::Dropped { reason, .. } => {
                // Only the grant from the AcceptGrant this event used: one
                // that replaced it meanwhile stays.
                if auth.store.drop_alexa_grant(&grant.grant_id, &grant.code_hash, reason, now).await? {
                    audit_drop(auth, &grant.grant_id, reason, now).await?;
                }
                "dropped"
            }
            EventOutcome::Refused { .. } => "refused",
            EventOutcome::Unavailable { .. } => "unavailable",
        };
        self.metrics.observe_alexa_event(label);
        Ok(outcome)
    }
}

/// Whether this accepted event should write the grant's "last event" time:
/// at most once a minute per cached target (a write per event would make
/// the status cost more than the event). Decided under the cache's lock, so
/// parallel events of one user write once.
fn last_event_due(auth: &AuthServer, key: &TargetKey, grant: &AlexaGrant, now: i64) -> bool {
    let stale = |at: Option<i64>| at.is_none_or(|at| at <= now - LAST_EVENT_GRANULARITY);
    let mut due = false;
    auth.event_cache.update(key, |cached| {
        if let Some(t) = cached.as_mut().filter(|t| t.grant.grant_id == grant.grant_id && stale(t.grant.last_event_at))
        {
            let mut touched = t.grant.clone();
            touched.last_event_at = Some(now);
            *t = Arc::new(EventTarget { grant: touched, creds: t.creds.clone() });
            due = true;
        }
    });
    due
}
