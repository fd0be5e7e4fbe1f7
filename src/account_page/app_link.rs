//! "Link with Alexa" from the account page: app-to-app account linking
//! through the Alexa Skill Enablement API (docs/app-to-app.md).
//!
//! `begin` parks an attempt bound to the session (its `state` hashed, the
//! PKCE verifier sealed) and sends the user to Amazon with the skill's
//! Alexa Client Id and `scope=alexa::skills:account_linking`. `finish`
//! takes the attempt back (single use), exchanges Amazon's code, asks which
//! Alexa API hosts serve the user, mints our own single-use code bound to
//! the callback URL, and asks each host in turn to enable the skill with
//! it; Alexa redeems the code at `/oauth/token`, which makes the link. On
//! any failure the code is withdrawn (spent, or the link it made revoked),
//! so nothing half-made is left.

use serde_json::json;

use super::Session;
use crate::alexa::amazon::{AmazonApi, AmazonError};
use crate::domain::{constant_time_eq, Secret, TokenHash};
use crate::oauth::AuthServer;
use crate::store::{AlexaAppAttempt, AppTokens, AuditEvent, CodeLookup, EventCredentials, NewCode, StoreError};

/// Where Amazon returns, and the redirect URI our app-to-app codes are
/// bound to (the developer lists it under "Your Redirect URLs").
pub const CALLBACK_PATH: &str = "/account/alexa/callback";
/// The scope of the user's Amazon token for the enablement API.
pub const ENABLEMENT_SCOPE: &str = "alexa::skills:account_linking";
/// How long a user has at Amazon.
const ATTEMPT_TTL: i64 = 15 * 60;

/// Why linking with Alexa did not complete; each has its page.
#[derive(Debug)]
pub enum AppLinkError {
    /// The attempt is unknown, used, expired, or not this session's.
    Expired,
    /// The user cancelled at Amazon.
    Cancelled,
    /// Amazon refused its own code (expired, already used) or our client.
    AmazonRefused,
    /// The enablement API refused (400, 403, ...) on every host.
    EnablementRefused,
    /// Amazon or Alexa did not answer (time-out, 5xx, unreachable).
    AlexaUnavailable,
    /// This client does not offer linking from the website.
    NotOffered,
    /// The user already has a live link with this client.
    AlreadyLinked {
        client: String,
    },
    Store(StoreError),
}

impl From<StoreError> for AppLinkError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

fn from_amazon(e: &AmazonError) -> AppLinkError {
    match e {
        AmazonError::Refused { .. } => AppLinkError::AmazonRefused,
        AmazonError::Timeout | AmazonError::Failed(_) => AppLinkError::AlexaUnavailable,
    }
}

/// What Amazon sends back to the callback.
#[derive(Debug, Default, serde::Deserialize)]
pub struct AmazonReturn {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
}

impl AuthServer {
    fn app_callback(&self) -> String {
        format!("{}{CALLBACK_PATH}", self.issuer)
    }

    /// Parks an attempt and returns Amazon's authorize URL for it.
    pub async fn begin_app_link(&self, session: &Session, client_id: &str, now: i64) -> Result<String, AppLinkError> {
        if client_id.is_empty() || client_id.len() > 64 {
            return Err(AppLinkError::NotOffered);
        }
        let config = self.store.alexa_app(client_id).await?.ok_or(AppLinkError::NotOffered)?;
        let links = self.store.user_links(&session.user.id).await?;
        if let Some(live) = links.iter().find(|l| l.client_id == client_id && l.revoked_at.is_none()) {
            return Err(AppLinkError::AlreadyLinked { client: live.client_name.clone() });
        }
        let state = Secret::generate();
        let verifier = Secret::generate();
        let attempt = AlexaAppAttempt {
            session_hash: session.session_hash.clone(),
            user_id: session.user.id.clone(),
            client_id: client_id.to_string(),
            code_verifier: verifier.expose().to_string(),
            expires_at: now + ATTEMPT_TTL,
        };
        self.store.create_alexa_app_attempt(state.hash().as_str(), &attempt, now).await?;
        let challenge = crate::domain::CodeChallenge::s256_of(verifier.expose());
        let mut url = self.settings.lwa.authorize_url.clone();
        url.query_pairs_mut()
            .append_pair("client_id", &config.alexa_client_id)
            .append_pair("scope", ENABLEMENT_SCOPE)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", &self.app_callback())
            .append_pair("state", state.expose())
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(url.to_string())
    }

