//! Spawning the real app in process on port 0, one or several instances on
//! one database, with a wiremock Login with Amazon.

use std::collections::BTreeMap;

use linkbroker::alexa::AlexaTrust;
use linkbroker::clock::Clock;
use linkbroker::domain::{Actor, ClientDraft};
use linkbroker::manage::Manager;
use linkbroker::settings::Settings;
use linkbroker::startup::{Application, Options};
use linkbroker::store::Store;
use wiremock::MockServer;

use super::db::{fresh_database, Backend, TempDir};

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

impl TestApp {
    /// A second instance on the same database, issuer and mock LWA, as behind
    /// a load balancer, sharing this one's clock (days passed in a test pass
    /// for both). Its own `lwa` mock is unused.
    pub async fn spawn_sibling(&self) -> TestApp {
        self.spawn_sibling_with(&[]).await
    }

    /// Another instance on this database with `env` added (e.g. other
    /// secrets keys), as a restart with changed settings would be.
    pub async fn spawn_sibling_with(&self, env: &[(&str, &str)]) -> TestApp {
        let mut all = vec![("LINKBROKER_PUBLIC_URL", self.base.as_str())];
        all.extend_from_slice(env);
        let vars = app_env(&self.lwa.uri(), &self.database_url, &all);
        let lwa = MockServer::start().await;
        start_in_process(vars, lwa, self.database_url.clone(), None, None, None, Some(self.clock.clone())).await
    }

    /// What building an instance on this database with `env` says (for
    /// settings that must stop startup).
    pub async fn try_build_with(&self, env: &[(&str, &str)]) -> anyhow::Result<Application> {
        let vars = app_env(&self.lwa.uri(), &self.database_url, env);
        let settings = Settings::from_sources(None, vars)?;
        Application::build(settings, Options::default()).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// The management use cases as the command line runs them.
pub fn manager(store: &Store) -> Manager {
    Manager::offline(store.clone(), Clock::default())
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
    Some(start_in_process(vars, lwa, database_url, dir, toml, alexa_trust, None).await)
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
            tokio::spawn(start_in_process(vars, lwa, database_url.clone(), dir.take(), None, None, None))
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
    clock: Option<Clock>,
) -> TestApp {
    let config = toml.map(|body| {
        let path = dir_for_config(&dir).join("linkbroker.toml");
        std::fs::write(&path, body).unwrap();
        path
    });
    let settings = Settings::from_sources(config.as_deref(), vars).expect("test settings are valid");
    let clock = clock.unwrap_or_default();
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
        Some(dir) => dir.path().to_path_buf(),
        None => {
            let path = std::env::temp_dir().join(format!("lb-test-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&path).unwrap();
            path
        }
    }
}

/// `serve --dev` in process on a fresh SQLite file, for the dev-login and
/// browser tests; clients registered here redirect to its `/dev/callback`.
pub struct DevApp {
    pub base: String,
    pub store: Store,
    pub redirect: String,
    /// Holds `lb.db` (and its generated `lb.db.secrets-key`).
    pub dir: TempDir,
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
        Self { base, store, redirect, dir: TempDir::new(dir) }
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
