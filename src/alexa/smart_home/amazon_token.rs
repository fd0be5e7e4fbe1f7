//! The Amazon access token an event needs.
//!
//! Tokens live in the grant's row (sealed) until shortly before they
//! expire, so every instance uses the same one. When it must be refreshed,
//! one refresh happens per grant across every instance: on this instance a
//! per-grant lock queues the requests, and across instances a lease in the
//! row (`claim_alexa_refresh`) lets one instance refresh while the others
//! wait for its result to land in the row.
//!
//! Nothing is lost to a race: new tokens are stored only if the row still
//! holds the refresh token they came from, and a grant is dropped on
//! Amazon's `invalid_grant` only if the row still holds the refused token.
//! A token another instance stored (or a new AcceptGrant, or a startup
//! reseal, which the witness's hash sees through) is used instead.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{audit_drop, EventOutcome, SmartHome};
use crate::alexa::amazon::AmazonError;
use crate::oauth::AuthServer;
use crate::store::{AlexaGrant, AmazonTokens, EventCredentials, EventTarget, StoreError};

/// An access token this close to its expiry is refreshed before use.
const EXPIRY_MARGIN: i64 = 60;
/// After a failed refresh, events of that grant answer 503 for this long.
const FAILED_REFRESH_PAUSE: i64 = 5;
/// How often an instance waiting for another one's refresh reads the row.
const LEASE_POLL: Duration = Duration::from_millis(25);

/// The event cache's key: the client, and the user as the vendor named them.
pub(super) type TargetKey = (String, String);

/// `grant`'s access token while it is fresh and not the one the gateway
/// just `rejected`.
fn fresh(grant: &AlexaGrant, rejected: Option<&str>, now: i64) -> Option<String> {
    let live = grant.access_expires_at.is_some_and(|at| at > now + EXPIRY_MARGIN);
    grant.access_token.clone().filter(|t| live && Some(t.as_str()) != rejected)
}

fn unavailable(reason: impl Into<String>) -> EventOutcome {
    EventOutcome::Unavailable { amazon_status: None, reason: reason.into() }
}

/// Keeps the cached target of `key` in step with the row just read (its
/// age stays: the credentials beside it were read when it was cached).
fn remember(auth: &AuthServer, key: &TargetKey, grant: &AlexaGrant) {
    auth.event_cache.update(key, |cached| {
        if let Some(t) = cached.as_mut().filter(|t| t.grant.grant_id == grant.grant_id) {
            *t = Arc::new(EventTarget { grant: grant.clone(), creds: t.creds.clone() });
        }
    });
}

impl SmartHome {
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

    /// A usable Amazon access token for `grant`: the one in hand while
    /// fresh (and not the one the gateway just `rejected`), else what the
    /// row holds now, else one refresh (see the module comment).
    pub(super) async fn access_token(
        &self,
        auth: &AuthServer,
        key: &TargetKey,
        grant: &AlexaGrant,
        creds: &EventCredentials,
        rejected: Option<&str>,
        now: i64,
    ) -> Result<Result<String, EventOutcome>, StoreError> {
        if let Some(t) = fresh(grant, rejected, now) {
            return Ok(Ok(t));
        }
        let paused = || unavailable("a refresh of this grant's Amazon token failed moments ago");
        if self.recently_failed(&grant.grant_id, now) {
            return Ok(Err(paused()));
        }
        let lock = self.lock_for(&grant.grant_id);
        let _held = lock.lock().await;
        if self.recently_failed(&grant.grant_id, now) {
            return Ok(Err(paused()));
        }
        // A lease outlives the refresh call it covers, so a holder that
        // crashed blocks the others for a few seconds at most.
        let lease = self.amazon.timeout().as_secs() as i64 + 2;
        let wait_until = Instant::now() + Duration::from_secs(lease as u64 + 1);
        let mut refused_once = false;
        loop {
            if Instant::now() >= wait_until {
                return Ok(Err(unavailable("another instance's refresh of this grant has not finished")));
            }
            // Another request, here or on another instance, may have
            // refreshed while this one waited.
            let Some(current) = auth.store.alexa_grant(&grant.grant_id).await?.filter(|g| g.dropped_at.is_none())
            else {
                return Ok(Err(EventOutcome::NoGrant));
            };
            remember(auth, key, &current);
            if let Some(t) = fresh(&current, rejected, now) {
                return Ok(Ok(t));
            }
            let (Some(refresh), Some(witness)) = (current.refresh_token.as_deref(), current.witness.as_ref()) else {
                return Ok(Err(EventOutcome::NoGrant));
            };
            if !auth.store.claim_alexa_refresh(&grant.grant_id, witness, now + lease, now).await? {
                // Another instance is refreshing: its tokens land in the row.
                tokio::time::sleep(LEASE_POLL).await;
                continue;
            }
            match self.amazon.refresh(creds, refresh).await {
                Ok(tokens) => {
                    self.metrics.observe_amazon_refresh("ok");
                    let new = AmazonTokens {
                        refresh_token: &tokens.refresh_token,
                        access_token: &tokens.access_token,
                        access_expires_at: now + tokens.expires_in,
                    };
                    if auth.store.refresh_alexa_grant(&grant.grant_id, witness, &new, now).await? {
                        if let Some(stored) = auth.store.alexa_grant(&grant.grant_id).await? {
                            remember(auth, key, &stored);
                        }
                        return Ok(Ok(tokens.access_token));
                    }
                    // The row changed while Amazon answered (a new
                    // AcceptGrant, or another instance after this lease
                    // lapsed): what it holds now wins.
                }
                Err(AmazonError::Refused { error, .. }) if error == "invalid_grant" => {
                    self.metrics.observe_amazon_refresh("invalid_grant");
                    let reason = "amazon_invalid_grant";
                    if auth.store.drop_refused_alexa_grant(&grant.grant_id, witness, reason, now).await? {
                        audit_drop(auth, &grant.grant_id, reason, now).await?;
                        return Ok(Err(EventOutcome::Dropped { amazon_status: 400, reason: reason.into() }));
                    }
                    // The row no longer holds the refused token: another
                    // instance refreshed it, or a new AcceptGrant replaced
                    // it. Use that, refreshing it at most once more.
                    if refused_once {
                        return Ok(Err(unavailable("Amazon refused two refresh tokens of this grant in a row")));
                    }
                    refused_once = true;
                }
                Err(AmazonError::Refused { error, description }) => {
                    // invalid_client, unauthorized_client: the vendor's
                    // credentials, which no retry fixes.
                    auth.store.release_alexa_refresh(&grant.grant_id, witness).await?;
                    self.metrics.observe_amazon_refresh("failed");
                    let message = format!(
                        "Amazon refused this client's \"Send Alexa Events\" credentials ({error}: {description}); \
                         store the right ones with `linkbroker client alexa-events`"
                    );
                    return Ok(Err(EventOutcome::Refused { amazon_status: 401, message }));
                }
                Err(e) => {
                    auth.store.release_alexa_refresh(&grant.grant_id, witness).await?;
                    self.metrics.observe_amazon_refresh("failed");
                    self.refresh_failed(&grant.grant_id, now);
                    return Ok(Err(unavailable(e.to_string())));
                }
            }
        }
    }
}
