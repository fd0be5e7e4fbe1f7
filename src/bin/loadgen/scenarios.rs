//! The scenarios: each virtual client loops one operation for the duration.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::server::Server;
use super::signed::{self, Signer};
use super::Args;

const REDIRECT: &str = "https://pitangui.amazon.com/api/skill/link/BENCHVENDOR";
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

pub fn selected(raw: &str) -> anyhow::Result<Vec<Scenario>> {
    use Scenario::*;
    if raw == "all" {
        return Ok(vec![Healthz, Links, Refresh, Userinfo, Introspect, Alexa, AlexaSigned, GatewayDirect, Events]);
    }
    raw.split(',')
        .map(|s| match s.trim() {
            "healthz" => Ok(Healthz),
            "links" => Ok(Links),
            "refresh" => Ok(Refresh),
            "userinfo" => Ok(Userinfo),
            "introspect" => Ok(Introspect),
            "alexa" => Ok(Alexa),
            "alexa-signed" => Ok(AlexaSigned),
            "events" => Ok(Events),
            "gateway" => Ok(GatewayDirect),
            other => {
                anyhow::bail!(
                    "unknown scenario {other:?} (healthz, links, refresh, userinfo, introspect, alexa, alexa-signed, \
                     events, gateway)"
                )
            }
        })
        .collect()
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
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    access: String,
    refresh: String,
}

/// Accounts linked before the measured scenarios, so refreshes and
/// resolutions walk many distinct links and tokens instead of one per
/// virtual client (which the resolution cache would answer).
pub struct Pool {
    client_id: String,
    client_secret: String,
    slots: Vec<std::sync::Mutex<Tokens>>,
    /// Smart Home: the user ids whose links accepted a grant (`prepare_events`).
    event_users: std::sync::OnceLock<Vec<String>>,
}

impl Pool {
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    fn get(&self, i: usize) -> Tokens {
        self.slots[i].lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn put(&self, i: usize, t: Tokens) {
        *self.slots[i].lock().unwrap_or_else(|p| p.into_inner()) = t;
    }
}

/// One virtual Alexa/browser. Agent `i` of `n` owns the pool slots
/// `i, i + n, i + 2n, …` and cycles through them, so no two agents ever
/// refresh one link at once.
struct Agent {
    http: reqwest::Client,
    base: String,
    client_id: String,
    client_secret: String,
    pool: Arc<Pool>,
    cursor: usize,
    stride: usize,
    /// For `AlexaSigned`: the verifying instance and the request signer.
    signed: Option<(String, Arc<Signer>)>,
    /// The last signed body and its signature, reused within one second:
    /// RSA signing costs the load generator more than verifying costs the
    /// server, and both share this machine's cores.
    last_signed: Option<(String, Vec<u8>, String)>,
}

static NEXT_USER: AtomicU64 = AtomicU64::new(0);

impl Agent {
    /// Agent `cursor` of `stride` over `pool`'s slots, speaking as its client.
    fn new(
        http: &reqwest::Client,
        base: &str,
        pool: &Arc<Pool>,
        cursor: usize,
        stride: usize,
        signed: Option<(String, Arc<Signer>)>,
    ) -> Self {
        Self {
            http: http.clone(),
            base: base.to_string(),
            client_id: pool.client_id.clone(),
            client_secret: pool.client_secret.clone(),
            pool: pool.clone(),
            cursor,
            stride,
            signed,
            last_signed: None,
        }
    }

    /// The next pool slot this agent owns.
    fn next_slot(&mut self) -> usize {
        let slot = self.cursor;
        self.cursor += self.stride;
        if self.cursor >= self.pool.len() {
            self.cursor %= self.stride;
        }
        slot
    }

