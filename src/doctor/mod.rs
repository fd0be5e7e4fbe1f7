//! `linkbroker doctor URL`: probes a deployment from the outside as Alexa and
//! Google would, and says for each check what it saw and the fix in one
//! sentence. "Unable to link the skill at this time" is what developers see
//! when any of these is wrong, and Alexa does not say which.

use std::time::Duration;

use serde::Serialize;

mod token;

/// Alexa's account-linking redirect hosts, one per region.
const ALEXA_HOSTS: [(&str, &str); 3] =
    [("NA", "pitangui.amazon.com"), ("EU", "layla.amazon.com"), ("FE", "alexa.amazon.co.jp")];
/// Alexa gives the token endpoint about 4.5 s.
const ALEXA_BUDGET: Duration = Duration::from_millis(4500);
const SLOW: Duration = Duration::from_secs(2);
/// Alexa signatures allow 150 s of skew; more than this is a warning sign.
const MAX_SKEW: i64 = 30;
/// A certificate expiring sooner than this is a warning.
const RENEW_WITHIN: i64 = 14 * 86_400;

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
}

struct Probe {
    http: reqwest::Client,
    base: String,
}

/// The plain reason in a TLS failure's error chain.
fn tls_reason(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = s.to_string();
        source = s.source();
    }
    text
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
    let probe = Probe { http: builder.build()?, base: base.clone() };
    let mut checks = Vec::new();

    // TLS and the port: everything else depends on reaching the server.
    let metadata_url = format!("{base}/.well-known/oauth-authorization-server");
    let first = probe.http.get(&metadata_url).send().await;
    if url.scheme() != "https" {
        checks.push(check("tls", Verdict::Fail, format!("{} is not HTTPS", url.scheme()), "Alexa and Google only link over HTTPS: serve linkbroker behind TLS (LINKBROKER_TLS_CERT/KEY or a proxy) and use the https:// URL."));
    } else {
        match &first {
            Ok(resp) => checks.push(certificate_lifetime(resp)),
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
    checks.push(check(
        "lwa-return-url",
        Verdict::Pass,
        format!("{base}/oauth/callback"),
        "Register this exact URL under Allowed Return URLs in the Login with Amazon security profile.",
    ));
    Ok(checks)
}

/// A certificate that verified: how long until it expires (a warning
/// inside `RENEW_WITHIN`, when renewal has evidently stalled).
fn certificate_lifetime(resp: &reqwest::Response) -> Check {
    use x509_cert::der::Decode;
    let leaf = resp.extensions().get::<reqwest::tls::TlsInfo>().and_then(|i| i.peer_certificate());
    let not_after = leaf
        .and_then(|der| x509_cert::Certificate::from_der(der).ok())
        .map(|c| c.tbs_certificate.validity.not_after.to_unix_duration().as_secs() as i64);
    let Some(not_after) = not_after else {
        return check("tls", Verdict::Pass, "the certificate chain verifies and names the host", "");
    };
    let days = (not_after - crate::clock::now()) / 86_400;
    if not_after - crate::clock::now() < RENEW_WITHIN {
        return check(
            "tls",
            Verdict::Warn,
            format!("the certificate expires in {days} days"),
            "Renew the certificate now and check its automatic renewal (Alexa refuses expired ones).",
        );
    }
    check("tls", Verdict::Pass, format!("the chain verifies and names the host; {days} days left"), "")
}

/// RFC 8414 metadata: reachable, its issuer is the URL, every endpoint is on
/// this origin over HTTPS.
async fn metadata(resp: reqwest::Response, base: &str) -> Check {
    let status = resp.status();
    let Ok(doc) = resp.json::<serde_json::Value>().await else {
        return check(
            "metadata",
            Verdict::Fail,
            format!("HTTP {status}, not JSON"),
            "Point the URL at linkbroker itself (its /.well-known/oauth-authorization-server must answer).",
        );
    };
    let issuer = doc["issuer"].as_str().unwrap_or("");
    if issuer.trim_end_matches('/') != base {
        return check(
            "metadata",
            Verdict::Fail,
            format!("issuer is {issuer:?}"),
            format!("Set LINKBROKER_PUBLIC_URL={base} so the issuer matches the URL Alexa uses."),
        );
    }
    let foreign: Vec<String> = ["authorization_endpoint", "token_endpoint"]
        .iter()
        .filter_map(|k| doc[*k].as_str().map(|v| (k, v)))
        .filter(|(_, v)| !v.starts_with(base) || !v.starts_with("https://"))
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    if !foreign.is_empty() {
        return check(
            "metadata",
            Verdict::Fail,
            foreign.join(", "),
            "Set LINKBROKER_PUBLIC_URL to the public https URL, so every endpoint is on it.",
        );
    }
    check("metadata", Verdict::Pass, format!("issuer {issuer}"), "")
}

impl Probe {
    async fn clock(&self) -> Check {
        let Ok(resp) = self.http.get(format!("{}/healthz", self.base)).send().await else {
            return check("clock", Verdict::Warn, "no answer from /healthz", "Make /healthz reachable.");
        };
        let date = resp.headers().get("date").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let Some(theirs) = httpdate(&date) else {
            return check(
                "clock",
                Verdict::Warn,
                format!("no usable Date header ({date:?})"),
                "Let the server send a Date header.",
            );
        };
        let skew = theirs - crate::clock::now();
        if skew.abs() > MAX_SKEW {
            return check(
                "clock",
                Verdict::Fail,
                format!("the server's clock is {skew} s off"),
                "Run NTP (chrony, systemd-timesyncd) on the server: Alexa signatures allow 150 s.",
            );
        }
        check("clock", Verdict::Pass, format!("{skew} s from this machine"), "")
    }

    fn authorize_url(&self, client_id: &str, redirect: &str) -> String {
        let q = serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect),
            ("state", "doctor"),
        ])
        .unwrap_or_default();
        format!("{}/oauth/authorize?{q}", self.base)
    }

    /// Whether authorize accepts `redirect` (it redirects onward instead of
    /// showing the error page), and where it sends the browser.
    async fn accepts(&self, client_id: &str, redirect: &str) -> (bool, Option<String>) {
        match self.http.get(self.authorize_url(client_id, redirect)).send().await {
            Ok(r) if r.status().is_redirection() => {
                (true, r.headers().get("location").and_then(|l| l.to_str().ok()).map(str::to_string))
            }
            _ => (false, None),
        }
    }

    async fn redirects(&self, client_id: &str, vendor: Option<&str>, google: Option<&str>) -> Vec<Check> {
        let mut out = Vec::new();
        if let Some(vendor) = vendor {
            let mut missing = Vec::new();
            let mut upstream = None;
            for (region, host) in ALEXA_HOSTS {
                let (ok, location) = self.accepts(client_id, &format!("https://{host}/api/skill/link/{vendor}")).await;
                if ok {
                    upstream = upstream.or(location);
                } else {
                    missing.push(region);
                }
            }
            out.push(if missing.is_empty() {
                check("alexa-redirects", Verdict::Pass, "all three regions are registered", "")
            } else {
                check(
                    "alexa-redirects",
                    Verdict::Fail,
                    format!("not registered for {}", missing.join(", ")),
                    format!("Add the missing Alexa redirect URLs to client {client_id} (the admin client page's Alexa preset adds all three)."),
                )
            });
            if let Some(to) = upstream.and_then(|l| url::Url::parse(&l).ok()) {
                out.push(check(
                    "lwa-hosts",
                    Verdict::Pass,
                    format!("sign-in goes to {}", to.host_str().unwrap_or("?")),
                    "",
                ));
            }
        } else {
            out.push(check(
                "alexa-redirects",
                Verdict::Warn,
                "not checked",
                "Give --vendor-id (from the Alexa console's Account Linking page) to check every region.",
            ));
        }
        if let Some(project) = google {
            let (ok, _) =
                self.accepts(client_id, &format!("https://oauth-redirect.googleusercontent.com/r/{project}")).await;
            out.push(if ok {
                check("google-redirect", Verdict::Pass, "registered", "")
            } else {
                check(
                    "google-redirect",
                    Verdict::Fail,
                    "not registered",
                    format!("Add https://oauth-redirect.googleusercontent.com/r/{project} to client {client_id}."),
                )
            });
        }
        out
    }

    async fn skill(&self) -> Check {
        let resp = self
            .http
            .post(format!("{}/alexa", self.base))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await;
        match resp {
            Ok(r) if r.status() == 400 => {
                check("skill-endpoint", Verdict::Pass, "an unsigned request is refused with 400", "")
            }
            Ok(r) if r.status().is_success() => check(
                "skill-endpoint",
                Verdict::Fail,
                format!("an unsigned request got HTTP {}", r.status()),
                "Set LINKBROKER_ALEXA_VERIFY_SIGNATURE=true: Alexa certification requires refusing unsigned requests.",
            ),
            Ok(r) => check(
                "skill-endpoint",
                Verdict::Warn,
                format!("HTTP {}", r.status()),
                "POST /alexa should answer an unsigned request with 400.",
            ),
            Err(e) => check(
                "skill-endpoint",
                Verdict::Warn,
                format!("no answer: {e}"),
                "Make POST /alexa reachable if a custom skill uses it.",
            ),
        }
    }
}

/// An IMF-fixdate (`Tue, 01 Dec 2026 10:00:00 GMT`) as Unix seconds.
fn httpdate(raw: &str) -> Option<i64> {
    let parts: Vec<&str> = raw.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = parts.as_slice() else { return None };
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .iter()
        .position(|m| m == month)? as i64
        + 1;
    let hms: Vec<i64> = time.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let [h, m, s] = hms.as_slice() else { return None };
    let days = crate::clock::days_from_civil(year.parse().ok()?, month, day.parse().ok()?);
    Some(days * 86_400 + h * 3600 + m * 60 + s)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_parse() {
        assert_eq!(httpdate("Thu, 01 Jan 1970 00:00:10 GMT"), Some(10));
        assert_eq!(httpdate("Tue, 01 Dec 2026 10:00:00 GMT"), Some(1_796_119_200));
        assert_eq!(httpdate("yesterday"), None);
    }
}
