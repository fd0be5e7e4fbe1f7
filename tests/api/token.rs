use linkbroker::domain::TokenFormat;

use crate::both_backends;
use crate::helpers::{query_param, spawn_app, spawn_app_with, Backend, TestApp, ADA, ALEXA_REDIRECT};

both_backends!(
    code_exchange_with_basic_or_body_credentials,
    client_authentication_failures_are_invalid_client,
    replaying_a_code_revokes_the_link,
    bad_code_exchanges_are_refused,
    expired_codes_are_refused,
    pkce_is_enforced,
    jwt_clients_get_verifiable_jwts,
    jwt_token_responses_stay_under_2_kb,
    malformed_token_requests_get_clear_errors,
);

async fn code_exchange_with_basic_or_body_credentials(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    let code = app.code_for(&client).await;
    let (status, headers, body) = app
        .token(
            &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", ALEXA_REDIRECT)],
            Some((&client.id, &client.secret)),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "profile");
    let access = body["access_token"].as_str().unwrap();
    let refresh = body["refresh_token"].as_str().unwrap();
    for t in [access, refresh] {
        assert!(t.len() >= 43 && t.bytes().all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(&c)), "{t}");
    }
    assert!(body.to_string().len() < 2048);

    let code = app.code_for(&client).await;
    let (status, _, body) = app
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", ALEXA_REDIRECT),
                ("client_id", &client.id),
                ("client_secret", &client.secret),
            ],
            None,
        )
        .await;
    assert_eq!(status, 200, "credentials in the body: {body}");
}

async fn client_authentication_failures_are_invalid_client(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    let code = app.code_for(&client).await;
    let form = [("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", ALEXA_REDIRECT)];
    let (status, headers, body) = app.token(&form, Some((&client.id, "wrong-secret"))).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")));
    assert!(headers["www-authenticate"].to_str().unwrap().starts_with("Basic"));
    let (status, _, body) = app.token(&form, Some(("lb-unknown", &client.secret))).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")));
    let mut with_body = form.to_vec();
    with_body.extend([("client_id", client.id.as_str()), ("client_secret", "wrong")]);
    let (status, headers, body) = app.token(&with_body, None).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")));
    assert!(headers.get("www-authenticate").is_none(), "no Basic challenge when Basic was not used");
    let (status, _, body) = app.token(&form, None).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")), "no credentials at all");
    // The failed attempts did not spend the code.
    assert_eq!(app.exchange(&client, &code).await.0, 200);
}

async fn replaying_a_code_revokes_the_link(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    let code = app.code_for(&client).await;
    let (status, tokens) = app.exchange(&client, &code).await;
    assert_eq!(status, 200);
    let (status, body) = app.exchange(&client, &code).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    let said = body["error_description"].as_str().unwrap();
    assert!(said.contains("already used") && said.contains("link it made is revoked"), "says what happened: {said}");
    assert_eq!(
        app.userinfo(tokens["access_token"].as_str().unwrap()).await.0,
        401,
        "the link from the code is revoked"
    );
    assert_eq!(app.refresh(&client, tokens["refresh_token"].as_str().unwrap()).await.1["error"], "invalid_grant");
    assert!(app.audit_actions().await.contains(&"code_replay".to_string()));
}

async fn bad_code_exchanges_are_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    let other = app.alexa_client().await;
    type Form = Box<dyn Fn(&str) -> Vec<(&'static str, String)>>;
    let cases: Vec<(&str, Form, bool)> = vec![
        (
            "unknown code",
            Box::new(|_| vec![("code", "not-a-code".into()), ("redirect_uri", ALEXA_REDIRECT.into())]),
            false,
        ),
        (
            "wrong redirect_uri",
            Box::new(|c| vec![("code", c.into()), ("redirect_uri", format!("{ALEXA_REDIRECT}/"))]),
            false,
        ),
        ("missing redirect_uri", Box::new(|c| vec![("code", c.into())]), false),
        (
            "another client's code",
            Box::new(|c| vec![("code", c.into()), ("redirect_uri", ALEXA_REDIRECT.into())]),
            true,
        ),
    ];
    for (name, form, as_other) in cases {
        let code = app.code_for(&client).await;
        let mut fields = vec![("grant_type", "authorization_code".to_string())];
        fields.extend(form(&code));
        let who = if as_other { &other } else { &client };
        let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, _, body) = app.token(&form, Some((&who.id, &who.secret))).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{name}: {body}");
    }
}

async fn expired_codes_are_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    let code = app.code_for(&client).await;
    app.clock.advance(121); // LINKBROKER_CODE_TTL defaults to 120 s
    let (status, body) = app.exchange(&client, &code).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    assert!(body["error_description"].as_str().unwrap().contains("expired"));
}