    /// One event for the next user with a grant: through linkbroker, or
    /// (`direct`) straight to the mock gateway with the token filled in.
    async fn event(&mut self, direct: Option<&str>) -> Result<(), String> {
        let users = self.pool.event_users.get().ok_or("no event users")?;
        let user = users[self.cursor % users.len()].clone();
        self.cursor += self.stride;
        let resp = match direct {
            Some(url) => {
                let mut event = change_report();
                event["endpoint"]["scope"] = serde_json::json!({ "type": "BearerToken", "token": "Atza|grant" });
                let body = serde_json::json!({ "event": event, "context": { "properties": [] } });
                self.http.post(url).bearer_auth("Atza|grant").json(&body).send().await
            }
            None => {
                let body =
                    serde_json::json!({ "user": user, "event": change_report(), "context": { "properties": [] } });
                let url = format!("{}/alexa/events", self.base);
                self.http.post(url).basic_auth(&self.client_id, Some(&self.client_secret)).json(&body).send().await
            }
        };
        let resp = resp.map_err(|e| format!("event: {e}"))?;
        expect(&resp, 202, "event")
    }

    fn next_access(&mut self) -> String {
        let slot = self.next_slot();
        self.pool.get(slot).access
    }

    /// authorize → (mock Amazon) → callback → consent → code exchange.
    async fn link(&self) -> Result<Tokens, String> {
        let n = NEXT_USER.fetch_add(1, Ordering::Relaxed);
        let query = serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", self.client_id.as_str()),
            ("redirect_uri", REDIRECT),
            ("state", "bench"),
            ("scope", "profile"),
        ])
        .unwrap_or_default();
        let r = self.get(&format!("/oauth/authorize?{query}"), None).await?;
        expect(&r, 302, "authorize")?;
        let cookie = r
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|c| c.split(';').next())
            .map(str::to_string)
            .ok_or("authorize: no cookie")?;
        let state = param(&location(&r)?, "state").ok_or("authorize: no state")?;
        let r = self.get(&format!("/oauth/callback?code=u{n}&state={state}"), Some(&cookie)).await?;
        expect(&r, 303, "callback")?;
        let consent = location(&r)?;
        let r = self.get(&consent, Some(&cookie)).await?;
        expect(&r, 200, "consent page")?;
        let html = r.text().await.map_err(|e| e.to_string())?;
        let field = |name: &str| {
            let marker = format!("name=\"{name}\" value=\"");
            html.find(&marker).and_then(|i| html[i + marker.len()..].split('"').next()).map(str::to_string)
        };
        let (request, csrf) = (field("request").ok_or("no request")?, field("csrf").ok_or("no csrf")?);
        let r = self
            .http
            .post(format!("{}/oauth/consent", self.base))
            .header("Cookie", &cookie)
            .form(&[("request", request.as_str()), ("csrf", csrf.as_str()), ("decision", "approve")])
            .send()
            .await
            .map_err(|e| format!("consent: {e}"))?;
        expect(&r, 303, "consent")?;
        let code = param(&location(&r)?, "code").ok_or("no code")?;
        self.token(&[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", REDIRECT)]).await
    }

    async fn refresh_once(&mut self) -> Result<(), String> {
        let slot = self.next_slot();
        let old = self.pool.get(slot);
        let new = self.token(&[("grant_type", "refresh_token"), ("refresh_token", &old.refresh)]).await?;
        self.pool.put(slot, new);
        Ok(())
    }

    async fn token(&self, form: &[(&str, &str)]) -> Result<Tokens, String> {
        let r = self
            .http
            .post(format!("{}/oauth/token", self.base))
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .form(form)
            .send()
            .await
            .map_err(|e| format!("token: {e}"))?;
        expect(&r, 200, "token")?;
        let v: serde_json::Value = r.json().await.map_err(|e| e.to_string())?;
        Ok(Tokens {
            access: v["access_token"].as_str().unwrap_or_default().to_string(),
            refresh: v["refresh_token"].as_str().unwrap_or_default().to_string(),
        })
    }

    async fn userinfo(&mut self) -> Result<(), String> {
        let access = self.next_access();
        let r = self
            .http
            .get(format!("{}/oauth/userinfo", self.base))
            .bearer_auth(&access)
            .send()
            .await
            .map_err(|e| format!("userinfo: {e}"))?;
        expect(&r, 200, "userinfo")?;
        r.bytes().await.map(|_| ()).map_err(|e| e.to_string())
    }

    /// RFC 7662, authenticated as the client the token was issued to.
    async fn introspect(&mut self) -> Result<(), String> {
        let access = self.next_access();
        let r = self
            .http
            .post(format!("{}/oauth/introspect", self.base))
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .form(&[("token", access.as_str())])
            .send()
            .await
            .map_err(|e| format!("introspect: {e}"))?;
        expect(&r, 200, "introspect")?;
        let text = r.text().await.map_err(|e| e.to_string())?;
        if !text.contains("\"active\":true") {
            return Err("introspect: token inactive".into());
        }
        Ok(())
    }

    async fn alexa(&mut self) -> Result<(), String> {
        let timestamp = linkbroker::alexa::timestamp::format_iso8601(linkbroker::clock::now());
        if let Some((at, body, signature)) = &self.last_signed {
            if *at == timestamp {
                return self.post_alexa(body.clone(), Some(signature.clone())).await;
            }
        }
        let slot = self.next_slot();
        let access = self.pool.get(slot).access;
        self.alexa_for(slot, &access, &timestamp).await
    }

    /// A LaunchRequest from the Alexa user of pool slot `slot`.
    async fn alexa_for(&mut self, slot: usize, access: &str, timestamp: &str) -> Result<(), String> {
        // Formatted, not built with `json!`: the load generator shares the
        // machine's two cores with the server, and a JSON tree per request
        // cost it more than the server spends answering. Tokens and the
        // timestamp need no JSON escaping.
        let body = format!(
            r#"{{"version":"1.0","session":{{"new":true,"sessionId":"s","application":{{"applicationId":"amzn1.ask.skill.bench"}},"user":{{"userId":"amzn1.ask.account.BENCH{slot}","accessToken":"{access}"}}}},"context":{{"System":{{"application":{{"applicationId":"amzn1.ask.skill.bench"}},"user":{{"userId":"amzn1.ask.account.BENCH{slot}","accessToken":"{access}"}}}}}},"request":{{"type":"LaunchRequest","requestId":"r","timestamp":"{timestamp}","locale":"en-US"}}}}"#
        )
        .into_bytes();
        let signature = self.signed.as_ref().map(|(_, signer)| signer.sign(&body));
        if let Some(sig) = &signature {
            self.last_signed = Some((timestamp.to_string(), body.clone(), sig.clone()));
        }
        self.post_alexa(body, signature).await
    }

    async fn post_alexa(&self, body: Vec<u8>, signature: Option<String>) -> Result<(), String> {
        let url = match &self.signed {
            Some((base, _)) => format!("{base}/alexa"),
            None => format!("{}/alexa", self.base),
        };
        let mut req = self.http.post(url).header("Content-Type", "application/json");
        if let Some(sig) = signature {
            req = req.header("SignatureCertChainUrl", signed::CERT_URL).header("Signature-256", sig);
        }
        let r = req.body(body).send().await.map_err(|e| format!("alexa: {e}"))?;
        expect(&r, 200, "alexa")?;
        let text = r.text().await.map_err(|e| e.to_string())?;
        if text.contains("LinkAccount") {
            return Err("alexa: token did not resolve".into());
        }
        Ok(())
    }

    async fn get(&self, path_and_query: &str, cookie: Option<&str>) -> Result<reqwest::Response, String> {
        let mut req = self.http.get(format!("{}{path_and_query}", self.base));
        if let Some(c) = cookie {
            req = req.header("Cookie", c);
        }
        req.send().await.map_err(|e| format!("GET {}: {e}", path_and_query.split('?').next().unwrap_or("")))
    }
}

