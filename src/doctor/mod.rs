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

/// Whether `url`'s certificate chain verifies with the public roots alone
/// (the ones Alexa and Google trust), without `--ca-file`.
async fn publicly_trusted(url: &str) -> bool {
    let Ok(http) =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(Duration::from_secs(10)).build()
    else {
        return false;
    };
    http.get(url).send().await.is_ok()
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
    checks.push(check(
        "lwa-return-url",
        Verdict::Pass,
        format!("{base}/oauth/callback"),
        "Register this exact URL under Allowed Return URLs in the Login with Amazon security profile.",
    ));
    Ok(checks)
}

/// The metadata's endpoints that are not on `base`'s origin over HTTPS,
/// compared as parsed origins: `https://HOST@evil.example/...` starts with
/// the base URL's text but is another host.
fn foreign_endpoints(doc: &serde_json::Value, base: &str) -> Vec<String> {
    let origin = url::Url::parse(base).map(|u| u.origin()).ok();
    let on_origin = |v: &str| {
        url::Url::parse(v).is_ok_and(|u| u.scheme() == "https" && Some(u.origin()) == origin && u.username().is_empty())
    };
    ["authorization_endpoint", "token_endpoint"]
        .iter()
        .map(|k| (k, doc[*k].as_str().unwrap_or("(missing)")))
        .filter(|(_, v)| !on_origin(v))
        .map(|(k, v)| format!("{k} {v}"))
        .collect()
}

