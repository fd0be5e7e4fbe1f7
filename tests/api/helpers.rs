//! Spawns the real app on port 0 with a fresh database (SQLite file or a new
//! Postgres database) and a wiremock Login with Amazon, and drives it over
//! HTTP like Alexa and a browser would.

use std::collections::BTreeMap;

use linkbroker::alexa::AlexaTrust;
use linkbroker::clock::Clock;
use linkbroker::domain::{Actor, ClientDraft, TokenFormat};
use linkbroker::manage::Manager;
use linkbroker::settings::Settings;
use linkbroker::startup::{Application, Options};
use linkbroker::store::Store;
use reqwest::header::LOCATION;
use serde_json::Value;
use sqlx::Connection;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const ALEXA_REDIRECT: &str = "https://pitangui.amazon.com/api/skill/link/M2EXAMPLEVENDOR";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body once per backend: `both_backends!(name1, name2)` turns
/// each `async fn name(backend: Backend)` into `name::sqlite` and
/// `name::postgres` tests.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                use $crate::helpers::Backend;
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() { super::$name(Backend::Sqlite).await }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() { super::$name(Backend::Postgres).await }
            }
        )*
    };
}

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub lwa: MockServer,
    /// Alexa's servers: no cookies.
    pub api: reqwest::Client,
    /// Shared by sibling instances (`spawn_sibling`).
    pub database_url: String,
    /// The app's clock: `clock.advance(days * 86_400)` lets days pass (and
    /// `clock.advance(3)` the 2 s cache bound).
    pub clock: Clock,
    /// The app's signing keys, to watch it reload them (`None` for a
    /// spawned binary).
    pub keys: Option<linkbroker::oauth::jwt::KeyRing>,
    pub _dir: Option<TempDir>,
}

pub struct TempDir(std::path::PathBuf);