fn expect(r: &reqwest::Response, status: u16, what: &str) -> Result<(), String> {
    if r.status().as_u16() == status {
        Ok(())
    } else {
        Err(format!("{what}: HTTP {}", r.status().as_u16()))
    }
}

fn location(r: &reqwest::Response) -> Result<String, String> {
    r.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string).ok_or_else(|| "no Location".into())
}

fn param(url: &str, key: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    pairs.into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

pub fn http_client(concurrency: usize) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(concurrency)
        .build()?)
}

/// Users with an accepted Alexa grant that the events scenario cycles through.
const EVENT_USERS: usize = 1_000;

/// Once per server: the client's event credentials, and an AcceptGrant for
/// the first `n` links (through the Lambda relay endpoint, as Alexa would).
async fn prepare_events(srv: &Server, pool: &Arc<Pool>, n: usize) -> anyhow::Result<()> {
    if pool.event_users.get().is_some() {
        return Ok(());
    }
    srv.add_event_credentials(&pool.client_id)?;
    let http = http_client(32)?;
    let mut users = Vec::new();
    for slot in 0..n.min(pool.len()) {
        let access = pool.get(slot).access;
        let me: serde_json::Value =
            http.get(format!("{}/oauth/userinfo", srv.base)).bearer_auth(&access).send().await?.json().await?;
        let directive = serde_json::json!({ "directive": {
            "header": { "namespace": "Alexa.Authorization", "name": "AcceptGrant", "messageId": "m", "payloadVersion": "3" },
            "payload": { "grant": { "type": "OAuth2.AuthorizationCode", "code": format!("grant{slot}") },
                         "grantee": { "type": "BearerToken", "token": access } } } });
        let answer: serde_json::Value = http
            .post(format!("{}/alexa/smart-home", srv.base))
            .basic_auth(&pool.client_id, Some(&pool.client_secret))
            .json(&directive)
            .send()
            .await?
            .json()
            .await?;
        anyhow::ensure!(answer["event"]["header"]["name"] == "AcceptGrant.Response", "AcceptGrant failed: {answer}");
        users.push(me["sub"].as_str().unwrap_or_default().to_string());
    }
    let _ = pool.event_users.set(users);
    Ok(())
}

