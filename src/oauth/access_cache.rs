//! In-process caches with a hard age bound, so Alexa's and the platforms'
//! repeated calls cost one database query every `TTL` instead of one per
//! request:
//! - resolved access tokens (`AccessCache`), keyed by token hash;
//! - successful client authentications (`ClientCache`), keyed by client id
//!   and secret hash, so a refresh is one statement, not two;
//! - what a Smart Home event needs (`EventCache`): the user's Amazon grant
//!   for a client, its opened access token and the client's event
//!   credentials, keyed by client id and the user as the vendor named them,
//!   so an event costs no database read while its token is fresh.
//!
//! Bound: an entry is served for at most `TTL` (2 s) after it was read from
//! the database, and an access token never past its own expiry. Disabling a
//! user, revoking a link, changing permissions, rotating a client secret or
//! removing a client, changing its event credentials, a new AcceptGrant or a
//! dropped Amazon grant (on any instance, or from the CLI) therefore takes
//! effect within 2 s everywhere; such changes made by this process clear its
//! caches at once. Keys are hashes or ids, never tokens or secrets (the
//! event cache's values hold opened Amazon tokens, in this process's memory
//! only, as the sealed columns do while a request uses them).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::clock::Clock;

use crate::domain::TokenHash;
use crate::store::{ClientRow, EventTarget, ResolvedToken};

pub const TTL: Duration = Duration::from_secs(2);
/// Entries per generation; two generations cap memory (about 400 bytes an
/// entry, so at most ~16 MB) under a flood of distinct tokens.
pub const GENERATION_ENTRIES: usize = 20_000;

/// Two generations: inserts go to `young`; when it is full, or `TTL` old,
/// it becomes `old` and the previous `old` is dropped. Lookups check both.
/// So a full cache sheds its oldest half in O(1) instead of emptying
/// itself, and what is dropped by age had expired anyway (everything in
/// `old` was read before `young` began, at least `TTL` ago): memory holds
/// what was read in the last two `TTL`s, not whatever a burst of distinct
/// tokens (every refresh mints one) left behind until the count bound.
struct Generations<K, V> {
    /// Values with the clock's monotonic milliseconds when they were read.
    young: HashMap<K, (i64, V)>,
    old: HashMap<K, (i64, V)>,
    /// When `young` began (monotonic milliseconds).
    young_since: i64,
}

