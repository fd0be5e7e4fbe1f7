//! An in-process cache of resolved access tokens, so Alexa's and the
//! platforms' repeated calls with one token cost one database query every
//! `TTL` instead of one per request.
//!
//! Bound: an entry is served for at most `TTL` (2 s) after it was read from
//! the database, and never past the token's own expiry. Disabling a user,
//! revoking a link or changing permissions (on any instance, or from the
//! CLI) therefore takes effect within 2 s everywhere; revocations made by
//! this process also clear the cache at once. Keys are token hashes, never
//! tokens.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::domain::TokenHash;
use crate::store::ResolvedToken;

pub const TTL: Duration = Duration::from_secs(2);
/// Entries are small; this caps memory under a flood of distinct tokens.
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub struct AccessCache {
    entries: Mutex<HashMap<TokenHash, (Instant, ResolvedToken)>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl AccessCache {
    /// A fresh entry for `key`, if any, valid at Unix time `now`.
    pub fn get(&self, key: &TokenHash, now: i64) -> Option<ResolvedToken> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = entries.get(key).filter(|(at, r)| at.elapsed() < TTL && r.expires_at > now).map(|(_, r)| r.clone());
        let counter = if fresh.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        fresh
    }

    /// Lookups so far as (hits, misses), for `/metrics`.
    pub fn counts(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }

    pub fn insert(&self, key: TokenHash, resolved: ResolvedToken) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (at, _)| at.elapsed() < TTL);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, (Instant::now(), resolved));
    }

    /// After a revocation in this process: nothing stale is served here.
    pub fn clear(&self) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(expires_at: i64) -> ResolvedToken {
        ResolvedToken {
            grant_id: "g".into(),
            client_id: "c".into(),
            user_id: "u".into(),
            email: "e".into(),
            name: "n".into(),
            scope: "profile".into(),
            issued_at: 0,
            permissions: vec![],
            alexa_user_id: None,
            expires_at,
        }
    }

    #[test]
    fn serves_fresh_entries_until_the_token_expires() {
        let cache = AccessCache::default();
        let key = TokenHash::of("t");
        cache.insert(key.clone(), resolved(100));
        assert!(cache.get(&key, 99).is_some());
        assert!(cache.get(&key, 100).is_none(), "never past the token's expiry");
        assert!(cache.get(&TokenHash::of("other"), 0).is_none());
        cache.clear();
        assert!(cache.get(&key, 0).is_none());
    }

    #[test]
    fn entries_older_than_the_ttl_are_not_served() {
        let cache = AccessCache::default();
        let key = TokenHash::of("t");
        cache.entries.lock().unwrap().insert(key.clone(), (Instant::now() - TTL, resolved(i64::MAX)));
        assert!(cache.get(&key, 0).is_none());
    }
}
