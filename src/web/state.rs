//! The state every handler shares, built once in `startup`.

use actix_web::HttpRequest;

use crate::metrics::Metrics;
use crate::oauth::AuthServer;
use crate::rate_limit::RateLimits;
use crate::upstream::Upstream;

/// Shared by every handler.
pub struct AppState {
    pub auth: AuthServer,
    /// The management use cases (admin UI and API), clearing this
    /// instance's caches.
    pub manage: crate::manage::Manager,
    pub upstream: Upstream,
    /// Cookies get `Secure` unless the public URL is plain http on loopback.
    pub secure_cookies: bool,
    /// Proves `/alexa` requests come from Alexa; `None` only when
    /// `LINKBROKER_ALEXA_VERIFY_SIGNATURE=false` (warned at startup).
    pub alexa_verifier: Option<crate::alexa::SignatureVerifier>,
    /// Smart Home AcceptGrant and events (`/alexa/smart-home`, `/alexa/events`).
    pub smart_home: std::sync::Arc<crate::alexa::smart_home::SmartHome>,
    /// Amazon for app-to-app linking (`/account/alexa/*`): the Alexa
    /// client's tokens and the Skill Enablement API.
    pub alexa_app: std::sync::Arc<crate::alexa::amazon::AmazonApi>,
    /// What Alexa said of each app-to-app link, for a minute (the account page).
    pub account_views: crate::account_page::alexa_view::ViewCache,
    /// Counters behind `/metrics`.
    pub metrics: Metrics,
    /// Per-instance abuse limits.
    pub limits: RateLimits,
    /// Concurrent admin password verifications (argon2id, about 19 MiB
    /// each); a sign-in past the cap is answered 503 at once.
    pub password_checks: std::sync::Arc<tokio::sync::Semaphore>,
}

/// How many admin password verifications may run at once per instance.
pub const PASSWORD_CHECKS: usize = 4;

impl AppState {
    /// The caller's IP (`X-Forwarded-For` only from trusted proxies), for logs
    /// and audit entries. Every header line counts: a proxy that appends its own line
    /// (HAProxy `option forwardfor`) leaves the client's forged line first, so
    /// reading only the first line would let the client choose its address. The
    /// lines are joined in order (RFC 9110 §5.3), and a line that is not text
    /// becomes an entry that parses as nothing, which stops the walk there.
    pub fn caller(&self, req: &HttpRequest) -> String {
        self.caller_ip(req).map(|ip| ip.to_string()).unwrap_or_default()
    }

    /// The caller as an abuse-limit key (`client_ip::limit_key`: IPv6 by /64).
    pub fn caller_key(&self, req: &HttpRequest) -> String {
        self.caller_ip(req).map(crate::client_ip::limit_key).unwrap_or_default()
    }

    fn caller_ip(&self, req: &HttpRequest) -> Option<std::net::IpAddr> {
        let lines: Vec<&str> =
            req.headers().get_all("X-Forwarded-For").map(|v| v.to_str().unwrap_or("invalid")).collect();
        let joined = lines.join(",");
        let forwarded = (!lines.is_empty()).then_some(joined.as_str());
        let peer = req.peer_addr().map(|a| a.ip());
        crate::client_ip::client_ip(peer, forwarded, &self.auth.settings.trusted_proxies)
    }
}