fn change_report() -> serde_json::Value {
    serde_json::json!({
        "header": { "namespace": "Alexa", "name": "ChangeReport", "messageId": "bench", "payloadVersion": "3" },
        "endpoint": { "endpointId": "lamp-1" },
        "payload": { "change": { "cause": { "type": "PHYSICAL_INTERACTION" }, "properties": [
            { "namespace": "Alexa.PowerController", "name": "powerState", "value": "ON",
              "timeOfSample": "2026-12-01T10:00:00Z", "uncertaintyInMilliseconds": 0 } ] } }
    })
}

/// Links `n` accounts through the real flow, `parallel` at a time.
pub async fn seed(srv: &Server, n: usize, parallel: usize) -> anyhow::Result<Arc<Pool>> {
    let (client_id, client_secret) = srv.add_client(REDIRECT)?;
    let http = http_client(parallel)?;
    let empty = Arc::new(Pool {
        client_id: client_id.clone(),
        client_secret: client_secret.clone(),
        slots: vec![],
        event_users: Default::default(),
    });
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..parallel {
        let agent = Agent::new(&http, &srv.base, &empty, 0, 1, None);
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let mut linked = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < n as u64 {
                linked.push(agent.link().await?);
            }
            Ok::<_, String>(linked)
        }));
    }
    let mut slots = Vec::with_capacity(n);
    for t in tasks {
        let linked = t.await?.map_err(|e| anyhow::anyhow!("linking the benchmark's accounts failed: {e}"))?;
        slots.extend(linked.into_iter().map(std::sync::Mutex::new));
    }
    let pool = Arc::new(Pool { client_id, client_secret, slots, event_users: Default::default() });
    // Each link's first skill request, as after a real linking: it records
    // the link's Alexa user id once, so the scenarios measure the steady
    // state rather than 10,000 first-use writes.
    let timestamp = linkbroker::alexa::timestamp::format_iso8601(linkbroker::clock::now());
    let mut firsts = Vec::new();
    for part in 0..parallel {
        let mut agent = Agent::new(&http, &srv.base, &pool, 0, 1, None);
        let timestamp = timestamp.clone();
        firsts.push(tokio::spawn(async move {
            for slot in (part..agent.pool.len()).step_by(parallel) {
                let access = agent.pool.get(slot).access;
                agent.alexa_for(slot, &access, &timestamp).await?;
            }
            Ok::<_, String>(())
        }));
    }
    for t in firsts {
        t.await?.map_err(|e| anyhow::anyhow!("the first skill requests failed: {e}"))?;
    }
    Ok(pool)
}

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
