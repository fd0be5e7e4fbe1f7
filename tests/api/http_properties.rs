//! Property tests over HTTP for the parsers that need a running server: the
//! authorize query (it looks the client up) and the admin API's JSON bodies,
//! paths and query strings. Every generated request must get a 4xx with a
//! plain message or a success, never a 5xx, and the authorize endpoint must
//! never redirect anywhere but upstream, to itself, or to the registered
//! redirect URI. A fixed case budget keeps CI fast (`PROPTEST_CASES` raises
//! it locally); a failure prints the shrunk request.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{json, Value};

use crate::admin_support::{create_admin, ADMIN_EMAIL};
use crate::both_backends;
use crate::helpers::{browser, spawn_app_with, Backend, TestApp, ALEXA_REDIRECT};

both_backends!(generated_authorize_queries_are_refused_plainly, generated_admin_api_calls_are_refused_plainly,);

fn runner() -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256);
    TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() })
}

/// Runs async checks from proptest's synchronous closure.
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(f))
}

fn junk() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9%=&+:/?#.@_~ \\-\\[\\]]{0,40}",
        any::<String>(),
        Just(String::new()),
        "%[0-9a-fA-F]{0,2}[a-z]{0,3}",
        (0usize..5000).prop_map(|n| "y".repeat(n)),
    ]
}

/// Percent-encodes everything but unreserved characters, so the generated
/// value reaches the parser as written.
fn encode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn four_xx_is_plain(resp: reqwest::Response, what: &str) -> Result<(), TestCaseError> {
    let status = resp.status().as_u16();
    prop_assert!(status < 500, "{what} answered {status}");
    if (400..500).contains(&status) && status != 405 {
        let body = resp.text().await.unwrap_or_default();
        prop_assert!(!body.trim().is_empty(), "{what} answered {status} with an empty body");
        prop_assert!(!body.contains("sqlx") && !body.contains("panicked"), "{what} leaked internals: {body}");
    }
    Ok(())
}

const AUTHORIZE_KEYS: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "scope",
    "code_challenge",
    "code_challenge_method",
    "ui_locales",
    "prompt",
    "nonce",
    "request",
    "request_uri",
    "response_mode",
    "resource",
];

async fn generated_authorize_queries_are_refused_plainly(backend: Backend) {
    let Some(app) = spawn_app_with(backend, &[("LINKBROKER_RATE_LIMIT_AUTHORIZE_PER_IP", "off")]).await else { return };
    let client = app.alexa_client().await;
    let good = [
        ("response_type", "code".to_string()),
        ("client_id", client.id.clone()),
        ("redirect_uri", ALEXA_REDIRECT.to_string()),
        ("state", "s".to_string()),
        ("scope", "profile".to_string()),
        ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".to_string()),
        ("code_challenge_method", "S256".to_string()),
    ];
    // Each pair is a key (known or junk) with a value (right, junk, or empty);
    // starting from the valid request lets cases get past the first check.
    let pair = (
        prop_oneof![3 => proptest::sample::select(AUTHORIZE_KEYS).prop_map(str::to_string), 1 => junk()],
        prop_oneof![2 => proptest::sample::select(good.to_vec()).prop_map(|(_, v)| v), 2 => junk()],
        any::<bool>(),
    );
    let strategy = (proptest::collection::vec(pair, 0..8), 0usize..=good.len(), any::<bool>());
    let browser = browser();
    let lwa = app.lwa.uri();
    runner()
        .run(&strategy, |(extra, keep, raw)| {
            let mut pairs: Vec<String> = good[..keep].iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
            for (k, v, encoded) in &extra {
                // Raw values exercise the query decoder itself (bad escapes).
                let v = if *encoded || !raw { encode(v) } else { v.replace(['&', '#', ' '], "") };
                pairs.push(format!("{}={v}", encode(k)));
            }
            let url = format!("{}/oauth/authorize?{}", app.base, pairs.join("&"));
            block_on(async {
                let resp = match browser.get(&url).send().await {
                    Ok(r) => r,
                    Err(_) => return Ok(()), // a head too large to read is refused at the socket
                };
                if let Some(to) = resp.headers().get("location").and_then(|l| l.to_str().ok()) {
                    let allowed = to.starts_with(&lwa)
                        || to.starts_with('/')
                        || to.starts_with(&app.base)
                        || to.starts_with(&format!("{ALEXA_REDIRECT}?"));
                    prop_assert!(allowed, "{url} redirected to {to}");
                }
                four_xx_is_plain(resp, &url).await
            })
        })
        .unwrap();
    assert_eq!(app.api.get(app.url("/healthz")).send().await.unwrap().status(), 200);
}