/// With `--ca-file`: whether the chain also verifies with the public roots
/// alone. Alexa and Google trust only those.
fn public_ca(publicly_trusted: bool) -> Check {
    if publicly_trusted {
        return check("tls-public-ca", Verdict::Pass, "the chain verifies with the public roots alone", "");
    }
    check(
        "tls-public-ca",
        Verdict::Fail,
        "the chain verifies only with --ca-file: the certificate comes from a private CA",
        "Alexa and Google accept only certificates from a public CA: use one (Let's Encrypt through Caddy or certbot is free) before you press Link.",
    )
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
    let doc = match json_of(resp).await {
        Ok(doc) => doc,
        Err(why) => {
            return check(
                "metadata",
                Verdict::Fail,
                format!("HTTP {status}, {why}"),
                "Point the URL at linkbroker itself (its /.well-known/oauth-authorization-server must answer).",
            )
        }
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
    let foreign = foreign_endpoints(&doc, base);
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

    /// The authorize request Alexa sends (with the console's scope).
    fn authorize_url(&self, client_id: &str, redirect: &str) -> String {
        let q = serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect),
            ("state", "doctor"),
            ("scope", self.scope.as_str()),
        ])
        .unwrap_or_default();
        format!("{}/oauth/authorize?{q}", self.base)
    }

    /// What authorize does with Alexa's request for `redirect`.
    async fn authorize(&self, client_id: &str, redirect: &str) -> Authorized {
        let Ok(r) = self.http.get(self.authorize_url(client_id, redirect)).send().await else {
            return Authorized::Unregistered;
        };
        let location = r.headers().get("location").and_then(|l| l.to_str().ok()).map(str::to_string);
        match location {
            Some(to) if r.status().is_redirection() => {
                // An error sent back to the redirect URI (RFC 6749 §4.1.2.1):
                // the URI is registered, but the request is refused.
                let error = url::Url::parse(&to).ok().filter(|u| u.as_str().starts_with(redirect)).and_then(|u| {
                    let pairs: Vec<(String, String)> = u.query_pairs().into_owned().collect();
                    let error = pairs.iter().find(|(k, _)| k == "error").map(|(_, v)| v.clone())?;
                    let said = pairs.iter().find(|(k, _)| k == "error_description").map(|(_, v)| v.clone());
                    Some(match said {
                        Some(d) => format!("{error}: {d}"),
                        None => error,
                    })
                });
                match error {
                    Some(e) => Authorized::Refused(e),
                    None => Authorized::Onward(to),
                }
            }
            _ => Authorized::Unregistered,
        }
    }

    async fn redirects(&self, client_id: &str, vendor: Option<&str>, google: Option<&str>) -> Vec<Check> {
        let mut out = Vec::new();
        if let Some(vendor) = vendor {
            let mut missing = Vec::new();
            let mut upstream = None;
            let mut refused = None;
            for (region, host) in ALEXA_HOSTS {
                match self.authorize(client_id, &format!("https://{host}/api/skill/link/{vendor}")).await {
                    Authorized::Onward(to) => upstream = upstream.or(Some(to)),
                    Authorized::Refused(why) => refused = refused.or(Some(why)),
                    Authorized::Unregistered => missing.push(region),
                }
            }
            if let Some(why) = refused {
                out.push(check(
                    "alexa-scope",
                    Verdict::Fail,
                    format!("Alexa's authorize request (scope {:?}) is refused: {why}", self.scope),
                    format!(
                        "Allow the scope the Alexa console's Account Linking page lists on client {client_id} (`linkbroker client add --scope profile`, or the admin client page), or pass the console's scopes with --scope."
                    ),
                ));
            } else if upstream.is_some() {
                out.push(check("alexa-scope", Verdict::Pass, format!("scope {:?} is accepted", self.scope), ""));
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
            let registered = !matches!(
                self.authorize(client_id, &format!("https://oauth-redirect.googleusercontent.com/r/{project}")).await,
                Authorized::Unregistered
            );
            out.push(if registered {
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

    /// An unsigned, well-formed, current request (a LaunchRequest with a
    /// fresh timestamp) must be refused: anything less proves nothing,
    /// since a malformed body is refused before signatures matter.
    async fn skill(&self) -> Check {
        let now = crate::alexa::timestamp::format_iso8601(crate::clock::now());
        let body = serde_json::json!({
            "version": "1.0",
            "session": { "new": true, "sessionId": "amzn1.echo-api.session.doctor",
                "application": { "applicationId": "amzn1.ask.skill.doctor" },
                "user": { "userId": "amzn1.ask.account.DOCTOR" } },
            "context": { "System": { "application": { "applicationId": "amzn1.ask.skill.doctor" },
                "user": { "userId": "amzn1.ask.account.DOCTOR" }, "apiEndpoint": "https://api.amazonalexa.com" } },
            "request": { "type": "LaunchRequest", "requestId": "amzn1.echo-api.request.doctor",
                "timestamp": now, "locale": "en-US" }
        });
        let resp = self.http.post(format!("{}/alexa", self.base)).json(&body).send().await;
        match resp {
            Ok(r) if r.status() == 400 => {
                check("skill-endpoint", Verdict::Pass, "an unsigned, current LaunchRequest is refused with 400", "")
            }
            Ok(r) if r.status().is_success() => check(
                "skill-endpoint",
                Verdict::Fail,
                format!("an unsigned, current LaunchRequest got HTTP {}", r.status()),
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

/// What the authorize endpoint did with a request.
enum Authorized {
    /// On to the sign-in (the Location).
    Onward(String),
    /// Sent back to the redirect URI with an error (registered, refused).
    Refused(String),
    /// The error page: the redirect URI is not registered (or no answer).
    Unregistered,
}

/// An IMF-fixdate (`Tue, 01 Dec 2026 10:00:00 GMT`) as Unix seconds; `None`
/// for anything else, out-of-range fields included (a nonsense date must not
/// wrap around into a plausible one).
fn httpdate(raw: &str) -> Option<i64> {
    let parts: Vec<&str> = raw.split_whitespace().collect();
    let [weekday, day, month, year, time, "GMT"] = parts.as_slice() else { return None };
    if !["Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,", "Sun,"].contains(weekday) {
        return None;
    }
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .iter()
        .position(|m| m == month)? as i64
        + 1;
    let number = |raw: &str, digits: usize, range: std::ops::RangeInclusive<i64>| {
        let n: i64 = raw.parse().ok().filter(|_| raw.len() == digits && raw.bytes().all(|b| b.is_ascii_digit()))?;
        range.contains(&n).then_some(n)
    };
    let (day, year) = (number(day, 2, 1..=31)?, number(year, 4, 1970..=9999)?);
    let hms: Vec<&str> = time.split(':').collect();
    let [h, m, s] = hms.as_slice() else { return None };
    let (h, m, s) = (number(h, 2, 0..=23)?, number(m, 2, 0..=59)?, number(s, 2, 0..=60)?);
    let days = crate::clock::days_from_civil(year, month, day);
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
    fn a_chain_from_a_public_ca_passes_and_a_private_one_fails() {
        assert_eq!(public_ca(true).verdict, Verdict::Pass);
        assert_eq!(public_ca(false).verdict, Verdict::Fail);
    }

    #[test]
    fn metadata_endpoints_must_be_on_the_urls_origin() {
        let base = "https://link.example.com";
        let doc =
            |endpoint: &str| serde_json::json!({ "authorization_endpoint": endpoint, "token_endpoint": endpoint });
        assert!(foreign_endpoints(&doc("https://link.example.com/oauth/token"), base).is_empty());
        for bad in [
            "https://link.example.com@evil.example/oauth/token",
            "https://link.example.com.evil.example/oauth/token",
            "http://link.example.com/oauth/token",
            "https://link.example.com:8443/oauth/token",
            "not a url",
        ] {
            assert_eq!(foreign_endpoints(&doc(bad), base).len(), 2, "{bad}");
        }
    }

    #[test]
    fn http_dates_parse() {
        assert_eq!(httpdate("Thu, 01 Jan 1970 00:00:10 GMT"), Some(10));
        assert_eq!(httpdate("Tue, 01 Dec 2026 10:00:00 GMT"), Some(1_796_119_200));
        assert_eq!(httpdate("yesterday"), None);
        for nonsense in [
            "Thu, 99 Jan 2026 10:00:00 GMT",
            "Thu, 01 Jan 99999999999999999999 10:00:00 GMT",
            "Thu, 01 Jan 2026 25:61:61 GMT",
            "Thu, 01 Jan -2026 10:00:00 GMT",
            "Xyz, 01 Jan 2026 10:00:00 GMT",
            "Thu, 01 Jan 2026 10:00 GMT",
            "Thu, +1 Jan 2026 10:00:00 GMT",
        ] {
            assert_eq!(httpdate(nonsense), None, "{nonsense}");
        }
    }
}
