//! One virtual Alexa/browser and what it does: complete links, refreshes,
//! resolutions at `/oauth/userinfo`, `/oauth/introspect` and `/alexa`,
//! Smart Home events, and admin API reads; the accounts it walks through.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::signed::{self, Signer};

pub const REDIRECT: &str = "https://pitangui.amazon.com/api/skill/link/BENCHVENDOR";

#[derive(Debug, Clone, Default)]
pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

/// Accounts linked before the measured scenarios, so refreshes and
/// resolutions walk many distinct links and tokens instead of one per
/// virtual client (which the resolution cache would answer).
pub struct Pool {
    pub client_id: String,
    pub client_secret: String,
    pub slots: Vec<std::sync::Mutex<Tokens>>,
    /// Smart Home: the user ids whose links accepted a grant (`prepare_events`).
    pub event_users: std::sync::OnceLock<Vec<String>>,
}

impl Pool {
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn get(&self, i: usize) -> Tokens {
        self.slots[i].lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn put(&self, i: usize, t: Tokens) {
        *self.slots[i].lock().unwrap_or_else(|p| p.into_inner()) = t;
    }
}

/// One virtual Alexa/browser. Agent `i` of `n` owns the pool slots
/// `i, i + n, i + 2n, …` and cycles through them, so no two agents ever
/// refresh one link at once.
pub struct Agent {
    http: reqwest::Client,
    base: String,
    client_id: String,
    client_secret: String,
    pub pool: Arc<Pool>,
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
    pub fn new(
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
    pub fn next_slot(&mut self) -> usize {
        let slot = self.cursor;
        self.cursor += self.stride;
        if self.cursor >= self.pool.len() {
            self.cursor %= self.stride;
        }
        slot
    }

    /// One event for the next user with a grant: through linkbroker, or
    /// (`direct`) straight to the mock gateway with the token filled in.
    pub async fn event(&mut self, direct: Option<&str>) -> Result<(), String> {
        let slot = self.next_slot();
        let users = self.pool.event_users.get().ok_or("no event users")?;
        let user = users[slot % users.len()].clone();
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

    /// An admin reading through the API: a page of users, then one of them.
    pub async fn admin_read(&self, token: &str) -> Result<(), String> {
        let page = self
            .http
            .get(format!("{}/admin/api/users?limit=20", self.base))
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| format!("admin users: {e}"))?;
        expect(&page, 200, "admin users")?;
        let page: serde_json::Value = page.json().await.map_err(|e| format!("admin users: {e}"))?;
        let id = page["users"][self.cursor % 20]["id"].as_str().or(page["users"][0]["id"].as_str()).unwrap_or("");
        let one = self
            .http
            .get(format!("{}/admin/api/users/{id}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| format!("admin user: {e}"))?;
        expect(&one, 200, "admin user")?;
        one.bytes().await.map(|_| ()).map_err(|e| e.to_string())
    }

    pub fn next_access(&mut self) -> String {
        let slot = self.next_slot();
        self.pool.get(slot).access
    }

    /// authorize → (mock Amazon) → callback → consent → code exchange.
    pub async fn link(&self) -> Result<Tokens, String> {
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

    pub async fn refresh_once(&mut self) -> Result<(), String> {
        let slot = self.next_slot();
        let old = self.pool.get(slot);
        let new = self.token(&[("grant_type", "refresh_token"), ("refresh_token", &old.refresh)]).await?;
        self.pool.put(slot, new);
        Ok(())
    }

    pub async fn token(&self, form: &[(&str, &str)]) -> Result<Tokens, String> {
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

    pub async fn userinfo(&mut self) -> Result<(), String> {
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
    pub async fn introspect(&mut self) -> Result<(), String> {
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

    pub async fn alexa(&mut self) -> Result<(), String> {
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
    pub async fn alexa_for(&mut self, slot: usize, access: &str, timestamp: &str) -> Result<(), String> {
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

    pub async fn post_alexa(&self, body: Vec<u8>, signature: Option<String>) -> Result<(), String> {
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

    pub async fn get(&self, path_and_query: &str, cookie: Option<&str>) -> Result<reqwest::Response, String> {
        let mut req = self.http.get(format!("{}{path_and_query}", self.base));
        if let Some(c) = cookie {
            req = req.header("Cookie", c);
        }
        req.send().await.map_err(|e| format!("GET {}: {e}", path_and_query.split('?').next().unwrap_or("")))
    }
}

pub fn expect(r: &reqwest::Response, status: u16, what: &str) -> Result<(), String> {
    if r.status().as_u16() == status {
        Ok(())
    } else {
        Err(format!("{what}: HTTP {}", r.status().as_u16()))
    }
}

pub fn location(r: &reqwest::Response) -> Result<String, String> {
    r.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string).ok_or_else(|| "no Location".into())
}

pub fn param(url: &str, key: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    pairs.into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

pub fn http_client(concurrency: usize) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(concurrency)
        // Idle connections are dropped well before the server's keep-alive
        // (75 s) ends them, so no request goes out on one being closed.
        .pool_idle_timeout(std::time::Duration::from_secs(30))
        .build()?)
}

pub fn change_report() -> serde_json::Value {
    serde_json::json!({
        "header": { "namespace": "Alexa", "name": "ChangeReport", "messageId": "bench", "payloadVersion": "3" },
        "endpoint": { "endpointId": "lamp-1" },
        "payload": { "change": { "cause": { "type": "PHYSICAL_INTERACTION" }, "properties": [
            { "namespace": "Alexa.PowerController", "name": "powerState", "value": "ON",
              "timeOfSample": "2026-12-01T10:00:00Z", "uncertaintyInMilliseconds": 0 } ] } }
    })
}