    /// Amazon came back: make the link through the enablement API, or
    /// leave nothing behind. Returns the client's name.
    pub async fn finish_app_link(
        &self,
        amazon: &AmazonApi,
        session: Option<&Session>,
        back: &AmazonReturn,
        now: i64,
    ) -> Result<String, AppLinkError> {
        let state = back.state.as_deref().filter(|s| !s.is_empty() && s.len() <= 128).ok_or(AppLinkError::Expired)?;
        let attempt =
            self.store.take_alexa_app_attempt(TokenHash::of(state).as_str()).await?.ok_or(AppLinkError::Expired)?;
        let same_session = session.is_some_and(|s| {
            s.user.id == attempt.user_id && constant_time_eq(s.session_hash.as_bytes(), attempt.session_hash.as_bytes())
        });
        if attempt.expires_at <= now || !same_session {
            tracing::warn!("an app-to-app callback did not match its attempt's session (expired or forged state)");
            return Err(AppLinkError::Expired);
        }
        if let Some(error) = &back.error {
            return Err(if error == "access_denied" { AppLinkError::Cancelled } else { AppLinkError::AmazonRefused });
        }
        let code =
            back.code.as_deref().filter(|c| !c.is_empty() && c.len() <= 2048).ok_or(AppLinkError::AmazonRefused)?;
        let config = self.store.alexa_app(&attempt.client_id).await?.ok_or(AppLinkError::NotOffered)?;
        let client = self.store.client(&attempt.client_id).await?.ok_or(AppLinkError::NotOffered)?;
        let creds =
            EventCredentials { client_id: config.alexa_client_id.clone(), client_secret: config.alexa_client_secret };
        let callback = self.app_callback();
        let amazon_tokens = amazon
            .exchange_app_code(&creds, code, &attempt.code_verifier, &callback)
            .await
            .map_err(|e| self.failed(&attempt, "amazon_code", &e.to_string(), from_amazon(&e)))?;
        let hosts = amazon
            .alexa_api_endpoints(&amazon_tokens.access_token)
            .await
            .map_err(|e| self.failed(&attempt, "alexa_api_endpoint", &e.to_string(), from_amazon(&e)))?;

        // Our own code, for Alexa to redeem during the enablement call.
        let ours = Secret::generate();
        let ours_hash = ours.hash();
        let new_code = NewCode {
            code_hash: ours_hash.as_str(),
            client_id: &client.id,
            user_id: &attempt.user_id,
            redirect_uri: &callback,
            scope: &client.scopes,
            code_challenge: None,
            code_challenge_method: None,
            expires_at: now + self.settings.code_ttl.max(60),
            made_by: Some("app"),
        };
        self.store.insert_code(new_code, now).await?;

        let mut outcome = Err(AppLinkError::AlexaUnavailable);
        let mut last_error = String::new();
        for host in &hosts {
            match amazon
                .enable_skill(
                    host,
                    &amazon_tokens.access_token,
                    &config.skill_id,
                    &config.stage,
                    &callback,
                    ours.expose(),
                )
                .await
            {
                Ok(a) if (200..300).contains(&a.status) => {
                    outcome = Ok(host.clone());
                    break;
                }
                Ok(a) => {
                    last_error = format!("{host} answered {} {}", a.status, a.message);
                    outcome = Err(match a.status {
                        400..=499 if a.status != 429 => AppLinkError::EnablementRefused,
                        _ => AppLinkError::AlexaUnavailable,
                    });
                }
                Err(e) => {
                    last_error = format!("{host}: {e}");
                    outcome = Err(from_amazon(&e));
                }
            }
        }
        let host = match outcome {
            Ok(host) => host,
            Err(why) => return Err(self.withdraw(&attempt, ours_hash.as_str(), &last_error, why, now).await),
        };
        // Alexa redeemed our code during the call: that made the link.
        let link = match self.store.find_code(ours_hash.as_str()).await? {
            CodeLookup::Replayed { grant_id: Some(link), .. } => link,
            _ => {
                let why = "the enablement API answered 201 without redeeming the code";
                return Err(self
                    .withdraw(&attempt, ours_hash.as_str(), why, AppLinkError::AlexaUnavailable, now)
                    .await);
            }
        };
        let tokens = AppTokens {
            refresh_token: &amazon_tokens.refresh_token,
            access_token: &amazon_tokens.access_token,
            access_expires_at: now + amazon_tokens.expires_in,
        };
        self.store.save_alexa_app_link(&link, &host, &tokens, now).await?;
        let detail = json!({ "client_id": client.id, "user_id": attempt.user_id, "endpoint": host });
        let actor = format!("user:{}", attempt.user_id);
        self.store.audit(AuditEvent { actor: &actor, action: "alexa.app_linked", target: &link, detail }, now).await?;
        Ok(client.name)
    }

    /// A failure before our code existed: logged and returned.
    fn failed(&self, attempt: &AlexaAppAttempt, step: &str, why: &str, error: AppLinkError) -> AppLinkError {
        tracing::warn!(client = %attempt.client_id, step, why, "linking with Alexa from the account page failed");
        error
    }

    /// A failure after our code was minted: the code can no longer make a
    /// link, and a link it made is revoked. Audited.
    async fn withdraw(
        &self,
        attempt: &AlexaAppAttempt,
        code_hash: &str,
        why: &str,
        error: AppLinkError,
        now: i64,
    ) -> AppLinkError {
        tracing::warn!(client = %attempt.client_id, why, "the enablement API did not link; the code is withdrawn");
        let reason = "app-to-app linking failed";
        let revoked = match self.store.withdraw_code(code_hash, reason, now).await {
            Ok(revoked) => revoked,
            Err(e) => return AppLinkError::Store(e),
        };
        if revoked.is_some() {
            self.forget_links();
        }
        let detail = json!({ "client_id": attempt.client_id, "error": why, "revoked_link": revoked });
        let actor = format!("user:{}", attempt.user_id);
        let event = AuditEvent { actor: &actor, action: "alexa.app_link_failed", target: &attempt.user_id, detail };
        if let Err(e) = self.store.audit(event, now).await {
            return AppLinkError::Store(e);
        }
        error
    }
}
