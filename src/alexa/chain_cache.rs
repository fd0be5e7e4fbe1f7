//! The verifier's memory of certificate chains: chains by normalized URL
//! (least recently used evicted), URLs that recently failed, and the global
//! download budget. Anyone can send any URL of the allowed shape, so every
//! part is bounded (see `verifier`'s module doc).

use std::collections::HashMap;
use std::sync::Arc;

use rustls_pki_types::CertificateDer;

/// Amazon uses one URL at a time; this only bounds memory.
pub const MAX_CACHED_CHAINS: usize = 16;
/// A URL whose download or check failed is refused without a new download
/// for this long (seconds).
pub const FAILURE_TTL: i64 = 60;
const MAX_REMEMBERED_FAILURES: usize = 256;
/// Downloads of all URLs together, per window (seconds). Amazon rotates its
/// certificate rarely; one download per rotation is all production needs.
pub const FETCH_BUDGET: usize = 10;
pub const FETCH_WINDOW: i64 = 60;

pub type Chain = Arc<Vec<CertificateDer<'static>>>;

/// How far ahead a chain's validity is proven at once (see the module doc).
pub const RECHECK: i64 = 300;

/// A cached chain and the interval over which it is known valid.
#[derive(Clone)]
pub struct Cached {
    pub chain: Chain,
    pub valid_from: i64,
    pub valid_until: i64,
    /// Logical time of the last use, for least-recently-used eviction.
    used: u64,
}

#[derive(Default)]
pub struct ChainCache {
    pub(super) chains: HashMap<String, Cached>,
    /// URL → until when it is refused without a download.
    failures: HashMap<String, i64>,
    /// Start times of the downloads in the current budget window.
    fetches: std::collections::VecDeque<i64>,
    tick: u64,
}

impl ChainCache {
    pub fn get(&mut self, url: &str) -> Option<Cached> {
        self.tick += 1;
        let tick = self.tick;
        self.chains.get_mut(url).map(|c| {
            c.used = tick;
            c.clone()
        })
    }

    /// Drops a chain that no longer checks out.
    pub fn forget(&mut self, url: &str) {
        self.chains.remove(url);
    }

    /// Whether `url` failed recently enough to be refused without a download.
    pub fn recently_failed(&self, url: &str, now: i64) -> bool {
        self.failures.get(url).is_some_and(|&until| until > now)
    }

    pub fn insert(&mut self, url: &str, chain: Chain, valid_from: i64, valid_until: i64) {
        self.tick += 1;
        if !self.chains.contains_key(url) && self.chains.len() >= MAX_CACHED_CHAINS {
            if let Some(lru) = self.chains.iter().min_by_key(|(_, c)| c.used).map(|(k, _)| k.clone()) {
                self.chains.remove(&lru);
            }
        }
        self.chains.insert(url.to_string(), Cached { chain, valid_from, valid_until, used: self.tick });
        self.failures.remove(url);
    }

    pub fn failed(&mut self, url: &str, now: i64) {
        if self.failures.len() >= MAX_REMEMBERED_FAILURES {
            self.failures.retain(|_, until| *until > now);
            if self.failures.len() >= MAX_REMEMBERED_FAILURES {
                if let Some(first) = self.failures.keys().next().cloned() {
                    self.failures.remove(&first);
                }
            }
        }
        self.failures.insert(url.to_string(), now + FAILURE_TTL);
    }

    /// May a download start at `now`? Counts it if so.
    pub fn take_fetch(&mut self, now: i64) -> bool {
        while self.fetches.front().is_some_and(|&at| at <= now - FETCH_WINDOW) {
            self.fetches.pop_front();
        }
        if self.fetches.len() >= FETCH_BUDGET {
            return false;
        }
        self.fetches.push_back(now);
        true
    }
}
