//! The scenarios: each virtual client loops one operation for the duration.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::agent::{expect, http_client, Agent, Pool};
use super::seed::{prepare_events, EVENT_USERS};
use super::server::Server;
use super::signed::{self, Signer};
use super::Args;

const WARM_UP: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Healthz,
    Links,
    Refresh,
    Userinfo,
    Introspect,
    Alexa,
    AlexaSigned,
    /// Smart Home events through `/alexa/events` to the mock gateway.
    Events,
    /// The same event posted straight to the mock gateway: the baseline.
    GatewayDirect,
}

impl std::fmt::Display for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Healthz => "healthz (baseline)",
            Self::Links => "complete links",
            Self::Refresh => "refreshes",
            Self::Userinfo => "userinfo resolutions",
            Self::Introspect => "introspections",
            Self::Alexa => "/alexa resolutions (verify off)",
            Self::AlexaSigned => "/alexa resolutions (signatures verified)",
            Self::Events => "Smart Home events via /alexa/events",
            Self::GatewayDirect => "events posted straight to the mock gateway (baseline)",
        })
    }
}

/// The timed scenarios of `--scenario` (`all` is every one; `soak` is run
/// apart, see `soak_selected`).
pub fn selected(raw: &str) -> anyhow::Result<Vec<Scenario>> {
    use Scenario::*;
    let mut out = Vec::new();
    for name in raw.split(',').map(str::trim) {
        match name {
            "all" => {
                out.extend([Healthz, Links, Refresh, Userinfo, Introspect, Alexa, AlexaSigned, GatewayDirect, Events])
            }
            "healthz" => out.push(Healthz),
            "links" => out.push(Links),
            "refresh" => out.push(Refresh),
            "userinfo" => out.push(Userinfo),
            "introspect" => out.push(Introspect),
            "alexa" => out.push(Alexa),
            "alexa-signed" => out.push(AlexaSigned),
            "events" => out.push(Events),
            "gateway" => out.push(GatewayDirect),
            "soak" => {}
            other => anyhow::bail!(
                "unknown scenario {other:?} (all, healthz, links, refresh, userinfo, introspect, alexa, alexa-signed, \
                 events, gateway, soak)"
            ),
        }
    }
    Ok(out)
}

/// Whether `--scenario` asks for the soak.
pub fn soak_selected(raw: &str) -> bool {
    raw.split(',').any(|s| s.trim() == "soak")
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ScenarioResult {
    pub scenario: String,
    pub concurrency: usize,
    pub ops: u64,
    pub seconds: f64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub errors: BTreeMap<String, u64>,
    /// Share of token resolutions the 2-second cache answered during the
    /// scenario (from `/metrics`), where any were made.
    #[serde(default)]
    pub cache_hits: Option<f64>,
}

/// (hits, misses) of the resolution cache so far, from `/metrics`.
async fn cache_counts(http: &reqwest::Client, base: &str) -> (f64, f64) {
    let Ok(r) = http.get(format!("{base}/metrics")).send().await else { return (0.0, 0.0) };
    let text = r.text().await.unwrap_or_default();
    let value = |result: &str| {
        let prefix = format!("linkbroker_access_cache_lookups_total{{result=\"{result}\"}} ");
        text.lines().find_map(|l| l.strip_prefix(&prefix)).and_then(|v| v.trim().parse().ok()).unwrap_or(0.0)
    };
    (value("hit"), value("miss"))
}

/// The tokens of one linked account, refreshed in place.
pub async fn run(
    scenario: Scenario,
    srv: &Server,
    pool: &Arc<Pool>,
    concurrency: usize,
    args: &Args,
) -> anyhow::Result<ScenarioResult> {
    let http = http_client(concurrency)?;
    let signed = match scenario {
        Scenario::AlexaSigned => Some((signed::start(&srv.env).await?, Arc::new(Signer::new()?))),
        _ => None,
    };
    if matches!(scenario, Scenario::Events | Scenario::GatewayDirect) {
        prepare_events(srv, pool, EVENT_USERS).await?;
    }
    let gateway: Option<String> =
        srv.env.iter().find(|(k, _)| k == "LINKBROKER_ALEXA_EVENT_GATEWAY_URL").map(|(_, v)| format!("{v}/v3/events"));
    let agents: Vec<Agent> = (0..concurrency)
        .map(|i| Agent::new(&http, &srv.base, pool, i % pool.len().max(1), concurrency, signed.clone()))
        .collect();
    let metrics_base = match &signed {
        Some((base, _)) => base.clone(),
        None => srv.base.clone(),
    };
    let before = cache_counts(&http, &metrics_base).await;
    let start = Instant::now();
    let measure_from = start + WARM_UP;
    let end = measure_from + Duration::from_secs(args.duration);
    let errors = Arc::new(std::sync::Mutex::new(BTreeMap::<String, u64>::new()));
    let mut tasks = Vec::new();
    for mut agent in agents {
        let errors = errors.clone();
        let gateway = gateway.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(4096);
            while Instant::now() < end {
                let t0 = Instant::now();
                let outcome = match scenario {
                    Scenario::Healthz => agent.get("/healthz", None).await.and_then(|r| expect(&r, 200, "healthz")),
                    Scenario::Links => agent.link().await.map(|_| ()),
                    Scenario::Refresh => agent.refresh_once().await,
                    Scenario::Userinfo => agent.userinfo().await,
                    Scenario::Introspect => agent.introspect().await,
                    Scenario::Alexa | Scenario::AlexaSigned => agent.alexa().await,
                    Scenario::Events => agent.event(None).await,
                    Scenario::GatewayDirect => agent.event(gateway.as_deref()).await,
                };
                if t0 < measure_from {
                    continue;
                }
                match outcome {
                    Ok(()) => latencies.push(t0.elapsed().as_micros() as u64),
                    Err(e) => *errors.lock().unwrap_or_else(|p| p.into_inner()).entry(e).or_default() += 1,
                }
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await?);
    }
    let seconds = args.duration as f64;
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or(0) as f64
            / 1000.0
    };
    let errors = errors.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let after = cache_counts(&http, &metrics_base).await;
    let (hits, misses) = (after.0 - before.0, after.1 - before.1);
    let cache_hits = (hits + misses > 0.0).then(|| hits / (hits + misses));
    Ok(ScenarioResult {
        cache_hits,
        scenario: scenario.to_string(),
        concurrency,
        ops: all.len() as u64,
        seconds,
        per_second: all.len() as f64 / seconds,
        p50_ms: pct(0.50),
        p95_ms: pct(0.95),
        p99_ms: pct(0.99),
        max_ms: all.last().copied().unwrap_or(0) as f64 / 1000.0,
        errors,
    })
}
