//! Builds the application from settings: database, keys, upstream, routes,
//! and a listener (port 0 in tests). No globals: everything a handler needs
//! is built here and injected.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::DefaultHeaders;
use actix_web::{web, App, HttpServer};
use anyhow::Context;

use crate::alexa::{AlexaTrust, SignatureVerifier};
use crate::clock::Clock;
use crate::domain::{RedirectUri, Secret};
use crate::metrics::Metrics;
use crate::oauth::jwt::KeyRing;
use crate::oauth::token_format::TokenKeys;
use crate::oauth::AuthServer;
use crate::rate_limit::{RateLimiter, RateLimits};
use crate::routes;
use crate::settings::Settings;
use crate::store::Store;
use crate::telemetry_middleware::RequestLog;
use crate::upstream::{LwaClient, Upstream};
use crate::web::AppState;

pub struct Application {
    server: Server,
    address: SocketAddr,
    /// `https` with built-in TLS.
    scheme: &'static str,
    public_url: String,
    store: Store,
    /// The management use cases over this instance's store and caches.
    manager: crate::manage::Manager,
    keys: KeyRing,
    /// Housekeeping and key reloading; stopped with the server.
    background: Vec<tokio::task::JoinHandle<()>>,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The development identity provider instead of Login with Amazon.
    pub dev: bool,
    /// The system clock, or one a test moves.
    pub clock: Clock,
}

/// The stored secret every token key derives from (`server_secrets`). A new
/// deployment creates it. When it is missing but links exist (a partial
/// restore, an instance pointed at another copy), starting anyway with a new
/// key would be a server-side key problem silently made (README refresh rule 6), so
/// startup stops and says how to restore it.
pub const SUCCESSOR_KEY: &str = "refresh_successor_key";

async fn successor_key(store: &Store, now: i64) -> anyhow::Result<String> {
    if let Some(value) = store.server_secret(SUCCESSOR_KEY).await? {
        return Ok(value);
    }
    let links = store.live_link_count().await?;
    if links > 0 {
        anyhow::bail!(
            "the token key (table server_secrets, name '{SUCCESSOR_KEY}') is missing, but {links} live links \
             exist. Restore that row from the backup this database came from and start again. Only if it is lost \
             for good, run `linkbroker keys reset-token-key`: no link is revoked, current refresh tokens keep \
             working, and a retried older token gets a successor derived under the new key; access tokens issued \
             before it stop working and are replaced at the next refresh."
        );
    }
    Ok(store.create_server_secret(SUCCESSOR_KEY, Secret::generate().expose(), now).await?)
}

/// Opens the database, applies migrations, and seals with the configured
/// keys (`serve` and every command). Call `adopt_dev_key` first.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let store = Store::connect(settings.database_url.as_str()).await.with_context(|| {
        format!("cannot open the database (LINKBROKER_DATABASE_URL={})", settings.database_url.redacted())
    })?;
    store.migrate().await.context("applying migrations failed")?;
    Ok(store.with_vault(vault_of(settings)))
}

fn vault_of(settings: &Settings) -> crate::vault::Vault {
    let previous: Vec<[u8; 32]> = settings.secrets_key_previous.iter().map(|k| k.0).collect();
    let origin = match (&settings.secrets_key_origin, dev_key_file(settings)) {
        (Some(origin), _) => origin.clone(),
        (None, Some(file)) => format!(
            "LINKBROKER_SECRETS_KEY and LINKBROKER_SECRETS_KEY_FILE are unset, and there is no {} beside the \
             database",
            file.display()
        ),
        (None, None) => "LINKBROKER_SECRETS_KEY and LINKBROKER_SECRETS_KEY_FILE are unset".into(),
    };
    crate::vault::Vault::new(settings.secrets_key.map(|k| k.0), &previous).with_origin(origin)
}

/// The key file `serve --dev` keeps beside a SQLite database
/// (`linkbroker.db.secrets-key` beside `linkbroker.db`).
pub fn dev_key_file(settings: &Settings) -> Option<std::path::PathBuf> {
    let db = settings.database_url.sqlite_file()?;
    Some(std::path::PathBuf::from(format!("{}.secrets-key", db.display())))
}

/// Without a configured key, a SQLite database's dev key file is used when
/// it exists, by every command as by `serve --dev`, so the CLI opens the
/// database `serve --dev` made; `create` (`serve --dev`) writes one when it
/// is missing, so development databases are sealed too. Returns the file
/// used, if any.
pub fn adopt_dev_key(settings: &mut Settings, create: bool) -> anyhow::Result<Option<std::path::PathBuf>> {
    if settings.secrets_key.is_some() {
        return Ok(None);
    }
    let Some(path) = dev_key_file(settings) else { return Ok(None) };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            let key = crate::vault::generate_key();
            write_private(&path, &key).with_context(|| format!("writing the dev secrets key {}", path.display()))?;
            tracing::info!(path = %path.display(), "generated a secrets key for this development database");
            key
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading the dev secrets key {}", path.display())),
    };
    let key = crate::vault::parse_key(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    settings.secrets_key = Some(crate::settings::KeyBytes(key));
    settings.secrets_key_origin = Some(format!("the key file {} beside the database", path.display()));
    Ok(Some(path))
}

