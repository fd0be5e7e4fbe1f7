//! The linkbroker process under test.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::Connection;

use super::mock_lwa::MockLwa;
use super::Args;

pub struct Server {
    pub base: String,
    child: Child,
    bin: std::path::PathBuf,
    pub env: Vec<(String, String)>,
    pub startup_ms: f64,
    pub idle_rss_kb: u64,
    _dir: std::path::PathBuf,
}

pub async fn fresh_database(db: &str, admin_url: &str) -> anyhow::Result<String> {
    if db == "sqlite" {
        let dir = std::env::temp_dir().join(format!("lb-bench-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)?;
        return Ok(format!("sqlite://{}/bench.db", dir.display()));
    }
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(admin_url).await?;
    let name = format!("lb_bench_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
    let mut url = url::Url::parse(admin_url)?;
    url.set_path(&format!("/{name}"));
    Ok(url.to_string())
}

/// Removes a benchmark's database (Postgres) or folder (SQLite).
pub async fn drop_database(url: &str, admin_url: &str) {
    if let Some(path) = url.strip_prefix("sqlite://") {
        if let Some(dir) = std::path::Path::new(path).parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
        return;
    }
    let Some(name) = url.rsplit('/').next().filter(|n| n.starts_with("lb_bench_")) else { return };
    if let Ok(mut conn) = sqlx::AnyConnection::connect(admin_url).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Server {
    pub async fn start(args: &Args, database_url: &str, lwa: &MockLwa) -> anyhow::Result<Self> {
        let bin = match &args.bin {
            Some(b) => b.clone(),
            None => std::env::current_exe()?.with_file_name("linkbroker"),
        };
        let port = free_port()?;
        let base = format!("http://127.0.0.1:{port}");
        let dir = std::env::temp_dir().join(format!("lb-bench-run-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)?;
        let env: Vec<(String, String)> = [
            ("LINKBROKER_DATABASE_URL", database_url.to_string()),
            ("LINKBROKER_BIND", format!("127.0.0.1:{port}")),
            ("LINKBROKER_LWA_CLIENT_ID", "amzn1.application-oa2-client.bench".into()),
            ("LINKBROKER_LWA_CLIENT_SECRET", "bench".into()),
            ("LINKBROKER_LWA_AUTHORIZE_URL", format!("{}/ap/oa", lwa.base)),
            ("LINKBROKER_LWA_TOKEN_URL", format!("{}/auth/o2/token", lwa.base)),
            ("LINKBROKER_LWA_PROFILE_URL", format!("{}/user/profile", lwa.base)),
            ("LINKBROKER_ALEXA_VERIFY_SIGNATURE", "false".into()),
            ("LINKBROKER_ALEXA_EVENT_GATEWAY_URL", lwa.base.clone()),
            // Secrets sealed at rest, as in production.
            ("LINKBROKER_SECRETS_KEY", "YmVuY2gta2V5LWJlbmNoLWtleS1iZW5jaC1rZXktMDA".into()),
            ("LINKBROKER_LOG", "warn".into()),
            // Every virtual client comes from 127.0.0.1; the limits would
            // measure themselves, not the server.
            ("LINKBROKER_RATE_LIMIT_TOKEN_PER_CLIENT", "off".into()),
            ("LINKBROKER_RATE_LIMIT_TOKEN_PER_IP", "off".into()),
            ("LINKBROKER_RATE_LIMIT_AUTHORIZE_PER_IP", "off".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        // First start applies the migrations; the measured start is the
        // second, on an existing database, as the benchmark target says (docs/benchmarks.md).
        let mut first = wait_ready(&base, spawn(&bin, &env, &dir)?).await?;
        first.kill().ok();
        first.wait().ok();
        let started = Instant::now();
        let child = wait_ready(&base, spawn(&bin, &env, &dir)?).await?;
        let startup_ms = started.elapsed().as_secs_f64() * 1000.0;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let idle_rss_kb = rss_kb(child.id());
        Ok(Self { base, child, bin, env, startup_ms, idle_rss_kb, _dir: dir })
    }

    /// Stores a client's "Send Alexa Events" credentials with the CLI.
    pub fn add_event_credentials(&self, client_id: &str) -> anyhow::Result<()> {
        use std::io::Write;
        let mut child = Command::new(&self.bin)
            .args([
                "client",
                "alexa-events",
                client_id,
                "--alexa-client-id",
                "amzn1.application-oa2-client.benchevents",
            ])
            .arg("--alexa-client-secret-stdin")
            .envs(self.env.iter().cloned())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        child.stdin.take().expect("piped stdin").write_all(b"bench-events-secret")?;
        let out = child.wait_with_output()?;
        anyhow::ensure!(out.status.success(), "client alexa-events failed: {}", String::from_utf8_lossy(&out.stderr));
        Ok(())
    }

    /// An admin API token, made with the CLI as an operator would.
    pub fn add_admin_token(&self) -> anyhow::Result<String> {
        use std::io::Write;
        let mut child = Command::new(&self.bin)
            .args(["admin", "add", "--email", "bench-admin@example.com", "--password-stdin"])
            .envs(self.env.iter().cloned())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        child.stdin.take().expect("piped stdin").write_all(b"a long bench admin password")?;
        let out = child.wait_with_output()?;
        anyhow::ensure!(out.status.success(), "admin add failed: {}", String::from_utf8_lossy(&out.stderr));
        let out = Command::new(&self.bin)
            .args(["admin", "token", "create", "--email", "bench-admin@example.com", "--name", "soak"])
            .envs(self.env.iter().cloned())
            .output()?;
        anyhow::ensure!(out.status.success(), "admin token create failed: {}", String::from_utf8_lossy(&out.stderr));
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// The server's resident memory now.
    pub fn rss_kb(&self) -> u64 {
        rss_kb(self.child.id())
    }

    /// Registers a client with the CLI, as an operator would.
    pub fn add_client(&self, redirect_uri: &str) -> anyhow::Result<(String, String)> {
        let out = Command::new(&self.bin)
            .args(["client", "add", "--name", "bench", "--redirect-uri", redirect_uri, "--scope", "profile", "--json"])
            .envs(self.env.iter().cloned())
            .current_dir(&self._dir)
            .output()?;
        anyhow::ensure!(out.status.success(), "client add failed: {}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        Ok((v["client_id"].as_str().unwrap_or_default().into(), v["client_secret"].as_str().unwrap_or_default().into()))
    }

    /// Start-up time, and resident memory idle after start and after the load.
    pub async fn footprint(&self) -> anyhow::Result<Footprint> {
        Ok(Footprint {
            startup_ms: self.startup_ms,
            idle_rss_kb: self.idle_rss_kb,
            rss_after_load_kb: rss_kb(self.child.id()),
        })
    }

    pub fn stop(self) {
        drop(self);
    }
}

/// The process under test never outlives the load generator, even when a
/// scenario fails half-way.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Footprint {
    pub startup_ms: f64,
    pub idle_rss_kb: u64,
    pub rss_after_load_kb: u64,
}

fn spawn(bin: &std::path::Path, env: &[(String, String)], dir: &std::path::Path) -> anyhow::Result<Child> {
    Ok(Command::new(bin)
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().cloned())
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?)
}

async fn wait_ready(base: &str, mut child: Child) -> anyhow::Result<Child> {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait()? {
            anyhow::bail!("linkbroker exited with {status} before answering /healthz");
        }
        if http.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            return Ok(child);
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    anyhow::bail!("linkbroker did not become ready within 30 s")
}

pub fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}