async fn pkce_is_enforced(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    app.amazon_user(&ADA).await;
    // RFC 7636 Appendix B.
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let code_with_pkce = || async {
        let mut params = TestApp::alexa_params(&client, "s");
        params.extend([("code_challenge", challenge), ("code_challenge_method", "S256")]);
        query_param(&app.link(&client, &params).await, "code").unwrap()
    };
    let exchange = |code: String, verifier: Option<&'static str>| {
        let app = &app;
        let client = &client;
        async move {
            let mut form = vec![("grant_type", "authorization_code"), ("redirect_uri", ALEXA_REDIRECT)];
            let code = code;
            form.push(("code", code.as_str()));
            if let Some(v) = verifier {
                form.push(("code_verifier", v));
            }
            app.token(&form, Some((&client.id, &client.secret))).await
        }
    };
    let spent = code_with_pkce().await;
    let (status, _, body) = exchange(spent.clone(), None).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "missing verifier");
    // The failed attempt spent the code; trying again says so, and why.
    let (status, _, body) = exchange(spent, Some(verifier)).await;
    assert_eq!(status, 400);
    let said = body["error_description"].as_str().unwrap();
    assert!(said.contains("spent by an earlier attempt") && said.contains("code_verifier is required"), "{said}");
    let (status, _, body) = exchange(code_with_pkce().await, Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXX")).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "wrong verifier");
    let (status, _, body) = exchange(code_with_pkce().await, Some(verifier)).await;
    assert_eq!(status, 200, "right verifier: {body}");
    let (status, _, body) = exchange(app.code_for(&client).await, Some(verifier)).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "verifier without challenge");
    // RFC 9700 §2.1.1: a challenge without a method is S256 here.
    let mut params = TestApp::alexa_params(&client, "s");
    params.push(("code_challenge", challenge));
    let code = query_param(&app.link(&client, &params).await, "code").unwrap();
    let (status, _, body) = exchange(code, Some(verifier)).await;
    assert_eq!(status, 200, "a method-less challenge is S256: {body}");
}

/// The largest scopes a JWT client may have, a long public URL, and the
/// token response still under 2 KB.
async fn jwt_token_responses_stay_under_2_kb(backend: Backend) {
    let long_url = format!("http://127.0.0.1:1/{}", "p".repeat(60));
    let Some(app) = spawn_app_with(backend, &[("LINKBROKER_PUBLIC_URL", long_url.as_str())]).await else { return };
    let mut scopes: Vec<String> = (0..12).map(|i| format!("orders:scope-number-{i:02}")).collect();
    while scopes.join(" ").len() + 4 <= linkbroker::domain::MAX_JWT_SCOPE_CHARS {
        scopes.push(format!("s{}", scopes.len()));
    }
    let refs: Vec<&str> = scopes.iter().map(String::as_str).collect();
    let client = app.client(&refs, true, TokenFormat::Jwt).await;
    app.amazon_user(&ADA).await;
    let all = scopes.join(" ");
    let params = [
        ("response_type", "code"),
        ("client_id", client.id.as_str()),
        ("redirect_uri", ALEXA_REDIRECT),
        ("state", "s"),
        ("scope", all.as_str()),
    ];
    let code = query_param(&app.link(&client, &params).await, "code").unwrap();
    let resp = app
        .api
        .post(app.url("/oauth/token"))
        .basic_auth(&client.id, Some(&client.secret))
        .form(&[("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", ALEXA_REDIRECT)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body = resp.bytes().await.unwrap();
    assert!(body.len() < 2048, "{} bytes", body.len());
}

async fn jwt_clients_get_verifiable_jwts(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.client(&["profile"], false, TokenFormat::Jwt).await;
    let code = app.code_for(&client).await;
    let (status, tokens) = app.exchange(&client, &code).await;
    assert_eq!(status, 200);
    let jwt = tokens["access_token"].as_str().unwrap();
    let header: serde_json::Value = {
        use base64::Engine;
        let part = jwt.split('.').next().unwrap();
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    };
    assert_eq!(header["typ"], "at+jwt");
    let jwks: serde_json::Value = app.api.get(app.url("/oauth/jwks")).send().await.unwrap().json().await.unwrap();
    assert!(jwks["keys"].as_array().unwrap().iter().any(|k| k["kid"] == header["kid"]));
    let (status, me) = app.userinfo(jwt).await;
    assert_eq!(status, 200);
    assert_eq!(me["email"], "ada@example.com");
    let (status, refreshed) = app.refresh(&client, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(app.userinfo(refreshed["access_token"].as_str().unwrap()).await.0, 200);
    let tampered = format!("{}x", &jwt[..jwt.len() - 1]);
    assert_eq!(app.userinfo(&tampered).await.0, 401);
}

async fn malformed_token_requests_get_clear_errors(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    let creds = Some((client.id.as_str(), client.secret.as_str()));
    let (status, _, body) = app.token(&[("grant_type", "password"), ("username", "a")], creds).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("unsupported_grant_type")));
    let (status, _, body) = app.token(&[("code", "x")], creds).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "missing grant_type");
    let (status, _, body) = app.token(&[("grant_type", "authorization_code")], creds).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "missing code");
    let (status, _, body) = app.token(&[("grant_type", "refresh_token"), ("grant_type", "refresh_token")], creds).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "repeated parameter");
    let huge = "a".repeat(5000);
    let (status, _, body) = app.token(&[("grant_type", "authorization_code"), ("code", &huge)], creds).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "oversized parameter");
    let r = app
        .api
        .post(app.url("/oauth/token"))
        .basic_auth(&client.id, Some(&client.secret))
        .json(&serde_json::json!({"grant_type": "refresh_token"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "JSON bodies are refused with invalid_request");
    let r = app
        .api
        .post(app.url("/oauth/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 100_000])
        .send()
        .await
        .unwrap();
    assert!(r.status() == 413 || r.status() == 400, "oversized bodies are refused, got {}", r.status());
}
