use crate::both_backends;
use crate::helpers::{spawn_app, Backend};

both_backends!(health_and_readiness_answer, metadata_and_jwks_are_published, pages_cannot_be_framed);

async fn health_and_readiness_answer(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    assert_eq!(app.api.get(app.url("/healthz")).send().await.unwrap().status(), 200);
    assert_eq!(app.api.get(app.url("/readyz")).send().await.unwrap().status(), 200);
    app.store.close().await;
    let r = app.api.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 503, "readiness must fail without a database");
    assert_eq!(app.api.get(app.url("/healthz")).send().await.unwrap().status(), 200);
}

async fn metadata_and_jwks_are_published(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let meta: serde_json::Value =
        app.api.get(app.url("/.well-known/oauth-authorization-server")).send().await.unwrap().json().await.unwrap();
    assert_eq!(meta["issuer"], app.base);
    assert_eq!(meta["authorization_endpoint"], app.url("/oauth/authorize"));
    assert_eq!(meta["token_endpoint"], app.url("/oauth/token"));
    assert_eq!(meta["authorization_response_iss_parameter_supported"], true);
    assert!(meta["code_challenge_methods_supported"].as_array().unwrap().iter().any(|m| m == "S256"));
    assert_eq!(meta["ui_locales_supported"], serde_json::json!(["en", "de", "fr", "es", "it", "ja", "pt-BR", "hi"]));
    let jwks: serde_json::Value = app.api.get(app.url("/oauth/jwks")).send().await.unwrap().json().await.unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["kty"], "EC");
    assert!(keys[0].get("d").is_none(), "the private key must never be published");
}

async fn pages_cannot_be_framed(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let r = app.api.get(app.url("/oauth/authorize?client_id=nope")).send().await.unwrap();
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    assert!(r.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
}

/// docs/endpoints.md: a known path asked with a method it does not serve answers 405 with
/// `Allow`, on every family of routes; an unknown path stays 404.
#[tokio::test]
async fn known_paths_with_the_wrong_method_answer_405_with_allow() {
    let Some(app) = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await else { return };
    for (method, path, allow) in [
        ("GET", "/oauth/token", "POST"),
        ("GET", "/oauth/revoke", "POST"),
        ("GET", "/oauth/introspect", "POST"),
        ("POST", "/oauth/userinfo", "GET"),
        ("DELETE", "/oauth/consent", "GET, POST"),
        ("GET", "/alexa", "POST"),
        ("POST", "/healthz", "GET"),
        ("PUT", "/admin/login", "GET, POST"),
        ("DELETE", "/admin/users", "GET, POST"),
        ("PATCH", "/admin/api/users", "GET, POST"),
        ("POST", "/admin/api/clients/x", "DELETE, PUT"),
    ] {
        let r = app
            .api
            .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405, "{method} {path}");
        assert_eq!(r.headers()["allow"], allow, "{method} {path}");
    }
    let r = app.api.get(app.url("/oauth/nothing-here")).send().await.unwrap();
    assert_eq!(r.status(), 404);
}