/// A JSON value of any shape, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        junk().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(junk(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A body of the right shape whose fields hold anything.
fn shaped_json() -> impl Strategy<Value = Value> {
    let strings = proptest::collection::vec(prop_oneof![junk(), Just("https://example.com/cb".to_string())], 0..4);
    prop_oneof![
        (junk(), junk(), strings.clone()).prop_map(|(e, n, p)| json!({"email": e, "name": n, "permissions": p})),
        (junk(), strings.clone(), strings, any_json(), any_json()).prop_map(|(n, r, s, f, c)| {
            json!({"name": n, "redirect_uris": r, "scopes": s, "token_format": f, "skip_consent": c})
        }),
    ]
}

fn api_path() -> impl Strategy<Value = (reqwest::Method, String)> {
    let id = prop_oneof![junk().prop_map(|s| encode(&s)), Just("USER".to_string()), Just("CLIENT".to_string())];
    let seg = prop_oneof![
        Just("disable"),
        Just("enable"),
        Just("links"),
        Just("permissions/read"),
        Just("rotate-secret"),
        Just("identities/amazon/x")
    ];
    let method = proptest::sample::select(vec![
        reqwest::Method::GET,
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ]);
    (method, prop_oneof![Just("users"), Just("clients"), Just("audit")], proptest::option::of(id), seg, any::<bool>())
        .prop_map(|(m, coll, id, seg, deep)| match (id, deep) {
            (None, _) => (m, format!("/admin/api/{coll}")),
            (Some(id), false) => (m, format!("/admin/api/{coll}/{id}")),
            (Some(id), true) => (m, format!("/admin/api/{coll}/{id}/{seg}")),
        })
}

fn api_query() -> impl Strategy<Value = String> {
    let key = proptest::sample::select(vec![
        "q", "disabled", "linked", "sort", "after", "limit", "action", "subject", "since", "until", "before",
    ]);
    let value = prop_oneof![
        junk(),
        Just("true".to_string()),
        Just("-1".to_string()),
        Just("99999999999999999999".to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("1.2".to_string()),
    ];
    proptest::collection::vec((key, value), 0..5)
        .prop_map(|pairs| pairs.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&"))
}

async fn generated_admin_api_calls_are_refused_plainly(backend: Backend) {
    let Some(app) = spawn_app_with(backend, &[]).await else { return };
    create_admin(&app).await;
    let token = crate::admin_support::api_token(&app, "fuzz").await;
    let (client, _) = app.linked().await;
    let user = first_user(&app, &token).await;
    let body = prop_oneof![
        Just(None),
        any_json().prop_map(|v| Some(v.to_string().into_bytes())),
        shaped_json().prop_map(|v| Some(v.to_string().into_bytes())),
        proptest::collection::vec(any::<u8>(), 0..300).prop_map(Some),
    ];
    let strategy = (api_path(), api_query(), body);
    runner()
        .run(&strategy, |((method, path), query, body)| {
            let path = path.replace("USER", &user).replace("CLIENT", &client.id);
            let url = format!("{}{path}?{query}", app.base);
            block_on(async {
                let mut req = app.api.request(method.clone(), &url).bearer_auth(&token);
                if let Some(b) = body.clone() {
                    req = req.header("content-type", "application/json").body(b);
                }
                let Ok(resp) = req.send().await else { return Ok(()) };
                four_xx_is_plain(resp, &format!("{method} {url} {:?}", body.as_deref().map(String::from_utf8_lossy)))
                    .await
            })
        })
        .unwrap();
    assert_eq!(app.api.get(app.url("/healthz")).send().await.unwrap().status(), 200);
    // The token still works: nothing the fuzzer sent broke the API itself.
    let resp = app.api.get(app.url("/admin/api/users")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(resp.status(), 200);
}

async fn first_user(app: &TestApp, token: &str) -> String {
    let page: Value =
        app.api.get(app.url("/admin/api/users")).bearer_auth(token).send().await.unwrap().json().await.unwrap();
    page["users"]
        .as_array()
        .and_then(|u| u.iter().find(|u| u["email"] != ADMIN_EMAIL))
        .and_then(|u| u["id"].as_str())
        .expect("the linked user is listed")
        .to_string()
}
