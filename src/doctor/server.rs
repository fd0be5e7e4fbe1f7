//! What the server says of itself: its RFC 8414 metadata (on its own
//! origin, over HTTPS) and its clock.

use super::{check, json_of, Check, Probe, Verdict};

/// Alexa signatures allow 150 s of skew; more than this is a warning sign.
const MAX_SKEW: i64 = 30;

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

/// RFC 8414 metadata: reachable, its issuer is the URL, every endpoint is on
/// this origin over HTTPS.
pub(super) async fn metadata(resp: reqwest::Response, base: &str) -> Check {
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

impl Probe {
    pub(super) async fn clock(&self) -> Check {
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

    /// App-to-app linking's redirect URL answers with linkbroker's page (a
    /// GET without parameters is an expired attempt, 400), not a 404 from
    /// a proxy that routes only `/oauth/*` to linkbroker.
    pub(super) async fn app_callback(&self) -> Check {
        let url = format!("{}{}", self.base, crate::account_page::app_link::CALLBACK_PATH);
        let fix = "Route /account/* to linkbroker as well as /oauth/*: Amazon returns users to this URL when they \
                   link from your website (docs/app-to-app.md).";
        let resp = match self.http.get(&url).send().await {
            Ok(r) => r,
            Err(e) => return check("app-to-app-callback", Verdict::Fail, format!("no answer: {e}"), fix),
        };
        let status = resp.status().as_u16();
        let body = super::body_of(resp).await.unwrap_or_default();
        let ours = String::from_utf8_lossy(&body).contains("href=\"/account\"");
        match (status, ours) {
            (400, true) => {
                check("app-to-app-callback", Verdict::Pass, format!("{url} answers with linkbroker's page"), "")
            }
            (404, _) => check("app-to-app-callback", Verdict::Fail, format!("{url} answers 404"), fix),
            (other, _) => check(
                "app-to-app-callback",
                Verdict::Fail,
                format!("{url} answers {other} without linkbroker's page"),
                fix,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
