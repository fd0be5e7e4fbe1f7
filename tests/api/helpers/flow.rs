//! Driving the app like Alexa, a browser and the mock Amazon would:
//! clients, sign-ins, consent, codes, tokens, userinfo, `/alexa`.

use linkbroker::domain::{Actor, ClientDraft, TokenFormat};
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use super::html::{browser, hidden_field, location, query_param};
use super::spawn::{manager, TestApp};

pub const ALEXA_REDIRECT: &str = "https://pitangui.amazon.com/api/skill/link/M2EXAMPLEVENDOR";

pub struct Client {
    pub id: String,
    pub secret: String,
}

/// What the mock Amazon says about the logged-in user.
pub struct AmazonUser<'a> {
    pub user_id: &'a str,
    pub name: &'a str,
    pub email: &'a str,
}

pub const ADA: AmazonUser<'static> =
    AmazonUser { user_id: "amzn1.account.ADA", name: "Ada Lovelace", email: "Ada@Example.com" };

impl TestApp {
    pub async fn client(&self, scopes: &[&str], skip_consent: bool, format: TokenFormat) -> Client {
        self.client_with_redirects(&[ALEXA_REDIRECT], scopes, skip_consent, format).await
    }

    pub async fn alexa_client(&self) -> Client {
        self.client(&["profile"], false, TokenFormat::Opaque).await
    }

    pub async fn client_with_redirects(
        &self,
        redirects: &[&str],
        scopes: &[&str],
        skip_consent: bool,
        format: TokenFormat,
    ) -> Client {
        let draft = ClientDraft {
            name: "Test Skill".into(),
            redirect_uris: redirects.iter().map(|s| s.to_string()).collect(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            skip_consent,
            token_format: format,
            ..Default::default()
        };
        let (id, secret) = manager(&self.store).create_client(&Actor::cli(), &draft).await.expect("client created");
        Client { id: id.as_str().to_string(), secret: secret.expose().to_string() }
    }

    /// Mounts LWA token and profile answers for `user` (replacing earlier ones).
    pub async fn amazon_user(&self, user: &AmazonUser<'_>) {
        self.lwa.reset().await;
        Mock::given(method("POST"))
            .and(path("/auth/o2/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "access_token": "Atza|upstream-access", "refresh_token": "Atzr|upstream-refresh",
                "token_type": "bearer", "expires_in": 3600
            })))
            .mount(&self.lwa)
            .await;
        Mock::given(method("GET"))
            .and(path("/user/profile"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(
                    serde_json::json!({ "user_id": user.user_id, "name": user.name, "email": user.email }),
                ),
            )
            .mount(&self.lwa)
            .await;
    }

    pub async fn authorize(&self, browser: &reqwest::Client, params: &[(&str, &str)]) -> reqwest::Response {
        let query = serde_urlencoded::to_string(params).unwrap();
        browser.get(self.url(&format!("/oauth/authorize?{query}"))).send().await.unwrap()
    }

