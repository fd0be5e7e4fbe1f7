//! Login with Amazon through the `oauth2` crate: authorization code with our
//! own `state` and PKCE, then the profile from `/user/profile`.

use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope, TokenResponse, TokenUrl,
};
use serde::Deserialize;
use url::Url;

use super::{Profile, UpstreamError, CALL_TIMEOUT, CONNECT_TIMEOUT};
use crate::settings::LwaSettings;

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

pub struct LwaClient {
    oauth: Client,
    http: reqwest::Client,
    profile_url: Url,
    scopes: Vec<String>,
}

#[derive(Deserialize)]
struct LwaProfile {
    user_id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

impl LwaClient {
    pub fn new(
        lwa: &LwaSettings,
        client_id: String,
        client_secret: String,
        callback_url: &str,
    ) -> anyhow::Result<Self> {
        let oauth = BasicClient::new(ClientId::new(client_id))
            .set_client_secret(ClientSecret::new(client_secret))
            .set_auth_uri(AuthUrl::from_url(lwa.authorize_url.clone()))
            .set_token_uri(TokenUrl::from_url(lwa.token_url.clone()))
            .set_redirect_uri(RedirectUrl::new(callback_url.to_string())?)
            // LWA documents client credentials in the request body.
            .set_auth_type(AuthType::RequestBody);
        let http = reqwest::Client::builder()
            // Following redirects here would enable SSRF (oauth2 crate docs).
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(CALL_TIMEOUT)
            .build()?;
        Ok(Self {
            oauth,
            http,
            profile_url: lwa.profile_url.clone(),
            scopes: lwa.scope.split_whitespace().map(str::to_string).collect(),
        })
    }

    /// The URL to send the browser to, carrying our `state` and PKCE challenge.
    pub fn authorize_url(&self, state: &str, verifier: &str) -> String {
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.to_string()));
        let state = state.to_string();
        let (url, _) = self
            .oauth
            .authorize_url(move || CsrfToken::new(state))
            .add_scopes(self.scopes.iter().cloned().map(Scope::new))
            .set_pkce_challenge(challenge)
            .url();
        url.to_string()
    }

    /// Exchanges the code and fetches the profile.
    pub async fn finish(&self, code: &str, verifier: &str) -> Result<Profile, UpstreamError> {
        let token = self
            .oauth
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_string()))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => UpstreamError::Rejected(r.error().to_string()),
                RequestTokenError::Request(oauth2::HttpClientError::Reqwest(e)) if e.is_timeout() => {
                    UpstreamError::Timeout
                }
                RequestTokenError::Request(e) => UpstreamError::Unreachable(e.to_string()),
                RequestTokenError::Parse(e, _) => UpstreamError::Rejected(format!("unreadable token response: {e}")),
                RequestTokenError::Other(e) => UpstreamError::Unreachable(e),
            })?;
        let response =
            self.http.get(self.profile_url.clone()).bearer_auth(token.access_token().secret()).send().await.map_err(
                |e| if e.is_timeout() { UpstreamError::Timeout } else { UpstreamError::Unreachable(e.to_string()) },
            )?;
        if !response.status().is_success() {
            return Err(UpstreamError::Rejected(format!("profile request answered {}", response.status())));
        }
        let profile: LwaProfile = response.json().await.map_err(|e| {
            if e.is_timeout() {
                UpstreamError::Timeout
            } else {
                UpstreamError::Rejected(format!("unreadable profile: {e}"))
            }
        })?;
        if profile.user_id.is_empty() {
            return Err(UpstreamError::Rejected("profile has no user_id".into()));
        }
        Ok(Profile {
            provider: "lwa",
            subject: profile.user_id,
            email: profile.email,
            name: profile.name.unwrap_or_default(),
        })
    }
}
