//! The token endpoint checks: an invalid code under both client
//! authentication schemes, and a bogus refresh token.

use std::time::{Duration, Instant};

use super::{check, Check, Probe, Verdict, ALEXA_BUDGET, SLOW};

impl Probe {
    /// The token endpoint under both client authentication schemes: an
    /// invalid code must be `400 invalid_grant`, quickly, not cached.
    pub(super) async fn token(&self, client_id: &str, secret: &str) -> Vec<Check> {
        let url = format!("{}/oauth/token", self.base);
        let form = [
            ("grant_type", "authorization_code"),
            ("code", "doctor-invalid-code"),
            ("redirect_uri", "https://pitangui.amazon.com/api/skill/link/DOCTOR"),
        ];
        let mut out = Vec::new();
        for (name, basic) in [("token-basic", true), ("token-body", false)] {
            let mut req = self.http.post(&url);
            let mut fields: Vec<(&str, &str)> = form.to_vec();
            if basic {
                req = req.basic_auth(client_id, Some(secret));
            } else {
                fields.extend([("client_id", client_id), ("client_secret", secret)]);
            }
            let started = Instant::now();
            let resp = req.form(&fields).send().await;
            let took = started.elapsed();
            out.push(match resp {
                Err(e) => check(name, Verdict::Fail, format!("no answer: {e}"), "Make /oauth/token reachable."),
                Ok(r) => token_verdict(name, r, took, basic).await,
            });
        }
        let bogus = self
            .http
            .post(&url)
            .basic_auth(client_id, Some(secret))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", "doctor-bogus-refresh-token")])
            .send()
            .await;
        out.push(match bogus {
            Ok(r) => {
                let status = r.status();
                let body = super::body_of(r).await.unwrap_or_default();
                if status == 400 && String::from_utf8_lossy(&body).contains("invalid_grant") {
                    check("token-bogus-refresh", Verdict::Pass, "400 invalid_grant", "")
                } else {
                    check(
                        "token-bogus-refresh",
                        Verdict::Fail,
                        format!("HTTP {status}"),
                        "A bogus refresh token must be 400 invalid_grant (Google's validator checks it).",
                    )
                }
            }
            Err(e) => {
                check("token-bogus-refresh", Verdict::Fail, format!("no answer: {e}"), "Make /oauth/token reachable.")
            }
        });
        out
    }
}

async fn token_verdict(name: &'static str, r: reqwest::Response, took: Duration, basic: bool) -> Check {
    let status = r.status();
    let no_store =
        r.headers().get("cache-control").and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("no-store"));
    let json = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let body = String::from_utf8_lossy(&super::body_of(r).await.unwrap_or_default()).into_owned();
    let scheme = if basic { "HTTP Basic" } else { "Credentials in Request Body" };
    if body.contains("invalid_client") {
        return check(name, Verdict::Fail, format!("{status} invalid_client with {scheme}"), format!("The secret is wrong, or the Alexa console's Authentication Scheme should not be \"{scheme}\": paste the client secret again and pick the scheme that passes."));
    }
    if status != 400 || !body.contains("invalid_grant") {
        return check(
            name,
            Verdict::Fail,
            format!("HTTP {status} for an invalid code"),
            "An invalid code must be 400 invalid_grant; check that the URL reaches linkbroker.",
        );
    }
    if !no_store || !json {
        return check(
            name,
            Verdict::Fail,
            "missing Cache-Control: no-store or a JSON content type",
            "Do not let a proxy rewrite /oauth/token responses.",
        );
    }
    if took > ALEXA_BUDGET {
        return check(name, Verdict::Fail, format!("answered in {} ms", took.as_millis()), "Alexa gives the token endpoint 4.5 s: move linkbroker and its database closer together, or give them more CPU.");
    }
    if took > SLOW {
        return check(
            name,
            Verdict::Warn,
            format!("answered in {} ms", took.as_millis()),
            "Alexa gives the token endpoint 4.5 s; above 2 s, links fail under load.",
        );
    }
    check(name, Verdict::Pass, format!("400 invalid_grant in {} ms ({scheme})", took.as_millis()), "")
}
