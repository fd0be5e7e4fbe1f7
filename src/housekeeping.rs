//! The periodic in-process purge of expired codes, pending authorizations,
//! tokens, dead links and old signing keys (`LINKBROKER_HOUSEKEEPING_INTERVAL`).

use std::time::Duration;

use crate::settings::Settings;
use crate::store::{PurgeCutoffs, Purged, Store, StoreError};

/// Rotated refresh tokens are kept this long so a stale copy presented later
/// is still recognized as reuse (an honest platform refreshes within hours).
pub const ROTATED_HISTORY_SECONDS: i64 = 86_400;
/// Revoked links stay visible to admins this long before they are deleted.
pub const REVOKED_RETENTION_SECONDS: i64 = 30 * 86_400;

pub fn cutoffs(settings: &Settings, now: i64) -> PurgeCutoffs {
    PurgeCutoffs {
        now,
        rotated_before: now - ROTATED_HISTORY_SECONDS.max(2 * settings.refresh_grace_seconds),
        revoked_before: now - REVOKED_RETENTION_SECONDS,
        idle_before: now - settings.refresh_token_ttl,
        key_retired_before: now - settings.access_token_ttl - 60,
    }
}

pub async fn run_once(store: &Store, settings: &Settings, now: i64) -> Result<Purged, StoreError> {
    store.purge_expired(&cutoffs(settings, now)).await
}

pub fn spawn(store: Store, settings: std::sync::Arc<Settings>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(settings.housekeeping_interval as u64));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await; // the first tick is immediate; start one interval in
        loop {
            tick.tick().await;
            match run_once(&store, &settings, crate::clock::now()).await {
                Ok(purged) if purged != Purged::default() => {
                    tracing::info!(?purged, "housekeeping removed expired rows")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "housekeeping failed; will retry next interval"),
            }
        }
    })
}
