//! Amazon's side of app-to-app linking and of unlinks (docs/app-to-app.md):
//! the skill's Alexa Client Id and Secret at the LWA token endpoint, which
//! Alexa API hosts serve a user (`/v1/alexaApiEndpoint`), and the Skill
//! Enablement API (`/v1/users/~current/skills/{skill}/enablement`: POST to
//! enable and link, GET to ask, DELETE to unlink). Every call has the same
//! time limit as events; no redirect is followed; no token reaches a log.

use serde::Deserialize;
use url::Url;

use super::amazon::{transport, AmazonApi, AmazonError, AmazonTokenResponse};
use crate::store::EventCredentials;

/// The answer of the enablement API to a POST or DELETE: the status, and
/// for a refusal Amazon's message (bounded, for logs and the audit).
#[derive(Debug)]
pub struct EnablementAnswer {
    pub status: u16,
    pub message: String,
}

/// What Alexa says of a skill for a user (`GET .../enablement`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlexaView {
    /// Enabled, and the account link is in place.
    Linked,
    /// Enabled, but Alexa holds no account link (`accountLink.status` other
    /// than `LINKED`).
    EnabledNotLinked,
    /// Not enabled (404).
    NotEnabled,
}

#[derive(Deserialize)]
struct ApiEndpoints {
    #[serde(default)]
    endpoints: Vec<String>,
}

#[derive(Deserialize, Default)]
struct Enablement {
    #[serde(default, rename = "accountLink")]
    account_link: Option<AccountLink>,
}

#[derive(Deserialize, Default)]
struct AccountLink {
    #[serde(default)]
    status: String,
}

/// Whether `host` is what `/v1/alexaApiEndpoint` may name: a bare host
/// under `amazonalexa.com` (an answer naming anything else is not used, so
/// a tampered answer cannot send the user's token elsewhere).
pub fn is_alexa_host(host: &str) -> bool {
    let plain = !host.is_empty()
        && host.len() <= 253
        && host.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    plain && (host == "amazonalexa.com" || host.ends_with(".amazonalexa.com"))
}

impl AmazonApi {
    /// The base URL of calls for a user served by `host`:
    /// `LINKBROKER_ALEXA_API_URL` when set, else `https://{host}`.
    fn api_base(&self, host: &str) -> Result<Url, AmazonError> {
        if let Some(base) = &self.alexa_api_override {
            return Ok(base.clone());
        }
        if !is_alexa_host(host) {
            return Err(AmazonError::Failed(format!("{host:?} is not an Alexa API host")));
        }
        Url::parse(&format!("https://{host}")).map_err(|e| AmazonError::Failed(e.to_string()))
    }

    fn enablement_url(&self, host: &str, skill_id: &str) -> Result<Url, AmazonError> {
        let mut url = self.api_base(host)?;
        url.path_segments_mut()
            .map_err(|_| AmazonError::Failed("the Alexa API URL cannot take a path".into()))?
            .pop_if_empty()
            .extend(["v1", "users", "~current", "skills", skill_id, "enablement"]);
        Ok(url)
    }

    /// The user's Amazon code (from Amazon's redirect to our callback) for
    /// tokens, with the skill's Alexa Client Id and Secret and the PKCE
    /// verifier.
    pub async fn exchange_app_code(
        &self,
        creds: &EventCredentials,
        code: &str,
        verifier: &str,
        redirect_uri: &str,
    ) -> Result<AmazonTokenResponse, AmazonError> {
        let params = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
        ];
        self.token(&params, creds).await
    }

    /// The Alexa API hosts that serve the user of `token`, in Amazon's
    /// order (only hosts `is_alexa_host` accepts are kept).
    pub async fn alexa_api_endpoints(&self, token: &str) -> Result<Vec<String>, AmazonError> {
        let mut url = match &self.alexa_api_override {
            Some(base) => base.clone(),
            None => self.alexa_api_default.clone(),
        };
        url.set_path("/v1/alexaApiEndpoint");
        let resp = self.http.get(url).bearer_auth(token).send().await.map_err(transport)?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(transport)?;
        if !status.is_success() {
            return Err(AmazonError::Failed(format!("alexaApiEndpoint answered {status}")));
        }
        let found: ApiEndpoints = serde_json::from_slice(&bytes)
            .map_err(|_| AmazonError::Failed("alexaApiEndpoint answered without endpoints".into()))?;
        let hosts: Vec<String> = found
            .endpoints
            .into_iter()
            .map(|e| e.trim_start_matches("https://").trim_end_matches('/').to_ascii_lowercase())
            .filter(|h| self.alexa_api_override.is_some() || is_alexa_host(h))
            .take(8)
            .collect();
        if hosts.is_empty() {
            return Err(AmazonError::Failed("alexaApiEndpoint named no Alexa API host".into()));
        }
        Ok(hosts)
    }

    /// Enables the skill and links it with `our_code`: Alexa redeems the
    /// code at our token endpoint before it answers 201.
    pub async fn enable_skill(
        &self,
        host: &str,
        token: &str,
        skill_id: &str,
        stage: &str,
        redirect_uri: &str,
        our_code: &str,
    ) -> Result<EnablementAnswer, AmazonError> {
        let body = serde_json::json!({
            "stage": stage,
            "accountLinkRequest": { "redirectUri": redirect_uri, "authCode": our_code, "type": "AUTH_CODE" },
        });
        let url = self.enablement_url(host, skill_id)?;
        let resp = self.http.post(url).bearer_auth(token).json(&body).send().await.map_err(transport)?;
        answer(resp).await
    }

    /// What Alexa says of the skill for this user.
    pub async fn skill_view(&self, host: &str, token: &str, skill_id: &str) -> Result<AlexaView, AmazonError> {
        let url = self.enablement_url(host, skill_id)?;
        let resp = self.http.get(url).bearer_auth(token).send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(transport)?;
        match status {
            200 => {
                let e: Enablement = serde_json::from_slice(&bytes).unwrap_or_default();
                Ok(match e.account_link.map(|l| l.status) {
                    Some(s) if s == "LINKED" => AlexaView::Linked,
                    _ => AlexaView::EnabledNotLinked,
                })
            }
            404 => Ok(AlexaView::NotEnabled),
            other => Err(AmazonError::Failed(format!("the enablement API answered {other}"))),
        }
    }

    /// Disables the skill for this user, which ends Alexa's side of the link.
    pub async fn disable_skill(
        &self,
        host: &str,
        token: &str,
        skill_id: &str,
    ) -> Result<EnablementAnswer, AmazonError> {
        let url = self.enablement_url(host, skill_id)?;
        let resp = self.http.delete(url).bearer_auth(token).send().await.map_err(transport)?;
        answer(resp).await
    }
}

async fn answer(resp: reqwest::Response) -> Result<EnablementAnswer, AmazonError> {
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.map_err(transport)?;
    let message = match status {
        200..=299 => String::new(),
        _ => serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_string))
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect(),
    };
    Ok(EnablementAnswer { status, message })
}

#[cfg(test)]
mod tests {
    use super::is_alexa_host;

    #[test]
    fn only_alexa_hosts_are_called() {
        assert!(is_alexa_host("api.amazonalexa.com"));
        assert!(is_alexa_host("api.eu.amazonalexa.com"));
        assert!(!is_alexa_host("api.amazonalexa.com.evil.example"));
        assert!(!is_alexa_host("evil.example/api.amazonalexa.com"));
        assert!(!is_alexa_host("user@api.amazonalexa.com"));
        assert!(!is_alexa_host("evilamazonalexa.com"));
        assert!(!is_alexa_host(""));
    }
}
