//! Prometheus metrics served at `GET /metrics` (text format 0.0.4).
//!
//! One registry per `Application`, not the crate's global default, so every
//! test app (and every instance in a process) counts only its own requests.
//! Label values come from small fixed sets (route patterns, status codes,
//! reason names): never from request data, which would let a client blow up
//! the number of series.

use std::sync::Arc;
use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

use crate::oauth::{ErrorCode, OAuthError};
use crate::store::Store;

/// Request latency buckets, seconds: token and userinfo answer in
/// milliseconds; the upstream callback can take seconds.
const LATENCY_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    registry: Registry,
    requests: IntCounterVec,
    request_seconds: HistogramVec,
    links_created: IntCounter,
    refreshes: IntCounter,
    refresh_reuse: IntCounter,
    invalid_grants: IntCounterVec,
    upstream_seconds: HistogramVec,
    upstream_errors: IntCounterVec,
    pool: IntGaugeVec,
    cache_lookups: IntCounterVec,
    alexa_events: IntCounterVec,
    amazon_refreshes: IntCounterVec,
    alexa_unlinks: IntCounterVec,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let counter = |name: &str, help: &str| {
            let c = IntCounter::new(name, help).expect("valid metric name");
            registry.register(Box::new(c.clone())).expect("unique metric name");
            c
        };
        let counter_vec = |name: &str, help: &str, labels: &[&str]| {
            let c = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric name");
            registry.register(Box::new(c.clone())).expect("unique metric name");
            c
        };
        let histogram_vec = |name: &str, help: &str, labels: &[&str]| {
            let h = HistogramVec::new(HistogramOpts::new(name, help).buckets(LATENCY_BUCKETS.to_vec()), labels)
                .expect("valid metric name");
            registry.register(Box::new(h.clone())).expect("unique metric name");
            h
        };
        let pool = IntGaugeVec::new(
            Opts::new("linkbroker_db_pool_connections", "Database pool connections by state (open, idle, in_use)"),
            &["state"],
        )
        .expect("valid metric name");
        registry.register(Box::new(pool.clone())).expect("unique metric name");
        let cache_lookups = counter_vec(
            "linkbroker_access_cache_lookups_total",
            "Token-resolution cache lookups by result (hit, miss); hit rate = hit / (hit + miss)",
            &["result"],
        );
        let inner = Inner {
            cache_lookups,
            requests: counter_vec(
                "linkbroker_http_requests_total",
                "HTTP requests by method, route pattern and status",
                &["method", "route", "status"],
            ),
            request_seconds: histogram_vec(
                "linkbroker_http_request_duration_seconds",
                "HTTP request latency by method, route pattern and status",
                &["method", "route", "status"],
            ),
            links_created: counter(
                "linkbroker_links_created_total",
                "Links created: authorization codes exchanged for tokens",
            ),
            refreshes: counter("linkbroker_refreshes_total", "Successful refresh_token grants"),
            refresh_reuse: counter(
                "linkbroker_refresh_reuse_detected_total",
                "Refresh tokens replayed outside the grace window (the link was revoked)",
            ),
            invalid_grants: counter_vec(
                "linkbroker_invalid_grant_total",
                "invalid_grant answers of the token endpoint by grant type and reason",
                &["grant_type", "reason"],
            ),
            upstream_seconds: histogram_vec(
                "linkbroker_upstream_request_duration_seconds",
                "Upstream login (code exchange + profile) latency by provider and outcome",
                &["provider", "outcome"],
            ),
            upstream_errors: counter_vec(
                "linkbroker_upstream_errors_total",
                "Failed upstream logins by provider and kind (timeout, rejected, unreachable)",
                &["provider", "kind"],
            ),
            alexa_events: counter_vec(
                "linkbroker_alexa_events_total",
                "Smart Home events sent to the Alexa event gateway by outcome (accepted, refused, dropped, unavailable, no_grant)",
                &["outcome"],
            ),
            amazon_refreshes: counter_vec(
                "linkbroker_amazon_token_refreshes_total",
                "Amazon access-token refreshes for Smart Home grants by outcome (ok, invalid_grant, failed)",
                &["outcome"],
            ),
            alexa_unlinks: counter_vec(
                "linkbroker_alexa_unlinks_total",
                "Unlinks sent to Alexa's Skill Enablement API by outcome (queued, delivered, retried, abandoned)",
                &["outcome"],
            ),
            pool,
            registry,
        };
        Self(Arc::new(inner))
    }

    /// One step of an unlink: `queued` (first taken from the queue),
    /// `delivered` (Alexa answered 2xx, 401 or 404), `retried`, `abandoned`.
    pub fn observe_alexa_unlink(&self, outcome: &str) {
        self.0.alexa_unlinks.with_label_values(&[outcome]).inc();
    }

    /// One Smart Home event's outcome.
    pub fn observe_alexa_event(&self, outcome: &str) {
        self.0.alexa_events.with_label_values(&[outcome]).inc();
    }

    /// One Amazon token refresh's outcome.
    pub fn observe_amazon_refresh(&self, outcome: &str) {
        self.0.amazon_refreshes.with_label_values(&[outcome]).inc();
    }

    /// One finished HTTP request; `route` is the matched pattern, not the path.
    pub fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        // HTTP allows any token as a method; only the standard ones become
        // label values, so made-up methods cannot create new series.
        const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];
        let method = METHODS.iter().find(|m| **m == method).copied().unwrap_or("OTHER");
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.0.requests.with_label_values(&labels).inc();
        self.0.request_seconds.with_label_values(&labels).observe(elapsed.as_secs_f64());
    }

    /// The outcome of one token-endpoint grant.
    pub fn observe_grant<T>(&self, grant_type: &str, result: &Result<T, OAuthError>) {
        match result {
            Ok(_) if grant_type == "authorization_code" => self.0.links_created.inc(),
            Ok(_) if grant_type == "refresh_token" => self.0.refreshes.inc(),
            Err(e) if e.code == ErrorCode::InvalidGrant => {
                let reason = invalid_grant_reason(&e.description);
                if reason == "refresh_reused" {
                    self.0.refresh_reuse.inc();
                }
                self.0.invalid_grants.with_label_values(&[grant_label(grant_type), reason]).inc();
            }
            _ => {}
        }
    }

    /// One upstream login; `error_kind` is `None` on success.
    pub fn observe_upstream(&self, provider: &str, error_kind: Option<&str>, elapsed: Duration) {
        let outcome = if error_kind.is_some() { "error" } else { "ok" };
        self.0.upstream_seconds.with_label_values(&[provider, outcome]).observe(elapsed.as_secs_f64());
        if let Some(kind) = error_kind {
            self.0.upstream_errors.with_label_values(&[provider, kind]).inc();
        }
    }

    /// The text exposition, with the pool gauges and the cache counts
    /// (`(hits, misses)` so far) read at scrape time.
    pub fn render(&self, store: &Store, cache: (u64, u64)) -> String {
        let (open, idle) = store.pool_stats();
        self.set_pool(i64::from(open), i64::try_from(idle).unwrap_or(i64::MAX));
        for (result, total) in [("hit", cache.0), ("miss", cache.1)] {
            let counter = self.0.cache_lookups.with_label_values(&[result]);
            counter.inc_by(total.saturating_sub(counter.get()));
        }
        self.encode()
    }

    fn set_pool(&self, open: i64, idle: i64) {
        let pool = &self.0.pool;
        pool.with_label_values(&["open"]).set(open);
        pool.with_label_values(&["idle"]).set(idle);
        pool.with_label_values(&["in_use"]).set(open.saturating_sub(idle));
    }

    fn encode(&self) -> String {
        let mut out = Vec::new();
        // Encoding our own well-formed families into a Vec cannot fail.
        let _ = TextEncoder::new().encode(&self.0.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

fn grant_label(grant_type: &str) -> &'static str {
    match grant_type {
        "authorization_code" => "authorization_code",
        "refresh_token" => "refresh_token",
        _ => "other",
    }
}

/// A fixed label for an `invalid_grant` description (see `oauth/code_grant.rs`
/// and `oauth/refresh_grant.rs`), so the reason is countable without letting
/// free text into label values.
pub fn invalid_grant_reason(description: &str) -> &'static str {
    const REASONS: &[(&str, &str)] = &[
        ("already used; the link has been revoked", "refresh_reused"),
        ("code was already used", "code_reused"),
        ("has expired", "expired"),
        ("has been revoked", "revoked"),
        ("user is disabled", "user_disabled"),
        ("another client", "wrong_client"),
        ("redirect_uri", "redirect_uri_mismatch"),
        ("code_verifier", "pkce_failed"),
        ("is invalid", "unknown_token"),
    ];
    REASONS.iter().find(|(needle, _)| description.contains(needle)).map(|(_, reason)| *reason).unwrap_or("other")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_grant_reasons_are_a_fixed_set() {
        assert_eq!(
            invalid_grant_reason("the refresh token was already used; the link has been revoked"),
            "refresh_reused"
        );
        assert_eq!(invalid_grant_reason("the link has been revoked"), "revoked");
        assert_eq!(invalid_grant_reason("the authorization code was already used"), "code_reused");
        assert_eq!(invalid_grant_reason("the refresh token is invalid"), "unknown_token");
        assert_eq!(invalid_grant_reason("code_verifier does not match the code_challenge"), "pkce_failed");
        assert_eq!(invalid_grant_reason("something new"), "other");
    }

    #[test]
    fn reuse_counts_both_as_reuse_and_as_invalid_grant() {
        let m = Metrics::new();
        let err: Result<(), _> =
            Err(OAuthError::invalid_grant("the refresh token was already used; the link has been revoked"));
        m.observe_grant("refresh_token", &err);
        m.observe_grant("bogus<script>", &err);
        m.observe_request("X-MADE-UP", "unmatched", 404, Duration::from_millis(1));
        assert!(m.encode().contains(r#"method="OTHER""#) && !m.encode().contains("X-MADE-UP"));
        assert_eq!(m.0.refresh_reuse.get(), 2);
        assert_eq!(m.0.invalid_grants.with_label_values(&["other", "refresh_reused"]).get(), 1);
    }

    /// The sample Grafana dashboard must only query series we export.
    #[test]
    fn the_grafana_dashboard_queries_only_exported_metrics() {
        let m = Metrics::new();
        m.observe_request("GET", "/healthz", 200, Duration::from_millis(1));
        m.observe_grant::<()>("authorization_code", &Ok(()));
        m.observe_grant::<()>("refresh_token", &Ok(()));
        m.observe_grant::<()>("refresh_token", &Err(OAuthError::invalid_grant("the link has been revoked")));
        m.observe_upstream("lwa", Some("timeout"), Duration::from_secs(1));
        m.set_pool(2, 1);
        let exported = m.encode();
        let dashboard = include_str!("../deploy/grafana/linkbroker-dashboard.json");
        let mut checked = 0;
        for (at, _) in dashboard.match_indices("linkbroker_") {
            let name: String = dashboard[at..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
            assert!(exported.contains(&format!("\n{name}")), "the dashboard queries {name}, which is not exported");
            checked += 1;
        }
        assert!(checked >= 8, "the dashboard should chart the linkbroker metrics");
    }
}