/// A file only its owner can read.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

impl Application {
    /// Fails at once when the database is unreachable (tests, scripts).
    pub async fn build(settings: Settings, options: Options) -> anyhow::Result<Self> {
        Self::build_with(settings, options, AlexaTrust::amazon()?, false).await
    }

    /// `build` with the roots and certificate fetcher `/alexa` verifies
    /// request signatures with (tests sign with their own CA).
    pub async fn build_with_alexa_trust(
        settings: Settings,
        options: Options,
        trust: AlexaTrust,
    ) -> anyhow::Result<Self> {
        Self::build_with(settings, options, trust, false).await
    }

    /// `serve`: listens at once and waits for an unreachable database,
    /// answering 503 meanwhile (see `standby`).
    pub async fn build_patiently(settings: Settings, options: Options) -> anyhow::Result<Self> {
        Self::build_with(settings, options, AlexaTrust::amazon()?, true).await
    }

    async fn build_with(
        settings: Settings,
        options: Options,
        trust: AlexaTrust,
        patient: bool,
    ) -> anyhow::Result<Self> {
        // Configuration errors first, before taking the port or waiting for
        // a database: they name the variable to fix.
        if !options.dev {
            settings.require_lwa()?;
        }
        if options.dev && !settings.bind.ip().is_loopback() {
            anyhow::bail!(
                "--dev only listens on loopback (it lets anyone sign in as anyone); LINKBROKER_BIND is {}",
                settings.bind
            );
        }
        // Behind a proxy a loopback bind still serves the world: the public
        // URL must be loopback too.
        if let Some(url) = settings.public_url.as_ref().filter(|_| options.dev) {
            if !is_loopback_host(url) {
                anyhow::bail!(
                    "--dev lets anyone sign in as anyone, so it runs only on this machine; LINKBROKER_PUBLIC_URL is \
                     {url}. Unset it, or use http://127.0.0.1:PORT or http://localhost:PORT"
                );
            }
        }
        let listener = TcpListener::bind(settings.bind)
            .with_context(|| format!("cannot listen on LINKBROKER_BIND={}", settings.bind))?;
        let address = listener.local_addr()?;
        let tls = match &settings.tls {
            Some(files) => Some(crate::tls::server_config(&files.cert, &files.key)?),
            None => None,
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let public_url = match &settings.public_url {
            Some(u) => u.as_str().trim_end_matches('/').to_string(),
            None => format!("{scheme}://{address}"),
        };
        let mut settings = settings;
        if let Some(file) = adopt_dev_key(&mut settings, options.dev)? {
            tracing::info!(path = %file.display(), "sealing secrets with the key file beside the database");
        }
        let store = if patient {
            let store = crate::standby::connect_patiently(&settings, &listener, tls.clone()).await?;
            store.migrate().await.context("applying migrations failed")?;
            store.with_vault(vault_of(&settings))
        } else {
            open_store(&settings).await?
        };
        // Before anything reads a secret: a missing or wrong key stops here
        // (never a silent new key), and what is plain or under an older key
        // is sealed under the current one.
        let resealed = store.seal_at_rest().await.context("checking the sealed secrets")?;
        // Every value is sealed now: a plain one written later is refused.
        store.vault().refuse_plain();
        match store.vault().key_id() {
            Some(id) if resealed > 0 => tracing::info!(key_id = id, resealed, "sealed secrets at rest"),
            Some(_) => {}
            None => tracing::warn!(
                "LINKBROKER_SECRETS_KEY is not set: signing keys, the token key, Alexa event credentials and Amazon \
                 tokens are stored in plain text in the database. Set it (32 random bytes, base64url) to seal them"
            ),
        }
        if options.dev {
            let real = store.upstream_identity_count_except("dev").await?;
            if real > 0 {
                anyhow::bail!(
                    "--dev lets anyone claim any user by typing their email, but this database holds {real} real \
                     (non-dev) sign-in identities. Point LINKBROKER_DATABASE_URL at a development database"
                );
            }
        }
        let clock = options.clock.clone();
        let now = clock.now();
        let server_key = successor_key(&store, now).await?;
        let master = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, server_key.as_bytes());
        // Separate keys per purpose, derived from the one stored secret.
        let derive = |label: &str| {
            ring::hmac::Key::new(ring::hmac::HMAC_SHA256, ring::hmac::sign(&master, label.as_bytes()).as_ref())
        };
        let keys = KeyRing::load(store.clone(), now).await.context("loading signing keys")?;
        let upstream = if options.dev {
            Upstream::Dev
        } else {
            let (id, secret) = settings.require_lwa()?;
            let callback = format!("{public_url}/oauth/callback");
            Upstream::Lwa(Box::new(LwaClient::new(&settings.lwa, id, secret.expose().to_string(), &callback)?))
        };
        let secure_cookies = !is_loopback_http(&public_url);
        let alexa_verifier = if settings.alexa_verify_signature {
            Some(SignatureVerifier::new(trust))
        } else {
            tracing::warn!(
                "LINKBROKER_ALEXA_VERIFY_SIGNATURE=false: /alexa accepts UNSIGNED requests from anyone. \
                 Never run a published skill like this."
            );
            None
        };
        let auth = AuthServer {
            store: store.clone(),
            settings: Arc::new(settings),
            issuer: public_url.clone().into(),
            keys,
            tokens: Arc::new(TokenKeys::new(derive("refresh-successor"), derive("access-token-mac"))),
            access_cache: Arc::new(crate::oauth::access_cache::AccessCache::with_clock(clock.clone())),
            client_cache: Arc::new(crate::oauth::access_cache::ClientCache::with_clock(clock.clone())),
            event_cache: Arc::new(crate::oauth::access_cache::EventCache::with_clock(clock.clone())),
            clock: clock.clone(),
            csrf_key: derive("consent-csrf"),
            outbox: crate::outbox::Outbox::default(),
        };
        let metrics = Metrics::new();
        // App-to-app linking and the unlink worker share one client to Amazon.
        let alexa_app = Arc::new(crate::alexa::amazon::AmazonApi::new(&auth.settings)?);
        let unlinks = crate::outbox::Worker {
            store: store.clone(),
            amazon: alexa_app.clone(),
            metrics: metrics.clone(),
            clock: clock.clone(),
        };
        let background = vec![
            unlinks.spawn(auth.outbox.clone()),
            crate::housekeeping::spawn(store.clone(), auth.settings.clone(), clock),
            auth.keys.spawn_reloader(std::time::Duration::from_secs(auth.settings.key_reload_seconds as u64)),
        ];
        let limits = RateLimits {
            token_per_client: RateLimiter::new(auth.settings.rate_limit_token_per_client),
            token_per_ip: RateLimiter::new(auth.settings.rate_limit_token_per_ip),
            authorize_per_ip: RateLimiter::new(auth.settings.rate_limit_authorize_per_ip),
        };
        let amazon = crate::alexa::amazon::AmazonApi::new(&auth.settings)?;
        let region = auth.settings.lwa.region;
        let smart_home = Arc::new(crate::alexa::smart_home::SmartHome::new(amazon, region, metrics.clone()));
        let manager = crate::manage::Manager::serving(&auth);
        let keys = auth.keys.clone();
        let state = web::Data::new(AppState {
            manage: manager.clone(),
            auth,
            upstream,
            secure_cookies,
            alexa_verifier,
            smart_home,
            alexa_app,
            account_views: Default::default(),
            metrics: metrics.clone(),
            limits,
            password_checks: Arc::new(tokio::sync::Semaphore::new(crate::web::PASSWORD_CHECKS)),
        });
        let dev = options.dev;
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(web::PayloadConfig::new(64 * 1024))
                .app_data(web::FormConfig::default().limit(16 * 1024))
                .wrap(crate::web::header_limit::HeaderLimit)
                .wrap(security_headers())
                .wrap(RequestLog::new(metrics.clone()))
                .configure(|cfg| routes::configure(cfg, dev))
                .configure(crate::admin::configure)
        })
        // Idle keep-alive connections stay open 75 s, longer than load
        // balancers keep theirs (AWS ALB 60 s, nginx 60 s): the balancer,
        // not linkbroker, closes an idle connection, so it never sends a
        // request on one linkbroker is closing at that moment (a 502).
        .keep_alive(std::time::Duration::from_secs(75))
        .shutdown_timeout(10);
        let server = match tls {
            Some(config) => server.listen_rustls_0_23(listener, config)?,
            None => server.listen(listener)?,
        }
        .run();
        Ok(Self { server, address, scheme, public_url, store, manager, keys, background })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn manager(&self) -> crate::manage::Manager {
        self.manager.clone()
    }

    /// The signing keys this instance uses (tests watch its reloads).
    pub fn keys(&self) -> KeyRing {
        self.keys.clone()
    }

    /// Runs until SIGINT/SIGTERM, then drains in-flight requests.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        tracing::info!("listening on {}://{}", self.scheme, self.address);
        let result = self.server.await;
        for task in self.background {
            task.abort();
        }
        result
    }
}

/// Every response: not frameable, no sniffing, no referrer leaks.
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("X-Frame-Options", "DENY"))
        .add((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
}

/// `localhost`, `127.0.0.0/8` or `[::1]`.
fn is_loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Is `uri` an http URL on loopback (the only place cookies may lack `Secure`)?
pub fn is_loopback_http(uri: &str) -> bool {
    uri.starts_with("http://") && RedirectUri::parse(uri).is_ok()
}