    /// Standard Alexa authorize parameters for `client`.
    pub fn alexa_params<'a>(client: &'a Client, state: &'a str) -> Vec<(&'a str, &'a str)> {
        vec![
            ("response_type", "code"),
            ("client_id", client.id.as_str()),
            ("redirect_uri", ALEXA_REDIRECT),
            ("state", state),
            ("scope", "profile"),
        ]
    }

    /// authorize → (Amazon) → callback; returns the callback's response.
    pub async fn login_until_callback(&self, browser: &reqwest::Client, params: &[(&str, &str)]) -> reqwest::Response {
        let resp = self.authorize(browser, params).await;
        assert_eq!(resp.status(), 302, "authorize should redirect to Amazon");
        let to_amazon = location(&resp).unwrap();
        assert!(to_amazon.starts_with(&self.lwa.uri()), "went to {to_amazon}");
        let state = query_param(&to_amazon, "state").expect("our state at Amazon");
        browser.get(self.url(&format!("/oauth/callback?code=amazon-code&state={state}"))).send().await.unwrap()
    }

    /// Answers the consent page reached by `resp` with `decision`.
    pub async fn consent(
        &self,
        browser: &reqwest::Client,
        resp: reqwest::Response,
        decision: &str,
    ) -> reqwest::Response {
        assert_eq!(resp.status(), 303, "expected a redirect to the consent page");
        let consent_url = self.url(&location(&resp).unwrap());
        let page = browser.get(consent_url).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        let request = hidden_field(&html, "request").expect("request field");
        let csrf = hidden_field(&html, "csrf").expect("csrf field");
        browser
            .post(self.url("/oauth/consent"))
            .form(&[("request", request.as_str()), ("csrf", csrf.as_str()), ("decision", decision)])
            .send()
            .await
            .unwrap()
    }

    /// The whole browser part with approval; returns the final redirect URL.
    pub async fn link(&self, client: &Client, params: &[(&str, &str)]) -> String {
        let browser = browser();
        let resp = self.login_until_callback(&browser, params).await;
        let resp = if resp.status() == 303 { self.consent(&browser, resp, "approve").await } else { resp };
        assert!(resp.status().is_redirection(), "expected the final redirect, got {}", resp.status());
        let _ = client;
        location(&resp).unwrap()
    }

    /// Links `ADA` through `client` and returns the authorization code.
    pub async fn code_for(&self, client: &Client) -> String {
        self.amazon_user(&ADA).await;
        let final_url = self.link(client, &Self::alexa_params(client, "st")).await;
        query_param(&final_url, "code").unwrap_or_else(|| panic!("no code in {final_url}"))
    }

    pub async fn token(
        &self,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut req = self.api.post(self.url("/oauth/token")).form(form);
        if let Some((id, secret)) = basic {
            req = req.basic_auth(id, Some(secret));
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        (status, headers, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn exchange(&self, client: &Client, code: &str) -> (u16, Value) {
        let (s, _, v) = self
            .token(
                &[("grant_type", "authorization_code"), ("code", code), ("redirect_uri", ALEXA_REDIRECT)],
                Some((&client.id, &client.secret)),
            )
            .await;
        (s, v)
    }

    pub async fn refresh(&self, client: &Client, refresh_token: &str) -> (u16, Value) {
        let (s, _, v) = self
            .token(
                &[("grant_type", "refresh_token"), ("refresh_token", refresh_token)],
                Some((&client.id, &client.secret)),
            )
            .await;
        (s, v)
    }

    pub async fn userinfo(&self, access_token: &str) -> (u16, Value) {
        let resp = self.api.get(self.url("/oauth/userinfo")).bearer_auth(access_token).send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// A linked client with its first token response.
    pub async fn linked(&self) -> (Client, Value) {
        let client = self.alexa_client().await;
        let code = self.code_for(&client).await;
        let (status, tokens) = self.exchange(&client, &code).await;
        assert_eq!(status, 200, "{tokens}");
        (client, tokens)
    }

    pub async fn audit_actions(&self) -> Vec<String> {
        self.store.audit_actions(100).await.unwrap().into_iter().map(|(_, action, _)| action).collect()
    }

    /// POSTs raw bytes to `/alexa` with optional signature headers.
    pub async fn alexa_raw(&self, body: Vec<u8>, cert_url: Option<&str>, signature: Option<&str>) -> (u16, Value) {
        let mut req = self.api.post(self.url("/alexa")).header("Content-Type", "application/json").body(body);
        if let Some(u) = cert_url {
            req = req.header("SignatureCertChainUrl", u);
        }
        if let Some(s) = signature {
            req = req.header("Signature-256", s);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}

/// What Alexa would say: `response.outputSpeech.text`.
pub fn speech(answer: &Value) -> &str {
    answer["response"]["outputSpeech"]["text"].as_str().unwrap_or("")
}
