//! What Alexa and Google would do: the authorize request from each
//! region's redirect URL with the console's scope, Google's redirect URL,
//! and an unsigned request to the skill endpoint.

use super::{check, Check, Probe, Verdict};

/// Alexa's account-linking redirect hosts, one per region.
const ALEXA_HOSTS: [(&str, &str); 3] =
    [("NA", "pitangui.amazon.com"), ("EU", "layla.amazon.com"), ("FE", "alexa.amazon.co.jp")];

/// What the authorize endpoint did with a request.
enum Authorized {
    /// On to the sign-in (the Location).
    Onward(String),
    /// Sent back to the redirect URI with an error (registered, refused).
    Refused(String),
    /// The error page: the redirect URI is not registered (or no answer).
    Unregistered,
}

impl Probe {
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

    pub(super) async fn redirects(&self, client_id: &str, vendor: Option<&str>, google: Option<&str>) -> Vec<Check> {
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
    pub(super) async fn skill(&self) -> Check {
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
