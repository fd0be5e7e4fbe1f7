//! Answers for the abuse limits (`crate::rate_limit`): who the caller is,
//! and the 429s with `Retry-After`.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use crate::i18n::Words;
use crate::rate_limit::{retry_after_secs, RateLimiter};
use crate::web::error_page;

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

/// Browser endpoints: an HTML page in `t`'s language.
pub fn over_page(limiter: &RateLimiter, key: &str, what: &str, t: Words) -> Option<HttpResponse> {
    limiter.check(key).err().map(|wait| {
        tracing::warn!(limit = what, "rate limit reached");
        let (title, message) = (t.get("error-too-many-title"), t.get("error-too-many"));
        let mut page = error_page(StatusCode::TOO_MANY_REQUESTS, t, &title, &message, None);
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