impl TempDir {
    /// Deletes `path` when dropped.
    pub fn new(path: std::path::PathBuf) -> Self {
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct Client {
    pub id: String,
    pub secret: String,
}

/// The management use cases as the command line runs them.
pub fn manager(store: &Store) -> Manager {
    Manager::offline(store.clone(), Clock::default())
}

pub fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn postgres_admin_url() -> String {
    std::env::var("LINKBROKER_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh Postgres database, or `None` (with a notice) when Postgres is not
/// reachable and `LINKBROKER_REQUIRE_POSTGRES` is not `1`.
async fn fresh_postgres() -> Option<String> {
    sqlx::any::install_default_drivers();
    let admin = postgres_admin_url();
    let required = std::env::var("LINKBROKER_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    let mut conn = match sqlx::AnyConnection::connect(&admin).await {
        Ok(c) => c,
        Err(e) if !required => {
            eprintln!(
                "SKIPPED: Postgres at {admin} is unreachable ({e}); set LINKBROKER_REQUIRE_POSTGRES=1 to fail instead"
            );
            return None;
        }
        Err(e) => panic!("Postgres at {admin} is unreachable and LINKBROKER_REQUIRE_POSTGRES=1: {e}"),
    };
    sweep_old_test_databases(&mut conn).await;
    // The creation time in the name lets later runs find what to sweep.
    let name = format!("lb_test_{}_{}", linkbroker::clock::now(), uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&format!("/{name}"));
    Some(url.to_string())
}

/// Every Postgres test makes a database; without a sweep they fill the disk
/// over many runs. Once per test process, databases of earlier runs (older
/// than an hour, far longer than a run) are dropped. Best effort.
async fn sweep_old_test_databases(conn: &mut sqlx::AnyConnection) {
    static SWEPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if SWEPT.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    let cutoff = linkbroker::clock::now() - 3600;
    let names: Vec<(String,)> = sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE 'lb_test_%'")
        .fetch_all(&mut *conn)
        .await
        .unwrap_or_default();
    for (name,) in names {
        let created = name.split('_').nth(2).and_then(|t| t.parse::<i64>().ok());
        // Names without a time come from older helpers: also stale.
        if created.is_none_or(|t| t < cutoff) {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut *conn).await;
        }
    }
}

/// A database URL no other test uses (and the folder to delete for SQLite).
pub async fn fresh_database(backend: Backend) -> Option<(String, Option<TempDir>)> {
    Some(match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("lb-test-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&dir).unwrap();
            (format!("sqlite://{}/lb.db", dir.display()), Some(TempDir(dir)))
        }
        Backend::Postgres => (fresh_postgres().await?, None),
    })
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, &[]).await
}

/// `env` adds or overrides `LINKBROKER_*` settings.
pub async fn spawn_app_with(backend: Backend, env: &[(&str, &str)]) -> Option<TestApp> {
    spawn_app_custom(backend, env, None, None).await
}

/// Also a `linkbroker.toml` body, and the roots and certificate fetcher that
/// `/alexa` verifies signatures with.
pub async fn spawn_app_custom(
    backend: Backend,
    env: &[(&str, &str)],
    toml: Option<&str>,
    alexa_trust: Option<AlexaTrust>,
) -> Option<TestApp> {
    let lwa = MockServer::start().await;
    let (database_url, dir) = fresh_database(backend).await?;
    let vars = app_env(&lwa.uri(), &database_url, env);
    Some(start_in_process(vars, lwa, database_url, dir, toml, alexa_trust).await)
}

/// `n` instances started at the same moment on one fresh database, sharing
/// the first one's mock LWA and one issuer (as behind a load balancer).
pub async fn spawn_apps_together(backend: Backend, n: usize) -> Option<Vec<TestApp>> {
    let (database_url, mut dir) = fresh_database(backend).await?;
    let mut mocks = Vec::new();
    for _ in 0..n {
        mocks.push(MockServer::start().await);
    }
    let lwa_uri = mocks[0].uri();
    let env = [("LINKBROKER_PUBLIC_URL", "https://link.example.test")];
    let starts: Vec<_> = mocks
        .into_iter()
        .map(|lwa| {
            let vars = app_env(&lwa_uri, &database_url, &env);
            // The first app owns (and deletes) the SQLite folder.
            tokio::spawn(start_in_process(vars, lwa, database_url.clone(), dir.take(), None, None))
        })
        .collect();
    let mut apps = Vec::new();
    for start in starts {
        apps.push(start.await.expect("an instance starts"));
    }
    Some(apps)
}

async fn start_in_process(
    vars: BTreeMap<String, String>,
    lwa: MockServer,
    database_url: String,
    dir: Option<TempDir>,
    toml: Option<&str>,
    alexa_trust: Option<AlexaTrust>,
) -> TestApp {
    let config = toml.map(|body| {
        let path = dir_for_config(&dir).join("linkbroker.toml");
        std::fs::write(&path, body).unwrap();
        path
    });
    let settings = Settings::from_sources(config.as_deref(), vars).expect("test settings are valid");
    let clock = Clock::default();
    let options = Options { clock: clock.clone(), ..Default::default() };
    let app = match alexa_trust {
        Some(trust) => Application::build_with_alexa_trust(settings, options, trust).await,
        None => Application::build(settings, options).await,
    }
    .expect("the app builds");
    let base = format!("http://{}", app.address());
    let store = app.store().clone();
    let keys = Some(app.keys());
    tokio::spawn(app.run_until_stopped());
    TestApp { base, store, lwa, api: api_client(), database_url, clock, keys, _dir: dir }
}

/// Alexa's servers: no cookies, no redirects followed.
pub fn api_client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The settings of a test instance: the database, a free port, and LWA at
/// the mock `lwa_uri`; `env` adds or overrides.
pub fn app_env(lwa_uri: &str, database_url: &str, env: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut vars: BTreeMap<String, String> = [
        ("LINKBROKER_DATABASE_URL", database_url),
        ("LINKBROKER_BIND", "127.0.0.1:0"),
        ("LINKBROKER_LWA_CLIENT_ID", "amzn1.application-oa2-client.test"),
        ("LINKBROKER_LWA_CLIENT_SECRET", "lwa-secret"),
        ("LINKBROKER_ALEXA_VERIFY_SIGNATURE", "false"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    vars.insert("LINKBROKER_LWA_AUTHORIZE_URL".into(), format!("{lwa_uri}/ap/oa"));
    vars.insert("LINKBROKER_LWA_TOKEN_URL".into(), format!("{lwa_uri}/auth/o2/token"));
    vars.insert("LINKBROKER_LWA_PROFILE_URL".into(), format!("{lwa_uri}/user/profile"));
    for (k, v) in env {
        vars.insert(k.to_string(), v.to_string());
    }
    vars
}

/// A folder for a test's config file: the SQLite folder, else a new temp one.
fn dir_for_config(dir: &Option<TempDir>) -> std::path::PathBuf {
    match dir {
        Some(TempDir(path)) => path.clone(),
        None => {
            let path = std::env::temp_dir().join(format!("lb-test-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&path).unwrap();
            path
        }
    }
}

/// What the mock Amazon says about the logged-in user.
pub struct AmazonUser<'a> {
    pub user_id: &'a str,
    pub name: &'a str,
    pub email: &'a str,
}

pub const ADA: AmazonUser<'static> =
    AmazonUser { user_id: "amzn1.account.ADA", name: "Ada Lovelace", email: "Ada@Example.com" };

pub fn query_param(url: &str, key: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    parsed.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

pub fn location(resp: &reqwest::Response) -> Option<String> {
    resp.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_string())
}

/// Pulls `name="X" value="Y"` out of a form (our templates are regular).
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}

impl TestApp {
    /// A second instance on the same database, issuer and mock LWA, as behind
    /// a load balancer. Its own `lwa` mock is unused.
    pub async fn spawn_sibling(&self) -> TestApp {
        let env = [("LINKBROKER_PUBLIC_URL", self.base.as_str())];
        let vars = app_env(&self.lwa.uri(), &self.database_url, &env);
        start_in_process(vars, MockServer::start().await, self.database_url.clone(), None, None, None).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

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
            allow_plain_pkce: false,
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

/// The `href` of the link with `rel="REL"` (our templates put `href` first).
pub fn link_href(html: &str, rel: &str) -> Option<String> {
    let marker = format!("rel=\"{rel}\"");
    let end = html.find(&marker)?;
    let start = html[..end].rfind("href=\"")? + "href=\"".len();
    let stop = html[start..].find('"')?;
    Some(html[start..start + stop].to_string())
}

/// `serve --dev` in process on a fresh SQLite file, for the dev-login and
/// browser tests; clients registered here redirect to its `/dev/callback`.
pub struct DevApp {
    pub base: String,
    pub store: Store,
    pub redirect: String,
    _dir: TempDir,
}

impl DevApp {
    pub async fn spawn() -> Self {
        let dir = std::env::temp_dir().join(format!("lb-dev-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let env: BTreeMap<String, String> = [
            ("LINKBROKER_DATABASE_URL".to_string(), format!("sqlite://{}/lb.db", dir.display())),
            ("LINKBROKER_BIND".to_string(), "127.0.0.1:0".to_string()),
        ]
        .into();
        let settings = Settings::from_sources(None, env).unwrap();
        let app = Application::build(settings, Options { dev: true, ..Default::default() }).await.unwrap();
        let base = format!("http://{}", app.address());
        let store = app.store().clone();
        tokio::spawn(app.run_until_stopped());
        let redirect = format!("{base}/dev/callback");
        Self { base, store, redirect, _dir: TempDir::new(dir) }
    }

    /// Registers a client whose redirect URI is this app's `/dev/callback`.
    pub async fn client(&self, name: &str, skip_consent: bool) -> String {
        let draft = ClientDraft {
            name: name.into(),
            redirect_uris: vec![self.redirect.clone()],
            scopes: vec!["profile".into()],
            skip_consent,
            ..Default::default()
        };
        let (id, _) = manager(&self.store).create_client(&Actor::cli(), &draft).await.unwrap();
        id.as_str().to_string()
    }
}
