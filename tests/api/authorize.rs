use linkbroker::domain::TokenFormat;

use crate::both_backends;
use crate::helpers::{browser, location, query_param, spawn_app, Backend, TestApp, ALEXA_REDIRECT};

both_backends!(
    untrusted_client_or_redirect_uri_gets_a_page_never_a_redirect,
    other_errors_redirect_with_state_and_iss,
    oversized_requests_get_a_page,
    valid_request_goes_to_amazon_with_pkce_and_binds_the_browser,
    the_browser_binding_is_fresh_per_authorization_and_host_prefixed_on_https,
);

async fn the_browser_binding_is_fresh_per_authorization_and_host_prefixed_on_https(backend: Backend) {
    let env = [("LINKBROKER_PUBLIC_URL", "https://link.example.test")];
    let Some(app) = crate::helpers::spawn_app_with(backend, &env).await else { return };
    let client = app.alexa_client().await;
    let b = browser();
    let mut values = Vec::new();
    for _ in 0..2 {
        let r = app.authorize(&b, &TestApp::alexa_params(&client, "s")).await;
        assert_eq!(r.status(), 302);
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(cookie.starts_with("__Host-lb_browser="), "{cookie}");
        assert!(cookie.contains("Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"), "{cookie}");
        values.push(cookie.split(';').next().unwrap().to_string());
    }
    assert_ne!(values[0], values[1], "a fresh value per authorization, never the one the browser brought");
}

async fn untrusted_client_or_redirect_uri_gets_a_page_never_a_redirect(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    let near_misses = [
        "https://pitangui.amazon.com/api/skill/link/M2EXAMPLEVENDOR/",
        "https://PITANGUI.amazon.com/api/skill/link/M2EXAMPLEVENDOR",
        "https://pitangui.amazon.com/api/skill/link/M2EXAMPLEVENDOR?x=1",
        "http://pitangui.amazon.com/api/skill/link/M2EXAMPLEVENDOR",
        "https://pitangui.amazon.com/api/skill/link/M2EXAMPLEVENDO",
        "https://pitangui.amazon.com.evil.example/api/skill/link/M2EXAMPLEVENDOR",
        "https://evil.example/api/skill/link/M2EXAMPLEVENDOR",
    ];
    let mut cases: Vec<(String, Vec<(&str, &str)>)> = near_misses
        .iter()
        .map(|uri| {
            (
                format!("near-miss {uri}"),
                vec![
                    ("response_type", "code"),
                    ("client_id", client.id.as_str()),
                    ("redirect_uri", *uri),
                    ("state", "s"),
                ],
            )
        })
        .collect();
    cases.push((
        "unknown client".into(),
        vec![("response_type", "code"), ("client_id", "lb-nope"), ("redirect_uri", ALEXA_REDIRECT)],
    ));
    cases.push(("no client".into(), vec![("response_type", "code"), ("redirect_uri", ALEXA_REDIRECT)]));
    cases.push(("no redirect_uri".into(), vec![("response_type", "code"), ("client_id", client.id.as_str())]));
    cases.push((
        "repeated redirect_uri".into(),
        vec![
            ("client_id", client.id.as_str()),
            ("redirect_uri", ALEXA_REDIRECT),
            ("redirect_uri", "https://evil.example/"),
        ],
    ));
    for (name, params) in cases {
        let r = app.authorize(&browser(), &params).await;
        assert_eq!(r.status(), 400, "{name}");
        assert!(location(&r).is_none(), "{name}: must never redirect");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"), "{name}");
    }
}

async fn other_errors_redirect_with_state_and_iss(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.client(&["profile"], false, TokenFormat::Opaque).await;
    let weird_state = "a b&c=d/é+%";
    let challenge = "a".repeat(43);
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        ("missing response_type", vec![], "invalid_request"),
        ("implicit flow", vec![("response_type", "token")], "unsupported_response_type"),
        ("scope not allowed", vec![("response_type", "code"), ("scope", "profile admin")], "invalid_scope"),
        ("malformed scope", vec![("response_type", "code"), ("scope", "a\"b")], "invalid_scope"),
        (
            "unknown PKCE method",
            vec![("response_type", "code"), ("code_challenge", challenge.as_str()), ("code_challenge_method", "S512")],
            "invalid_request",
        ),
        (
            "plain PKCE from a client not registered for it",
            vec![("response_type", "code"), ("code_challenge", challenge.as_str()), ("code_challenge_method", "plain")],
            "invalid_request",
        ),
        (
            "method without challenge",
            vec![("response_type", "code"), ("code_challenge_method", "S256")],
            "invalid_request",
        ),
        (
            "short challenge",
            vec![("response_type", "code"), ("code_challenge", "abc"), ("code_challenge_method", "S256")],
            "invalid_request",
        ),
        (
            "repeated scope",
            vec![("response_type", "code"), ("scope", "profile"), ("scope", "profile")],
            "invalid_request",
        ),
    ];
    for (name, extra, error) in cases {
        let mut params =
            vec![("client_id", client.id.as_str()), ("redirect_uri", ALEXA_REDIRECT), ("state", weird_state)];
        params.extend(extra);
        let r = app.authorize(&browser(), &params).await;
        assert_eq!(r.status(), 302, "{name}");
        let to = location(&r).unwrap();
        assert!(to.starts_with(ALEXA_REDIRECT), "{name}: {to}");
        assert_eq!(query_param(&to, "error").as_deref(), Some(error), "{name}");
        assert_eq!(query_param(&to, "state").as_deref(), Some(weird_state), "{name}: state byte-for-byte");
        assert_eq!(query_param(&to, "iss").as_deref(), Some(app.base.as_str()), "{name}: RFC 9207 iss");
    }
}

async fn oversized_requests_get_a_page(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    let big = "x".repeat(9000);
    let r = app
        .authorize(&browser(), &[("client_id", client.id.as_str()), ("redirect_uri", ALEXA_REDIRECT), ("state", &big)])
        .await;
    assert_eq!(r.status(), 400);
    assert!(location(&r).is_none());
}

async fn valid_request_goes_to_amazon_with_pkce_and_binds_the_browser(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    let r = app.authorize(&browser(), &TestApp::alexa_params(&client, "xyz")).await;
    assert_eq!(r.status(), 302);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    let to = location(&r).unwrap();
    assert!(to.starts_with(&format!("{}/ap/oa", app.lwa.uri())), "{to}");
    assert_eq!(query_param(&to, "client_id").as_deref(), Some("amzn1.application-oa2-client.test"));
    assert_eq!(query_param(&to, "redirect_uri"), Some(app.url("/oauth/callback")));
    assert_eq!(query_param(&to, "code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(query_param(&to, "scope").as_deref(), Some("profile"));
    let state = query_param(&to, "state").unwrap();
    assert!(state.len() >= 43 && state != "xyz", "our own random state goes upstream, not the client's");
}
