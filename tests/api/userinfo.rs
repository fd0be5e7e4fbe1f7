use crate::both_backends;
use crate::helpers::{spawn_app, Backend};

both_backends!(
    userinfo_resolves_tokens_to_profile_and_permissions,
    userinfo_refuses_bad_tokens_with_a_bearer_challenge
);

async fn userinfo_resolves_tokens_to_profile_and_permissions(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (_, tokens) = app.linked().await;
    let user = app.store.list_users().await.unwrap().remove(0);
    app.store
        .grant_permission(&user.id, &linkbroker::domain::Permission::parse("rides:order").unwrap(), 0)
        .await
        .unwrap();
    let (status, me) = app.userinfo(tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(me["sub"], user.id);
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["name"], "Ada Lovelace");
    assert_eq!(me["permissions"], serde_json::json!(["rides:order"]));
    assert_eq!(me["scope"], "profile");
}

async fn userinfo_refuses_bad_tokens_with_a_bearer_challenge(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    for header in [None, Some("Bearer nope"), Some("Bearer a.b.c"), Some("Basic abc")] {
        let mut req = app.api.get(app.url("/oauth/userinfo"));
        if let Some(h) = header {
            req = req.header("Authorization", h);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 401, "{header:?}");
        let challenge = r.headers()["www-authenticate"].to_str().unwrap().to_string();
        assert!(
            challenge.starts_with("Bearer") && challenge.contains("error=\"invalid_token\""),
            "{header:?}: {challenge}"
        );
    }
}
