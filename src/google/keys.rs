//! Google's ID-token signing keys (a JWKS, `LINKBROKER_GOOGLE_JWKS_URL`),
//! cached as Google's `Cache-Control: max-age` says.
//!
//! An unknown `kid` may mean Google rotated its keys, so it fetches the set
//! again, but at most once a minute: an attacker who sends made-up `kid`s
//! cannot make linkbroker fetch per request. When Google cannot be reached,
//! keys already cached keep working (they stay valid for hours after
//! Google stops signing with them); with nothing cached the caller answers
//! 503, never `invalid_grant`.

use std::collections::HashMap;
use std::time::Duration;

use jsonwebtoken::DecodingKey;
use serde::Deserialize;
use url::Url;

use crate::clock::Clock;

/// An unknown `kid` fetches the set again at most this often.
pub const REFETCH_AFTER: i64 = 60;
/// Used when Google sends no usable `max-age`.
const DEFAULT_MAX_AGE: i64 = 3600;
/// Google's own `max-age` is about 6 hours; a larger one is capped.
const MAX_MAX_AGE: i64 = 24 * 3600;
/// A JWKS larger than this is not Google's.
const MAX_BODY: usize = 64 * 1024;

/// Why no key could be had.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyError {
    /// Google's set (fresh, or fetched within the last minute) has no such
    /// key: the token is not Google's (`invalid_grant`).
    Unknown,
    /// Google's keys cannot be fetched and none is cached (a 503).
    Unavailable(String),
}

#[derive(Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    #[serde(default)]
    kid: String,
    #[serde(default)]
    kty: String,
    #[serde(default)]
    n: String,
    #[serde(default)]
    e: String,
}

#[derive(Default)]
struct Cached {
    keys: HashMap<String, DecodingKey>,
    /// Unix seconds after which the set is fetched again before use.
    fresh_until: i64,
    /// Unix seconds of the last fetch attempt (success or not).
    fetched_at: Option<i64>,
    /// Why the last fetch failed, for the 503's log line.
    failure: Option<String>,
}

pub struct GoogleKeys {
    http: reqwest::Client,
    url: Url,
    clock: Clock,
    cached: tokio::sync::Mutex<Cached>,
    fetches: std::sync::atomic::AtomicU64,
}

/// `max-age` of a `Cache-Control` value, if any (`no-store` and `no-cache`
/// read as 0).
pub fn max_age(cache_control: &str) -> Option<i64> {
    let mut age = None;
    for directive in cache_control.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-store" || lower == "no-cache" {
            return Some(0);
        }
        if let Some(v) = lower.strip_prefix("max-age=") {
            age = v.trim_matches('"').parse::<i64>().ok().filter(|s| *s >= 0);
        }
    }
    age
}

impl GoogleKeys {
    pub fn new(url: Url, clock: Clock, timeout: Duration) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timeout)
            .timeout(timeout)
            .build()?;
        Ok(Self {
            http,
            url,
            clock,
            cached: tokio::sync::Mutex::new(Cached::default()),
            fetches: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// How many times the set was fetched (tests, metrics).
    pub fn fetches(&self) -> u64 {
        self.fetches.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The key named `kid`.
    pub async fn key(&self, kid: &str) -> Result<DecodingKey, KeyError> {
        let now = self.clock.now();
        // One fetch at a time; the others wait for its result.
        let mut cached = self.cached.lock().await;
        if now < cached.fresh_until {
            if let Some(key) = cached.keys.get(kid) {
                return Ok(key.clone());
            }
        }
        // The set is stale, or a fresh set lacks this key (Google may have
        // rotated): fetch again, but at most once a minute.
        let recently = cached.fetched_at.is_some_and(|at| (0..REFETCH_AFTER).contains(&(now - at)));
        if !recently {
            cached.fetched_at = Some(now);
            self.fetches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            match self.fetch().await {
                Ok((keys, max_age)) => {
                    cached.keys = keys;
                    cached.fresh_until = now + max_age;
                    cached.failure = None;
                }
                Err(why) => {
                    tracing::warn!(why = %why, "Google's signing keys could not be fetched");
                    cached.failure = Some(why);
                }
            }
        }
        // Keys fetched before stay usable while Google is away.
        match cached.keys.get(kid) {
            Some(key) => Ok(key.clone()),
            None if cached.keys.is_empty() => Err(KeyError::Unavailable(
                cached.failure.clone().unwrap_or_else(|| "Google's signing keys are not fetched yet".into()),
            )),
            None => Err(KeyError::Unknown),
        }
    }

    async fn fetch(&self) -> Result<(HashMap<String, DecodingKey>, i64), String> {
        let mut resp = self.http.get(self.url.clone()).send().await.map_err(|e| e.without_url().to_string())?;
        if !resp.status().is_success() {
            return Err(format!("Google's JWKS answered {}", resp.status()));
        }
        let age = resp
            .headers()
            .get(reqwest::header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .and_then(max_age)
            .unwrap_or(DEFAULT_MAX_AGE)
            .min(MAX_MAX_AGE);
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| e.without_url().to_string())? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err("Google's JWKS is larger than 64 KB".into());
            }
            body.extend_from_slice(&chunk);
        }
        let set: Jwks = serde_json::from_slice(&body).map_err(|_| "Google's JWKS is not a key set".to_string())?;
        let keys: HashMap<String, DecodingKey> = set
            .keys
            .into_iter()
            .filter(|k| k.kty == "RSA" && !k.kid.is_empty())
            .filter_map(|k| DecodingKey::from_rsa_components(&k.n, &k.e).ok().map(|d| (k.kid, d)))
            .collect();
        if keys.is_empty() {
            return Err("Google's JWKS holds no RSA key".into());
        }
        Ok((keys, age))
    }
}

#[cfg(test)]
mod tests {
    use super::max_age;

    #[test]
    fn cache_control_max_age() {
        assert_eq!(max_age("public, max-age=19845, must-revalidate, no-transform"), Some(19845));
        assert_eq!(max_age("Max-Age=60"), Some(60));
        assert_eq!(max_age("no-store"), Some(0));
        assert_eq!(max_age("public"), None);
        assert_eq!(max_age("max-age=-5"), None);
        assert_eq!(max_age("max-age=abc"), None);
    }
}