pub struct TtlCache<K, V> {
    entries: Mutex<Generations<K, V>>,
    /// The application's clock, so tests let the bound pass without
    /// sleeping.
    clock: Clock,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl<K, V> Default for TtlCache<K, V> {
    fn default() -> Self {
        Self::with_clock(Clock::default())
    }
}

impl<K, V> TtlCache<K, V> {
    pub fn with_clock(clock: Clock) -> Self {
        Self {
            entries: Mutex::new(Generations {
                young: HashMap::new(),
                old: HashMap::new(),
                young_since: clock.monotonic_millis(),
            }),
            clock,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    /// A fresh entry for `key` that `usable` accepts, if any.
    pub fn get_if(&self, key: &K, usable: impl Fn(&V) -> bool) -> Option<V> {
        let now = self.clock.monotonic_millis();
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = entries
            .young
            .get(key)
            .or_else(|| entries.old.get(key))
            .filter(|(at, v)| (0..TTL.as_millis() as i64).contains(&(now - at)) && usable(v))
            .map(|(_, v)| v.clone());
        let counter = if fresh.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        fresh
    }

    /// Lookups so far as (hits, misses), for `/metrics`.
    pub fn counts(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }

    pub fn insert(&self, key: K, value: V) {
        let now = self.clock.monotonic_millis();
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let aged = now - entries.young_since >= TTL.as_millis() as i64;
        if entries.young.len() >= GENERATION_ENTRIES || aged {
            let young = std::mem::take(&mut entries.young);
            entries.old = young;
            entries.young_since = now;
        }
        entries.young.insert(key, (now, value));
    }

    /// Changes a cached value in place, keeping its age (so it is still
    /// served at most `TTL` after the database read it came from).
    pub fn update(&self, key: &K, change: impl FnOnce(&mut V)) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let Generations { young, old, .. } = &mut *entries;
        if let Some((_, v)) = young.get_mut(key).or_else(|| old.get_mut(key)) {
            change(v);
        }
    }

    /// After a change in this process: nothing stale is served here.
    pub fn clear(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.young.clear();
        entries.old.clear();
    }

    /// Entries held (fresh or not), for tests.
    pub fn len(&self) -> usize {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.young.len() + entries.old.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Shared, not copied: a hit hands out the entry, not a copy of its strings.
pub type AccessCache = TtlCache<TokenHash, std::sync::Arc<ResolvedToken>>;

impl AccessCache {
    /// A fresh entry for `key`, if any, valid at Unix time `now`.
    pub fn get(&self, key: &TokenHash, now: i64) -> Option<std::sync::Arc<ResolvedToken>> {
        self.get_if(key, |r| r.expires_at > now)
    }
}

/// (client id, SHA-256 of the presented secret) → the authenticated client.
pub type ClientCache = TtlCache<(String, TokenHash), ClientRow>;

/// (client id, user email or id) → that user's live Amazon grant for the
/// client with the client's event credentials (`None`: no such grant).
pub type EventCache = TtlCache<(String, String), Option<std::sync::Arc<EventTarget>>>;

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(expires_at: i64) -> std::sync::Arc<ResolvedToken> {
        std::sync::Arc::new(ResolvedToken {
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
        })
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
        let key = TokenHash::of("t");
        let clock = Clock::default();
        let cache = AccessCache::with_clock(clock.clone());
        cache.insert(key.clone(), resolved(i64::MAX));
        assert!(cache.get(&key, 0).is_some());
        clock.advance(2);
        assert!(cache.get(&key, 0).is_none(), "2 s later it is not served");
        cache
            .entries
            .lock()
            .unwrap()
            .young
            .insert(key.clone(), (clock.monotonic_millis() + 60_000, resolved(i64::MAX)));
        assert!(cache.get(&key, 0).is_none(), "nor an entry from the future");
    }

    #[test]
    fn a_full_cache_sheds_its_oldest_half_and_keeps_the_rest() {
        let cache = AccessCache::default();
        let first = TokenHash::of("first");
        cache.insert(first.clone(), resolved(i64::MAX));
        for i in 1..GENERATION_ENTRIES {
            cache.insert(TokenHash::of(&i.to_string()), resolved(i64::MAX));
        }
        let recent = TokenHash::of("recent");
        cache.insert(recent.clone(), resolved(i64::MAX));
        assert!(cache.get(&first, 0).is_some(), "the previous generation is still served");
        assert!(cache.get(&recent, 0).is_some());
        for i in 0..GENERATION_ENTRIES {
            cache.insert(TokenHash::of(&format!("more {i}")), resolved(i64::MAX));
        }
        assert!(cache.get(&first, 0).is_none(), "two generations later it is gone");
        assert!(cache.len() <= 2 * GENERATION_ENTRIES, "memory stays bounded");
    }

    /// Entries past the TTL are dropped as time passes, not only when the
    /// count bound is reached: a soak's memory stays flat while refreshes
    /// keep minting new tokens.
    #[test]
    fn expired_entries_are_dropped_as_time_passes() {
        let clock = Clock::default();
        let cache = AccessCache::with_clock(clock.clone());
        for round in 0..10 {
            for i in 0..100 {
                cache.insert(TokenHash::of(&format!("{round}-{i}")), resolved(i64::MAX));
            }
            clock.advance(2);
        }
        cache.insert(TokenHash::of("now"), resolved(i64::MAX));
        assert!(cache.len() <= 201, "only the last two TTLs are held: {}", cache.len());
        assert!(cache.get(&TokenHash::of("now"), 0).is_some());
        assert!(cache.get(&TokenHash::of("9-1"), 0).is_none(), "older than the TTL");
        // Within one TTL nothing is dropped.
        let cache = AccessCache::with_clock(clock.clone());
        for i in 0..300 {
            cache.insert(TokenHash::of(&i.to_string()), resolved(i64::MAX));
        }
        assert_eq!(cache.len(), 300);
        assert!(cache.get(&TokenHash::of("0"), 0).is_some());
    }
}
