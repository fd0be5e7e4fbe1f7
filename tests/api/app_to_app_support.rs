//! The app-to-app test harness: an Amazon that behaves like Amazon.
//!
//! - Login with Amazon for the skill's Alexa client (a wiremock answer on
//!   the test's LWA mock): checks the Alexa Client Id and Secret, the
//!   redirect URI, the single-use code and the PKCE verifier; refresh
//!   tokens are single-use.
//! - The Alexa API (an actix server, `LINKBROKER_ALEXA_API_URL`):
//!   `/v1/alexaApiEndpoint`, and the Skill Enablement API, which like
//!   Alexa redeems linkbroker's code at linkbroker's real token endpoint
//!   before it answers 201; GET says whether the skill is enabled and
//!   linked; DELETE disables it. Each can be told to fail.
//!
//! `website_link` drives the whole browser flow: the account page's
//! sign-in, "Link with Alexa", Amazon's consent (the test plays the user's
//! browser at Amazon) and the callback.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine;
use serde_json::{json, Value};
use sha2::Digest;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

use crate::helpers::{
    browser, hidden_field, location, manager, query_param, spawn_app_with, Backend, Client, TestApp, ADA,
};
use linkbroker::domain::Actor;
use linkbroker::manage::AlexaAppDraft;

pub const SKILL: &str = "amzn1.ask.skill.0f1e2d3c-test";
pub const APP_ID: &str = "amzn1.application-oa2-client.alexaapp";
pub const APP_SECRET: &str = "alexa-app-secret-value-5678";

/// What the enablement API does with a POST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enable {
    /// Redeems the code at linkbroker, then 201 (Amazon's happy path).
    Link,
    /// 403 without redeeming (e.g. the skill is not set up for app-to-app).
    Refuse,
    /// 500 without redeeming.
    Fail,
    /// Redeems the code, then 500: a link exists that Alexa does not know.
    RedeemThenFail,
    /// Answers only after the time limit.
    Hang,
}

/// What the enablement API does with a DELETE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disable {
    Ok,
    Down,
    Gone,
}

#[derive(Default)]
pub struct AmazonState {
    /// Amazon codes handed to the browser: code -> (PKCE challenge, redirect URI).
    codes: HashMap<String, (String, String)>,
    access: HashSet<String>,
    refresh: HashSet<String>,
    issued: u32,
    pub refreshes: u32,
    /// linkbroker and the client Alexa redeems with.
    linkbroker: String,
    pub client: Option<(String, String)>,
    pub enable: Option<Enable>,
    pub disable: Option<Disable>,
    pub enabled: bool,
    /// The tokens linkbroker gave Alexa.
    pub linked: Option<Value>,
    /// Our codes Alexa was given, to try them again.
    pub our_codes: Vec<String>,
    pub enable_calls: u32,
    pub disable_ok: u32,
    pub disable_calls: u32,
    pub view_calls: u32,
}

#[derive(Clone)]
pub struct Amazon {
    pub state: Arc<Mutex<AmazonState>>,
    pub api_url: String,
}

impl Amazon {
    pub fn with<T>(&self, f: impl FnOnce(&mut AmazonState) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    /// The user approves at Amazon: a code for the authorize request's PKCE
    /// challenge and redirect URI.
    pub fn approve(&self, authorize_url: &str) -> String {
        let challenge = query_param(authorize_url, "code_challenge").expect("a PKCE challenge");
        let redirect = query_param(authorize_url, "redirect_uri").expect("a redirect URI");
        self.with(|s| {
            s.issued += 1;
            let code = format!("ANamazoncode{}", s.issued);
            s.codes.insert(code.clone(), (challenge, redirect));
            code
        })
    }
}

/// Login with Amazon's token endpoint for the Alexa client.
struct AlexaClientToken(Arc<Mutex<AmazonState>>);

fn token_error(status: u16, error: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({ "error": error, "error_description": error }))
}

impl Respond for AlexaClientToken {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let form: HashMap<String, String> = serde_urlencoded::from_bytes(&request.body).unwrap_or_default();
        let field = |k: &str| form.get(k).cloned().unwrap_or_default();
        if field("client_id") != APP_ID || field("client_secret") != APP_SECRET {
            return token_error(401, "invalid_client");
        }
        let mut s = self.0.lock().unwrap();
        match field("grant_type").as_str() {
            "authorization_code" => {
                let Some((challenge, redirect)) = s.codes.remove(&field("code")) else {
                    return token_error(400, "invalid_grant");
                };
                let digest = sha2::Sha256::digest(field("code_verifier").as_bytes());
                let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
                if computed != challenge || redirect != field("redirect_uri") {
                    return token_error(400, "invalid_grant");
                }
            }
            "refresh_token" => {
                if !s.refresh.remove(&field("refresh_token")) {
                    return token_error(400, "invalid_grant");
                }
                s.refreshes += 1;
            }
            _ => return token_error(400, "unsupported_grant_type"),
        }
        s.issued += 1;
        let (access, refresh) = (format!("Atza|app-{}", s.issued), format!("Atzr|app-{}", s.issued));
        s.access.insert(access.clone());
        s.refresh.insert(refresh.clone());
        ResponseTemplate::new(200).set_body_json(json!({
            "access_token": access, "refresh_token": refresh, "token_type": "bearer", "expires_in": 3600
        }))
    }
}

