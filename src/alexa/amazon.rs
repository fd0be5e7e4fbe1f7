//! Calls to Amazon for Smart Home skills: the LWA token endpoint (the
//! AcceptGrant code exchange and refreshes, with the skill's "Send Alexa
//! Events" credentials) and the regional Alexa event gateway. Every call has
//! a time limit (`LINKBROKER_ALEXA_EVENT_TIMEOUT_SECONDS`); no redirect is
//! followed; no token ever reaches a log line.

use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::settings::{LwaRegion, Settings};
use crate::store::EventCredentials;

#[derive(Debug)]
pub enum AmazonError {
    /// Amazon's token endpoint refused (`invalid_grant`, `invalid_client`, ...).
    Refused { error: String, description: String },
    /// No answer within the time limit.
    Timeout,
    /// Unreachable, or an answer that is not Amazon's JSON.
    Failed(String),
}

impl std::fmt::Display for AmazonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refused { error, description } => write!(f, "Amazon refused: {error} ({description})"),
            Self::Timeout => f.write_str("Amazon did not answer in time"),
            Self::Failed(why) => write!(f, "Amazon could not be reached: {why}"),
        }
    }
}

/// Tokens from Amazon's token endpoint.
#[derive(Deserialize)]
pub struct AmazonTokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    #[serde(default = "hour")]
    pub expires_in: i64,
}

fn hour() -> i64 {
    3600
}

impl std::fmt::Debug for AmazonTokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmazonTokenResponse").field("expires_in", &self.expires_in).finish_non_exhaustive()
    }
}

#[derive(Deserialize, Default)]
struct TokenError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
}

/// The gateway's answer: status and body, as Amazon sent them.
pub struct GatewayAnswer {
    pub status: u16,
    pub body: serde_json::Value,
}

pub struct AmazonApi {
    pub(super) http: reqwest::Client,
    token_url: Url,
    /// The Alexa API of the configured region (`/v1/alexaApiEndpoint`).
    pub(super) alexa_api_default: Url,
    /// `LINKBROKER_ALEXA_API_URL`: replaces the region's host and every
    /// host Amazon names (tests, private endpoints).
    pub(super) alexa_api_override: Option<Url>,
    /// `/v3/events` of each region's gateway (na, eu, fe), parsed once.
    events_urls: [Url; 3],
    timeout: Duration,
}

impl AmazonApi {
    pub fn new(settings: &Settings) -> anyhow::Result<Self> {
        let timeout = Duration::from_secs(settings.alexa_event_timeout_seconds as u64);
        // Connections to the gateway stay open between events (reqwest's
        // pool); an idle one is closed after 30 s, before servers and load
        // balancers close theirs (often at 60 s), so an event is never sent
        // on a connection the other side is closing.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timeout)
            .timeout(timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .build()?;
        let events_url = |region: LwaRegion| {
            let base = match &settings.alexa_event_gateway_url {
                Some(url) => url.as_str().trim_end_matches('/').to_string(),
                None => region.event_gateway().to_string(),
            };
            Url::parse(&format!("{base}/v3/events"))
        };
        Ok(Self {
            http,
            token_url: settings.lwa.token_url.clone(),
            events_urls: [events_url(LwaRegion::Na)?, events_url(LwaRegion::Eu)?, events_url(LwaRegion::Fe)?],
            alexa_api_default: Url::parse(settings.lwa.region.event_gateway())?,
            alexa_api_override: settings.alexa_api_url.clone(),
            timeout,
        })
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// AcceptGrant: the grant code for tokens.
    pub async fn exchange_code(
        &self,
        creds: &EventCredentials,
        code: &str,
    ) -> Result<AmazonTokenResponse, AmazonError> {
        self.token(&[("grant_type", "authorization_code"), ("code", code)], creds).await
    }

    pub async fn refresh(
        &self,
        creds: &EventCredentials,
        refresh_token: &str,
    ) -> Result<AmazonTokenResponse, AmazonError> {
        self.token(&[("grant_type", "refresh_token"), ("refresh_token", refresh_token)], creds).await
    }

    pub(super) async fn token(
        &self,
        params: &[(&str, &str)],
        creds: &EventCredentials,
    ) -> Result<AmazonTokenResponse, AmazonError> {
        let mut form = params.to_vec();
        form.push(("client_id", &creds.client_id));
        form.push(("client_secret", &creds.client_secret));
        let resp = self.http.post(self.token_url.clone()).form(&form).send().await.map_err(transport)?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(transport)?;
        if status.is_success() {
            return serde_json::from_slice(&bytes)
                .map_err(|_| AmazonError::Failed(format!("token endpoint answered {status} without tokens")));
        }
        if status.is_client_error() {
            let e: TokenError = serde_json::from_slice(&bytes).unwrap_or_default();
            let error = if e.error.is_empty() { format!("http_{}", status.as_u16()) } else { e.error };
            return Err(AmazonError::Refused { error, description: e.error_description });
        }
        Err(AmazonError::Failed(format!("token endpoint answered {status}")))
    }

    /// Posts an event (`{"event", "context"}` as JSON) to the region's
    /// gateway with `token` in the `Authorization` header: the same token
    /// the message carries in its scope (`EventMessage::body_with_token`).
    pub async fn post_event(
        &self,
        region: LwaRegion,
        token: &str,
        body: Vec<u8>,
    ) -> Result<GatewayAnswer, AmazonError> {
        let url = match region {
            LwaRegion::Na => &self.events_urls[0],
            LwaRegion::Eu => &self.events_urls[1],
            LwaRegion::Fe => &self.events_urls[2],
        };
        let resp = self
            .http
            .post(url.clone())
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(transport)?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(transport)?;
        // Only a refusal's body says anything (its payload.code).
        let body = match status {
            200..=299 => serde_json::Value::Null,
            _ => serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        };
        Ok(GatewayAnswer { status, body })
    }
}

pub(super) fn transport(e: reqwest::Error) -> AmazonError {
    if e.is_timeout() {
        AmazonError::Timeout
    } else {
        // reqwest's text names the URL, never a token (they travel in the body).
        AmazonError::Failed(e.without_url().to_string())
    }
}
