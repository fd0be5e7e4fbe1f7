//! Unlinks that reach Alexa (docs/app-to-app.md, "Unlinks"): the worker
//! that delivers the `alexa_unlinks` queue.
//!
//! A row is written by the statement that ends a link (migration 0012's
//! trigger), so nothing here can miss one. Every serving instance runs this
//! worker: it lists due rows, claims each with a lease (a compare-and-swap
//! on the row, so no unlink is sent twice at once), refreshes the Amazon
//! token when needed, and sends `DELETE .../enablement`. 2xx finishes it
//! (`delivered`), 401 or 404 too (`already_gone`: the skill or the token is
//! gone at Amazon, which is what we wanted), an Amazon token refused with
//! `invalid_grant` likewise; anything else (time-outs, 429, 5xx, a database
//! fault) is retried with backoff: first within 10 seconds, doubling to at
//! most every 10 minutes, for 24 hours, then given up (`abandoned`) with an
//! audit entry. A crash mid-delivery leaves the lease to lapse; the row is
//! taken again a minute later.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::alexa::amazon::{AmazonApi, AmazonError};
use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::store::{AppTokens, AuditEvent, EventCredentials, Store, StoreError, Unlink};

/// How long a claimed unlink is ours (longer than any one delivery).
const LEASE: i64 = 60;
/// The first retry, and the cap of the doubling.
const FIRST_RETRY: i64 = 5;
const MAX_RETRY: i64 = 600;
/// After this long an unlink is given up.
pub const GIVE_UP_AFTER: i64 = 24 * 3600;
/// How often the worker looks for due unlinks when nothing wakes it.
const POLL: Duration = Duration::from_secs(1);
/// An Amazon access token this close to its expiry is refreshed first.
const EXPIRY_MARGIN: i64 = 60;

/// Wakes the worker at once when this instance ends a link.
#[derive(Clone, Default)]
pub struct Outbox {
    wake: Arc<tokio::sync::Notify>,
}

impl Outbox {
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// What became of one attempt.
#[derive(Debug, PartialEq, Eq)]
pub enum Attempt {
    Delivered,
    AlreadyGone,
    Retry { at: i64, error: String },
    Abandoned { error: String },
}

/// The delay before attempt `attempts + 1` (attempts made so far).
pub fn backoff(attempts: i64) -> i64 {
    let shift = attempts.clamp(0, 16) as u32;
    (FIRST_RETRY << shift).min(MAX_RETRY)
}

pub struct Worker {
    pub store: Store,
    pub amazon: Arc<AmazonApi>,
    pub metrics: Metrics,
    pub clock: Clock,
}

impl Worker {
    pub fn spawn(self, outbox: Outbox) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                if let Err(e) = self.run_once().await {
                    tracing::warn!(error = %e, "the unlink queue could not be read; will retry");
                }
                let _ = tokio::time::timeout(POLL, outbox.wake.notified()).await;
            }
        })
    }

    /// Delivers every unlink due now; returns how many were attempted.
    pub async fn run_once(&self) -> Result<usize, StoreError> {
        let now = self.clock.now();
        let due = self.store.due_unlinks(now, 32).await?;
        let mut attempted = 0;
        for id in due {
            let now = self.clock.now();
            let Some(unlink) = self.store.claim_unlink(&id, now, now + LEASE).await? else { continue };
            attempted += 1;
            if unlink.attempts == 0 {
                self.metrics.observe_alexa_unlink("queued");
            }
            let attempt = self.attempt(&unlink, now).await;
            self.record(&unlink, attempt, now).await?;
        }
        Ok(attempted)
    }

    async fn attempt(&self, unlink: &Unlink, now: i64) -> Attempt {
        let gave_up = now - unlink.created_at >= GIVE_UP_AFTER;
        let retry = |error: String| {
            if gave_up {
                Attempt::Abandoned { error }
            } else {
                Attempt::Retry { at: now + backoff(unlink.attempts), error }
            }
        };
        let token = match self.access_token(unlink, now).await {
            Ok(token) => token,
            Err(AmazonError::Refused { error, .. }) if error == "invalid_grant" => return Attempt::AlreadyGone,
            Err(e) => return retry(e.to_string()),
        };
        match self.amazon.disable_skill(&unlink.endpoint, &token, &unlink.skill_id).await {
            Ok(a) if (200..300).contains(&a.status) => Attempt::Delivered,
            Ok(a) if a.status == 401 || a.status == 404 => Attempt::AlreadyGone,
            Ok(a) => retry(format!("the enablement API answered {} {}", a.status, a.message).trim().to_string()),
            Err(e) => retry(e.to_string()),
        }
    }

    /// The row's Amazon access token while fresh, else a refreshed one
    /// (kept in the row, so a retry does not refresh again).
    async fn access_token(&self, unlink: &Unlink, now: i64) -> Result<String, AmazonError> {
        let fresh = unlink.access_expires_at.is_some_and(|at| at > now + EXPIRY_MARGIN);
        if let Some(token) = unlink.access_token.clone().filter(|_| fresh) {
            return Ok(token);
        }
        let creds = EventCredentials {
            client_id: unlink.alexa_client_id.clone(),
            client_secret: unlink.alexa_client_secret.clone(),
        };
        let t = self.amazon.refresh(&creds, &unlink.refresh_token).await?;
        let tokens = AppTokens {
            refresh_token: &t.refresh_token,
            access_token: &t.access_token,
            access_expires_at: now + t.expires_in,
        };
        if let Err(e) = self.store.refresh_unlink_tokens(&unlink.id, &unlink.refresh_stored, &tokens).await {
            // The DELETE can still go out with the token in hand.
            tracing::warn!(error = %e, unlink = %unlink.id, "a refreshed Amazon token could not be kept");
        }
        Ok(t.access_token)
    }

    async fn record(&self, unlink: &Unlink, attempt: Attempt, now: i64) -> Result<(), StoreError> {
        let (outcome, error) = match &attempt {
            Attempt::Delivered => ("delivered", None),
            Attempt::AlreadyGone => ("already_gone", None),
            Attempt::Abandoned { error } => ("abandoned", Some(error.as_str())),
            Attempt::Retry { at, error } => {
                tracing::info!(unlink = %unlink.id, attempts = unlink.attempts + 1, error = %error, "an unlink will be retried");
                self.metrics.observe_alexa_unlink("retried");
                return self.store.retry_unlink(&unlink.id, *at, error).await;
            }
        };
        self.store.finish_unlink(&unlink.id, outcome, error, now).await?;
        self.metrics.observe_alexa_unlink(if outcome == "abandoned" { "abandoned" } else { "delivered" });
        if outcome == "abandoned" {
            tracing::warn!(unlink = %unlink.id, "an unlink was given up after 24 hours");
        }
        let detail = json!({
            "client_id": unlink.client_id,
            "user_id": unlink.user_id,
            "outcome": outcome,
            "attempts": unlink.attempts + 1,
            "error": error,
        });
        let action = format!("alexa.unlink_{outcome}");
        self.store.audit(AuditEvent { actor: "linkbroker", action: &action, target: &unlink.id, detail }, now).await
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_starts_within_ten_seconds_and_caps_at_ten_minutes() {
        assert_eq!(backoff(0), 5);
        assert_eq!(backoff(1), 10);
        assert_eq!(backoff(2), 20);
        assert_eq!(backoff(7), 600);
        assert_eq!(backoff(1_000), 600);
        assert_eq!(backoff(-3), 5);
    }
}