fn bearer(req: &HttpRequest) -> String {
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
        .to_string()
}

type Shared = web::Data<Arc<Mutex<AmazonState>>>;

async fn api_endpoint(req: HttpRequest, s: Shared) -> HttpResponse {
    if !s.lock().unwrap().access.contains(&bearer(&req)) {
        return HttpResponse::Unauthorized().finish();
    }
    HttpResponse::Ok().json(json!({ "endpoints": ["api.amazonalexa.com", "api.eu.amazonalexa.com"] }))
}

async fn enable(req: HttpRequest, s: Shared, skill: web::Path<String>, body: web::Json<Value>) -> HttpResponse {
    let (mode, linkbroker, client) = {
        let mut st = s.lock().unwrap();
        st.enable_calls += 1;
        if !st.access.contains(&bearer(&req)) {
            return HttpResponse::Unauthorized().json(json!({ "message": "bad token" }));
        }
        (st.enable.unwrap_or(Enable::Link), st.linkbroker.clone(), st.client.clone())
    };
    let request = &body["accountLinkRequest"];
    let well_formed = skill.as_str() == SKILL
        && body["stage"] == "live"
        && request["type"] == "AUTH_CODE"
        && request["redirectUri"] == format!("{linkbroker}/account/alexa/callback");
    if !well_formed {
        return HttpResponse::BadRequest().json(json!({ "message": format!("malformed: {body}") }));
    }
    let code = request["authCode"].as_str().unwrap_or("").to_string();
    s.lock().unwrap().our_codes.push(code.clone());
    match mode {
        Enable::Refuse => return HttpResponse::Forbidden().json(json!({ "message": "not allowed" })),
        Enable::Fail => return HttpResponse::InternalServerError().json(json!({ "message": "oops" })),
        Enable::Hang => {
            tokio::time::sleep(Duration::from_secs(8)).await;
            return HttpResponse::InternalServerError().finish();
        }
        Enable::Link | Enable::RedeemThenFail => {}
    }
    // As Alexa does: redeem the code at linkbroker's token endpoint with
    // the client's own credentials and the same redirect URI, no verifier.
    let (id, secret) = client.expect("the client Alexa redeems with");
    let redirect = format!("{linkbroker}/account/alexa/callback");
    let resp = reqwest::Client::new()
        .post(format!("{linkbroker}/oauth/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", redirect.as_str())])
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let tokens: Value = resp.json().await.unwrap_or(Value::Null);
    if status != 200 {
        return HttpResponse::BadRequest().json(json!({ "message": format!("the code was refused: {tokens}") }));
    }
    let mut st = s.lock().unwrap();
    st.linked = Some(tokens);
    if mode == Enable::RedeemThenFail {
        return HttpResponse::InternalServerError().json(json!({ "message": "failed after linking" }));
    }
    st.enabled = true;
    HttpResponse::Created().json(json!({
        "skill": { "stage": "live", "id": SKILL }, "user": { "id": "amzn1.ask.account.TEST" },
        "accountLink": { "status": "LINKED" }, "status": "ENABLED"
    }))
}

async fn view(req: HttpRequest, s: Shared) -> HttpResponse {
    let mut st = s.lock().unwrap();
    st.view_calls += 1;
    if !st.access.contains(&bearer(&req)) {
        return HttpResponse::Unauthorized().finish();
    }
    match st.enabled {
        true => HttpResponse::Ok().json(json!({
            "skill": { "stage": "live", "id": SKILL }, "accountLink": { "status": "LINKED" }, "status": "ENABLED"
        })),
        false => HttpResponse::NotFound().json(json!({ "message": "not enabled" })),
    }
}

async fn disable(req: HttpRequest, s: Shared) -> HttpResponse {
    let mut st = s.lock().unwrap();
    st.disable_calls += 1;
    if !st.access.contains(&bearer(&req)) {
        return HttpResponse::Unauthorized().finish();
    }
    match st.disable.unwrap_or(Disable::Ok) {
        Disable::Ok => {
            st.enabled = false;
            st.disable_ok += 1;
            HttpResponse::NoContent().finish()
        }
        Disable::Down => HttpResponse::ServiceUnavailable().finish(),
        Disable::Gone => HttpResponse::NotFound().finish(),
    }
}

