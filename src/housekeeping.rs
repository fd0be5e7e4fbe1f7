//! The periodic in-process purge of expired codes, pending authorizations,
//! dead links and old signing keys (`LINKBROKER_HOUSEKEEPING_INTERVAL`).
//! Tokens have no rows, so nothing an honest client may still present is
//! ever deleted here: a link lives until it is revoked or unused for the
//! whole inactivity TTL, and is deleted only a retention period later.

use std::time::Duration;

use crate::clock::Clock;
use crate::settings::Settings;
use crate::store::{PurgeCutoffs, Purged, Store, StoreError};

/// Revoked and expired links stay visible to admins this long before they
/// are deleted.
pub const RETENTION_SECONDS: i64 = 30 * 86_400;

pub fn cutoffs(settings: &Settings, now: i64) -> PurgeCutoffs {
    PurgeCutoffs {
        now,
        revoked_before: now - RETENTION_SECONDS,
        idle_before: now - settings.refresh_token_ttl - RETENTION_SECONDS,
        key_retired_before: now - settings.access_token_ttl - 60,
    }
}

pub async fn run_once(store: &Store, settings: &Settings, now: i64) -> Result<Purged, StoreError> {
    store.purge_expired(&cutoffs(settings, now)).await
}

pub fn spawn(store: Store, settings: std::sync::Arc<Settings>, clock: Clock) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(settings.housekeeping_interval as u64));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await; // the first tick is immediate; start one interval in
        loop {
            tick.tick().await;
            match run_once(&store, &settings, clock.now()).await {
                Ok(purged) if purged != Purged::default() => {
                    tracing::info!(?purged, "housekeeping removed expired rows")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "housekeeping failed; will retry next interval"),
            }
        }
    })
}
