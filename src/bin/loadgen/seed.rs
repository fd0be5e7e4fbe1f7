//! Before the measured scenarios: the accounts linked through the real
//! flow, and the Smart Home grants the event scenarios use.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::agent::{http_client, Agent, Pool, REDIRECT};
use super::server::Server;

/// Users with an accepted Alexa grant that the events scenario cycles through.
pub const EVENT_USERS: usize = 1_000;

/// Once per server: the client's event credentials, and an AcceptGrant for
/// the first `n` links (through the Lambda relay endpoint, as Alexa would).
pub async fn prepare_events(srv: &Server, pool: &Arc<Pool>, n: usize) -> anyhow::Result<()> {
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