/// Starts the Alexa API mock and returns it with the settings that point
/// linkbroker at it.
pub async fn start_amazon() -> Amazon {
    let state = Arc::new(Mutex::new(AmazonState::default()));
    let data = web::Data::new(state.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(data.clone())
            .route("/v1/alexaApiEndpoint", web::get().to(api_endpoint))
            .route("/v1/users/~current/skills/{skill}/enablement", web::post().to(enable))
            .route("/v1/users/~current/skills/{skill}/enablement", web::get().to(view))
            .route("/v1/users/~current/skills/{skill}/enablement", web::delete().to(disable))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    Amazon { state, api_url: format!("http://127.0.0.1:{port}") }
}

/// An app whose client offers "Link with Alexa", the Amazon mock, and
/// `ADA` able to sign in.
pub struct Website {
    pub app: TestApp,
    pub amazon: Amazon,
    pub client: Client,
}

pub async fn website(backend: Backend, env: &[(&str, &str)]) -> Option<Website> {
    let amazon = start_amazon().await;
    let mut vars = vec![("LINKBROKER_ALEXA_API_URL", amazon.api_url.as_str())];
    vars.extend_from_slice(env);
    let app = spawn_app_with(backend, &vars).await?;
    let client = app.alexa_client().await;
    let draft = AlexaAppDraft {
        skill_id: SKILL.into(),
        stage: None,
        alexa_client_id: APP_ID.into(),
        alexa_client_secret: APP_SECRET.into(),
    };
    manager(&app.store).set_alexa_app(&Actor::cli(), &client.id, Some(&draft)).await.unwrap();
    amazon.with(|s| {
        s.linkbroker = app.base.clone();
        s.client = Some((client.id.clone(), client.secret.clone()));
    });
    signs_in_at_amazon(&app, &amazon, &ADA).await;
    Some(Website { app, amazon, client })
}

/// LWA answers for `user` signing in to linkbroker, and for the Alexa client.
pub async fn signs_in_at_amazon(app: &TestApp, amazon: &Amazon, user: &crate::helpers::AmazonUser<'_>) {
    app.amazon_user(user).await;
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .and(body_string_contains(format!("client_id={APP_ID}")))
        .respond_with(AlexaClientToken(amazon.state.clone()))
        .with_priority(1)
        .mount(&app.lwa)
        .await;
}

/// A browser signed in to the account page (through the upstream login).
pub async fn signed_in(app: &TestApp) -> reqwest::Client {
    let b = browser();
    let resp = b.get(app.url("/account/login")).send().await.unwrap();
    assert_eq!(resp.status(), 303, "sign-in goes to Amazon");
    let to_amazon = location(&resp).unwrap();
    assert!(to_amazon.starts_with(&app.lwa.uri()), "went to {to_amazon}");
    let state = query_param(&to_amazon, "state").unwrap();
    let back = b.get(app.url(&format!("/oauth/callback?code=amazon-code&state={state}"))).send().await.unwrap();
    assert_eq!(back.status(), 303, "{}", back.text().await.unwrap());
    assert_eq!(location(&back).as_deref(), Some("/account"));
    b
}

/// The account page's HTML and its CSRF token.
pub async fn account_page(app: &TestApp, b: &reqwest::Client) -> (String, String) {
    let resp = b.get(app.url("/account")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    let csrf = hidden_field(&html, "csrf").unwrap_or_default();
    (html, csrf)
}

/// "Link with Alexa" up to Amazon: returns Amazon's authorize URL.
pub async fn to_amazon(w: &Website, b: &reqwest::Client) -> String {
    let (html, csrf) = account_page(&w.app, b).await;
    assert!(html.contains("/account/alexa/link"), "the page offers Link with Alexa: {html}");
    let resp = b
        .post(w.app.url("/account/alexa/link"))
        .form(&[("csrf", csrf.as_str()), ("client_id", w.client.id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    location(&resp).unwrap()
}

/// The whole browser flow; returns the callback's status and page.
pub async fn website_link(w: &Website, b: &reqwest::Client) -> (u16, String) {
    let authorize = to_amazon(w, b).await;
    let code = w.amazon.approve(&authorize);
    let state = query_param(&authorize, "state").unwrap();
    let redirect = query_param(&authorize, "redirect_uri").unwrap();
    let resp = b.get(format!("{redirect}?code={code}&state={state}")).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

/// The user's live links (id, made_by).
pub async fn live_links(app: &TestApp) -> Vec<(String, String)> {
    let user = app.store.user_by_email(&linkbroker::domain::Email::parse(ADA.email).unwrap()).await.unwrap().unwrap();
    app.store
        .user_links(&user.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|l| l.revoked_at.is_none())
        .map(|l| (l.id, l.made_by))
        .collect()
}

/// Waits (up to 15 s) until `done` holds of the Amazon mock.
pub async fn eventually(amazon: &Amazon, what: &str, done: impl Fn(&AmazonState) -> bool) {
    for _ in 0..150 {
        if amazon.with(|s| done(s)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}
