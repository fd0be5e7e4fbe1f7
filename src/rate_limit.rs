//! Abuse limits: token buckets keyed by client id or IP address.
//!
//! Deliberately per instance and in memory: these limits only blunt floods
//! (a runaway client, a script hammering `/oauth/authorize`), they decide
//! nothing about correctness, and a database write per request would cost
//! more than the flood. With N instances the effective limit is N times the
//! setting; docs/operations.md says so. Memory is bounded: at most `MAX_KEYS` keys per
//! limiter, idle (full) buckets are dropped first.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most this many distinct keys are tracked per limiter.
pub const MAX_KEYS: usize = 100_000;

/// `N` requests per `period`: a bucket of `N` that refills evenly over the
/// period, so bursts of up to `N` pass and the sustained rate is `N/period`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub requests: u32,
    pub period: Duration,
}

impl Rate {
    pub const fn per_minute(requests: u32) -> Self {
        Self { requests, period: Duration::from_secs(60) }
    }

    /// `N/s`, `N/min` or `N/h`; `0` or `off` disables the limit (`None`).
    pub fn parse(raw: &str) -> Result<Option<Self>, String> {
        let raw = raw.trim();
        if raw == "0" || raw.eq_ignore_ascii_case("off") {
            return Ok(None);
        }
        let bad = || format!("must be N/s, N/min or N/h (e.g. 600/min), or off; got {raw:?}");
        let (n, unit) = raw.split_once('/').ok_or_else(bad)?;
        let requests: u32 = n.trim().parse().map_err(|_| bad())?;
        let period = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            _ => return Err(bad()),
        };
        if requests == 0 {
            return Ok(None);
        }
        Ok(Some(Self { requests, period }))
    }

    fn per_second(&self) -> f64 {
        f64::from(self.requests) / self.period.as_secs_f64()
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.period.as_secs() {
            1 => "s",
            60 => "min",
            _ => "h",
        };
        write!(f, "{}/{unit}", self.requests)
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// One limit (say, token requests per IP). `None` rate: never limits.
#[derive(Debug)]
pub struct RateLimiter {
    rate: Option<Rate>,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    pub fn new(rate: Option<Rate>) -> Self {
        Self { rate, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one request for `key`; `Err(retry_after)` when over the limit.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }

    pub fn check_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let Some(rate) = self.rate else { return Ok(()) };
        let capacity = f64::from(rate.requests);
        let refill = rate.per_second();
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() >= MAX_KEYS && !buckets.contains_key(key) {
            // Full buckets hold no information: forgetting them is exact.
            buckets
                .retain(|_, b| b.tokens + now.saturating_duration_since(b.updated).as_secs_f64() * refill < capacity);
            if buckets.len() >= MAX_KEYS {
                // Still full (a wide flood): forget the tenth least recently
                // seen, not everyone (which would reset every caller's
                // limit, the flooder's included).
                tracing::warn!(keys = buckets.len(), "rate limiter full; evicting the least recently seen keys");
                let mut seen: Vec<(Instant, String)> = buckets.iter().map(|(k, b)| (b.updated, k.clone())).collect();
                let cut = (seen.len() / 10).max(1);
                seen.select_nth_unstable_by(cut - 1, |a, b| a.0.cmp(&b.0));
                for (_, key) in &seen[..cut] {
                    buckets.remove(key);
                }
            }
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket { tokens: capacity, updated: now });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * refill).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / refill;
            Err(Duration::from_secs_f64(wait.max(0.001)))
        }
    }
}

/// The limits of one instance, built from settings.
#[derive(Debug)]
pub struct RateLimits {
    pub token_per_client: RateLimiter,
    pub token_per_ip: RateLimiter,
    pub authorize_per_ip: RateLimiter,
}

/// Whole seconds for `Retry-After`, at least 1.
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_full_limiter_evicts_the_least_recently_seen_not_everyone() {
        let limiter = RateLimiter::new(Some(Rate::per_minute(1)));
        let start = Instant::now();
        for i in 0..MAX_KEYS {
            let _ = limiter.check_at(&format!("k{i}"), start + Duration::from_micros(i as u64));
        }
        let late = start + Duration::from_micros(MAX_KEYS as u64);
        let recent = format!("k{}", MAX_KEYS - 1);
        assert!(limiter.check_at("newcomer", late).is_ok());
        assert!(limiter.check_at(&recent, late).is_err(), "a recently limited caller stays limited");
        assert!(limiter.buckets.lock().unwrap().len() <= MAX_KEYS);
    }
    use super::*;

    #[test]
    fn rates_parse_and_zero_disables() {
        assert_eq!(Rate::parse("600/min").unwrap(), Some(Rate::per_minute(600)));
        assert_eq!(Rate::parse(" 5/s ").unwrap().unwrap().period, Duration::from_secs(1));
        assert_eq!(Rate::parse("100/h").unwrap().unwrap().to_string(), "100/h");
        assert_eq!(Rate::parse("0").unwrap(), None);
        assert_eq!(Rate::parse("off").unwrap(), None);
        for bad in ["", "600", "x/min", "5/day", "-1/s"] {
            assert!(Rate::parse(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn a_burst_passes_then_the_rate_holds_per_key() {
        let limiter = RateLimiter::new(Some(Rate { requests: 3, period: Duration::from_secs(3) }));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at("a", t0).is_ok());
        }
        let wait = limiter.check_at("a", t0).unwrap_err();
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1), "{wait:?}");
        assert!(limiter.check_at("b", t0).is_ok(), "keys are independent");
        assert!(limiter.check_at("a", t0 + Duration::from_secs(1)).is_ok(), "one token back after 1 s");
        assert!(limiter.check_at("a", t0 + Duration::from_secs(1)).is_err());
    }

    #[test]
    fn no_rate_never_limits() {
        let limiter = RateLimiter::new(None);
        let t0 = Instant::now();
        assert!((0..10_000).all(|_| limiter.check_at("a", t0).is_ok()));
    }

    #[test]
    fn memory_stays_bounded() {
        let limiter = RateLimiter::new(Some(Rate::per_minute(10)));
        let t0 = Instant::now();
        for i in 0..(MAX_KEYS + 10) {
            let _ = limiter.check_at(&i.to_string(), t0);
        }
        assert!(limiter.buckets.lock().unwrap().len() <= MAX_KEYS);
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_secs(Duration::from_millis(2500)), 3);
    }
}
