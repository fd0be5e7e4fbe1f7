//! `linkbroker doctor URL`: probes a deployment from the outside as Alexa and
//! Google would, and says for each check what it saw and the fix in one
//! sentence. "Unable to link the skill at this time" is what developers see
//! when any of these is wrong, and Alexa does not say which.

use std::time::Duration;

use serde::Serialize;

mod alexa;
mod server;
mod tls;
mod token;

use server::metadata;
use tls::{certificate_lifetime, public_ca, publicly_trusted, tls_reason};

/// Alexa gives the token endpoint about 4.5 s.
const ALEXA_BUDGET: Duration = Duration::from_millis(4500);
const SLOW: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub verdict: Verdict,
    /// What was seen.
    pub seen: String,
    /// The fix in one sentence (empty on a pass).
    pub fix: String,
}

fn check(name: &'static str, verdict: Verdict, seen: impl Into<String>, fix: impl Into<String>) -> Check {
    Check { name, verdict, seen: seen.into(), fix: fix.into() }
}

/// What to probe.
pub struct Target {
    pub url: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub vendor_id: Option<String>,
    pub google_project: Option<String>,
    /// Extra trusted roots (PEM), for private CAs.
    pub ca_pem: Option<Vec<u8>>,
    /// The scopes the skill's console asks for (Alexa sends them on the
    /// authorize request); `profile` when none are given.
    pub scopes: Vec<String>,
}

/// The most of any answer doctor reads: a server that sends more is not
/// linkbroker, and must not make doctor run out of memory.
const MAX_BODY: usize = 64 * 1024;

/// A response body, up to `MAX_BODY` bytes (an error past that).
async fn body_of(mut resp: reqwest::Response) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(format!("the answer is larger than {} KB", MAX_BODY / 1024));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A response body as JSON, read within `MAX_BODY`.
async fn json_of(resp: reqwest::Response) -> Result<serde_json::Value, String> {
    serde_json::from_slice(&body_of(resp).await?).map_err(|_| "not JSON".to_string())
}

struct Probe {
    http: reqwest::Client,
    base: String,
    /// The scope Alexa sends on the authorize request.
    scope: String,
}

pub async fn run(target: &Target) -> anyhow::Result<Vec<Check>> {
    let base = target.url.trim_end_matches('/').to_string();
    let url = url::Url::parse(&base).map_err(|e| anyhow::anyhow!("{base} is not a URL: {e}"))?;
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .tls_info(true)
        .user_agent("linkbroker-doctor");
    if let Some(pem) = &target.ca_pem {
        for cert in reqwest::Certificate::from_pem_bundle(pem)? {
            builder = builder.add_root_certificate(cert);
        }
    }
    let probe = Probe {
        http: builder.build()?,
        base: base.clone(),
        scope: if target.scopes.is_empty() { "profile".into() } else { target.scopes.join(" ") },
    };
    let mut checks = Vec::new();

    // TLS and the port: everything else depends on reaching the server.
    let metadata_url = format!("{base}/.well-known/oauth-authorization-server");
    let first = probe.http.get(&metadata_url).send().await;
    if url.scheme() != "https" {
        checks.push(check("tls", Verdict::Fail, format!("{} is not HTTPS", url.scheme()), "Alexa and Google only link over HTTPS: serve linkbroker behind TLS (LINKBROKER_TLS_CERT/KEY or a proxy) and use the https:// URL."));
        if let Err(e) = &first {
            checks.push(check(
                "connect",
                Verdict::Fail,
                format!("cannot connect: {}", tls_reason(e)),
                "Start linkbroker, or check the URL, port and firewall.",
            ));
        }
    } else {
        match &first {
            Ok(resp) => {
                checks.push(certificate_lifetime(resp));
                if target.ca_pem.is_some() {
                    checks.push(public_ca(publicly_trusted(&metadata_url).await));
                }
            }
            Err(e) => {
                let reason = tls_reason(e);
                let r = reason.to_lowercase().replace([' ', '_'], "");
                let fix = if r.contains("unknownissuer") || r.contains("badsignature") {
                    "Serve the whole chain (the certificate and its intermediates) from a public CA; an incomplete chain or a private CA is refused by Alexa."
                } else if r.contains("expired") || r.contains("notvalidyet") {
                    "Renew the certificate (Alexa refuses expired ones); automate it, e.g. with certbot or Caddy."
                } else if r.contains("notvalidforname") {
                    "Use a certificate whose names include this host."
                } else {
                    "Make the server reachable over HTTPS at this URL."
                };
                checks.push(check("tls", Verdict::Fail, format!("cannot connect: {reason}"), fix));
            }
        }
    }
    if url.port_or_known_default() != Some(443) {
        checks.push(check(
            "port",
            Verdict::Warn,
            format!("port {}", url.port_or_known_default().unwrap_or(0)),
            "Alexa only calls port 443: publish linkbroker on 443 before you press Link.",
        ));
    }
    let Ok(first) = first else { return Ok(checks) };

    checks.push(metadata(first, &base).await);
    checks.push(probe.clock().await);
    if let Some(id) = &target.client_id {
        checks.extend(probe.redirects(id, target.vendor_id.as_deref(), target.google_project.as_deref()).await);
        if let Some(secret) = &target.client_secret {
            checks.extend(probe.token(id, secret).await);
        }
    }
    checks.push(probe.skill().await);
    checks.push(probe.app_callback().await);
    checks.push(check(
        "lwa-return-url",
        Verdict::Pass,
        format!("{base}/oauth/callback"),
        "Register this exact URL under Allowed Return URLs in the Login with Amazon security profile.",
    ));
    Ok(checks)
}

/// Prints one line per check (or the JSON report); true when nothing failed.
pub fn report(checks: &[Check], json: bool) -> bool {
    let ok = checks.iter().all(|c| c.verdict != Verdict::Fail);
    if json {
        let doc = serde_json::json!({ "ok": ok, "checks": checks });
        println!("{doc}");
    } else {
        for c in checks {
            let mark = match c.verdict {
                Verdict::Pass => "pass",
                Verdict::Warn => "warn",
                Verdict::Fail => "FAIL",
            };
            if c.fix.is_empty() || c.verdict == Verdict::Pass && c.name != "lwa-return-url" {
                println!("{mark}  {:<20} {}", c.name, c.seen);
            } else {
                println!("{mark}  {:<20} {}\n      {:<20} fix: {}", c.name, c.seen, "", c.fix);
            }
        }
    }
    ok
}
