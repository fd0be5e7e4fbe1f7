//! Answers for the abuse limits (`crate::rate_limit`): who the caller is,
//! and the 429s with `Retry-After`.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use super::pages::error_page;
use super::AppState;
use crate::rate_limit::{retry_after_secs, RateLimiter};

/// The caller's IP (`X-Forwarded-For` only from trusted proxies), for logs
/// and audit entries. Every header line counts: a proxy that appends its own line
/// (HAProxy `option forwardfor`) leaves the client's forged line first, so
/// reading only the first line would let the client choose its address. The
/// lines are joined in order (RFC 9110 §5.3), and a line that is not text
/// becomes an entry that parses as nothing, which stops the walk there.
pub fn caller(req: &HttpRequest, state: &AppState) -> String {
    caller_ip(req, state).map(|ip| ip.to_string()).unwrap_or_default()
}

/// The caller as an abuse-limit key (`client_ip::limit_key`: IPv6 by /64).
pub fn caller_key(req: &HttpRequest, state: &AppState) -> String {
    caller_ip(req, state).map(crate::client_ip::limit_key).unwrap_or_default()
}

fn caller_ip(req: &HttpRequest, state: &AppState) -> Option<std::net::IpAddr> {
    let lines: Vec<&str> = req.headers().get_all("X-Forwarded-For").map(|v| v.to_str().unwrap_or("invalid")).collect();
    let joined = lines.join(",");
    let forwarded = (!lines.is_empty()).then_some(joined.as_str());
    let peer = req.peer_addr().map(|a| a.ip());
    crate::client_ip::client_ip(peer, forwarded, &state.auth.settings.trusted_proxies)
}

/// Token endpoint: JSON in the shape of RFC 6749 §5.2. There is no OAuth
/// code for "slow down" here; `temporarily_unavailable` tells the platform
/// to retry, never to unlink.
/// `Some(429)` when `key` is over `limiter`'s limit.
pub fn over_json(limiter: &RateLimiter, key: &str, what: &str) -> Option<HttpResponse> {
    limiter.check(key).err().map(|wait| {
        tracing::warn!(limit = what, "rate limit reached");
        too_many(wait).json(serde_json::json!({
            "error": "temporarily_unavailable",
            "error_description": "too many requests, retry later",
        }))
    })
}

/// Browser endpoints: an HTML page.
pub fn over_page(limiter: &RateLimiter, key: &str, what: &str) -> Option<HttpResponse> {
    limiter.check(key).err().map(|wait| {
        tracing::warn!(limit = what, "rate limit reached");
        let mut page = error_page(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts",
            "Too many sign-in attempts came from your network. Wait a minute and try again.",
            None,
        );
        if let Ok(value) = retry_after_secs(wait).to_string().parse() {
            page.headers_mut().insert(actix_web::http::header::RETRY_AFTER, value);
        }
        page
    })
}

fn too_many(wait: Duration) -> actix_web::HttpResponseBuilder {
    let mut r = HttpResponse::build(StatusCode::TOO_MANY_REQUESTS);
    r.insert_header(("Retry-After", retry_after_secs(wait).to_string())).insert_header(("Cache-Control", "no-store"));
    r
}
