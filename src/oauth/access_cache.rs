//! In-process caches with a hard age bound, so Alexa's and the platforms'
//! repeated calls cost one database query every `TTL` instead of one per
//! request:
//! - resolved access tokens (`AccessCache`), keyed by token hash;
//! - successful client authentications (`ClientCache`), keyed by client id
//!   and secret hash, so a refresh is one statement, not two.
//!
//! Bound: an entry is served for at most `TTL` (2 s) after it was read from
//! the database, and an access token never past its own expiry. Disabling a
//! user, revoking a link, changing permissions, rotating a client secret or
//! removing a client (on any instance, or from the CLI) therefore takes
//! effect within 2 s everywhere; revocations made by this process also clear
//! the token cache at once. Keys are hashes, never tokens or secrets.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::domain::TokenHash;
use crate::store::{ClientRow, ResolvedToken};

pub const TTL: Duration = Duration::from_secs(2);
/// Entries are small; this caps memory under a flood of distinct tokens.
const MAX_ENTRIES: usize = 10_000;

pub struct TtlCache<K, V> {
    entries: Mutex<HashMap<K, (Instant, V)>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl<K, V> Default for TtlCache<K, V> {
    fn default() -> Self {
        Self { entries: Mutex::new(HashMap::new()), hits: AtomicU64::new(0), misses: AtomicU64::new(0) }
    }
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    /// A fresh entry for `key` that `usable` accepts, if any.
    pub fn get_if(&self, key: &K, usable: impl Fn(&V) -> bool) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = entries.get(key).filter(|(at, v)| at.elapsed() < TTL && usable(v)).map(|(_, v)| v.clone());
        let counter = if fresh.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        fresh
    }

    /// Lookups so far as (hits, misses), for `/metrics`.
    pub fn counts(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }

    pub fn insert(&self, key: K, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (at, _)| at.elapsed() < TTL);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, (Instant::now(), value));
    }

    /// After a change in this process: nothing stale is served here.
    pub fn clear(&self) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

pub type AccessCache = TtlCache<TokenHash, ResolvedToken>;

impl AccessCache {
    /// A fresh entry for `key`, if any, valid at Unix time `now`.
    pub fn get(&self, key: &TokenHash, now: i64) -> Option<ResolvedToken> {
        self.get_if(key, |r| r.expires_at > now)
    }
}

/// (client id, SHA-256 of the presented secret) → the authenticated client.
pub type ClientCache = TtlCache<(String, TokenHash), ClientRow>;

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
