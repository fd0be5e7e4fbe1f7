//! RFC 7009 revocation and RFC 7662 introspection.

use linkbroker::domain::TokenFormat;

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, Client, TestApp};

both_backends!(
    revoking_a_refresh_token_revokes_the_whole_link,
    revoking_an_access_token_kills_it_and_the_link_lives_on,
    a_retried_refresh_after_revoking_its_access_token_gets_one_that_works,
    revocation_is_quiet_for_unknown_and_foreign_tokens,
    revocation_requires_client_authentication,
    introspection_describes_live_tokens,
    introspection_is_inactive_for_dead_or_foreign_tokens,
    jwt_access_tokens_can_be_revoked_and_introspected,
);

async fn post(app: &TestApp, path: &str, client: &Client, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let r = app.api.post(app.url(path)).basic_auth(&client.id, Some(&client.secret)).form(form).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(serde_json::Value::Null))
}

async fn revoking_a_refresh_token_revokes_the_whole_link(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, first) = app.linked().await;
    let (_, second) = app.refresh(&client, first["refresh_token"].as_str().unwrap()).await;
    let (status, _) =
        post(&app, "/oauth/revoke", &client, &[("token", second["refresh_token"].as_str().unwrap())]).await;
    assert_eq!(status, 200);
    assert_eq!(app.userinfo(second["access_token"].as_str().unwrap()).await.0, 401);
    assert_eq!(app.userinfo(first["access_token"].as_str().unwrap()).await.0, 401);
    assert_eq!(app.refresh(&client, second["refresh_token"].as_str().unwrap()).await.1["error"], "invalid_grant");
    assert!(app.audit_actions().await.contains(&"link_revoked".to_string()));
}

async fn revoking_an_access_token_kills_it_and_the_link_lives_on(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, first) = app.linked().await;
    let access = first["access_token"].as_str().unwrap();
    let (status, _) =
        post(&app, "/oauth/revoke", &client, &[("token", access), ("token_type_hint", "access_token")]).await;
    assert_eq!(status, 200);
    assert_eq!(app.userinfo(access).await.0, 401);
    let (status, again) = app.refresh(&client, first["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "the link lives on: {again}");
    assert_eq!(app.userinfo(again["access_token"].as_str().unwrap()).await.0, 200);
}

async fn revocation_is_quiet_for_unknown_and_foreign_tokens(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, tokens) = app.linked().await;
    let other = app.alexa_client().await;
    assert_eq!(post(&app, "/oauth/revoke", &client, &[("token", "never-issued")]).await.0, 200);
    for t in ["access_token", "refresh_token"] {
        assert_eq!(post(&app, "/oauth/revoke", &other, &[("token", tokens[t].as_str().unwrap())]).await.0, 200);
    }
    assert_eq!(app.userinfo(tokens["access_token"].as_str().unwrap()).await.0, 200, "another client revoked nothing");
    assert_eq!(app.refresh(&client, tokens["refresh_token"].as_str().unwrap()).await.0, 200);
    let (status, body) = post(&app, "/oauth/revoke", &client, &[]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "token is required");
}

async fn revocation_requires_client_authentication(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, tokens) = app.linked().await;
    let wrong = Client { id: client.id.clone(), secret: "wrong".into() };
    let (status, body) =
        post(&app, "/oauth/revoke", &wrong, &[("token", tokens["refresh_token"].as_str().unwrap())]).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")));
    let (status, _) =
        post(&app, "/oauth/introspect", &wrong, &[("token", tokens["access_token"].as_str().unwrap())]).await;
    assert_eq!(status, 401);
    assert_eq!(app.refresh(&client, tokens["refresh_token"].as_str().unwrap()).await.0, 200);
}

async fn introspection_describes_live_tokens(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, tokens) = app.linked().await;
    let user = app.store.list_users().await.unwrap().remove(0);
    app.store
        .grant_permission(&user.id, &linkbroker::domain::Permission::parse("rides:order").unwrap(), 0)
        .await
        .unwrap();
    let (status, a) =
        post(&app, "/oauth/introspect", &client, &[("token", tokens["access_token"].as_str().unwrap())]).await;
    assert_eq!(status, 200);
    assert_eq!(a["active"], true);
    assert_eq!(a["sub"], user.id);
    assert_eq!(a["client_id"], client.id);
    assert_eq!(a["scope"], "profile");
    assert_eq!(a["token_type"], "Bearer");
    assert_eq!(a["username"], "ada@example.com");
    assert_eq!(a["permissions"], serde_json::json!(["rides:order"]));
    assert!(a["exp"].as_i64().unwrap() > a["iat"].as_i64().unwrap());
    let (_, r) = post(
        &app,
        "/oauth/introspect",
        &client,
        &[("token", tokens["refresh_token"].as_str().unwrap()), ("token_type_hint", "refresh_token")],
    )
    .await;
    assert_eq!(r["active"], true);
    assert_eq!(r["token_type"], "refresh_token");
    assert_eq!(r["sub"], user.id);
}

async fn introspection_is_inactive_for_dead_or_foreign_tokens(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, first) = app.linked().await;
    let other = app.alexa_client().await;
    let inactive = serde_json::json!({ "active": false });
    let access = first["access_token"].as_str().unwrap();
    assert_eq!(post(&app, "/oauth/introspect", &other, &[("token", access)]).await.1, inactive, "another client's");
    assert_eq!(post(&app, "/oauth/introspect", &client, &[("token", "unknown")]).await.1, inactive);
    let (_, second) = app.refresh(&client, first["refresh_token"].as_str().unwrap()).await;
    let old = first["refresh_token"].as_str().unwrap();
    assert_eq!(post(&app, "/oauth/introspect", &client, &[("token", old)]).await.1, inactive, "rotated");
    let user = app.store.list_users().await.unwrap().remove(0);
    app.store.set_user_disabled(&user.id, true, 0).await.unwrap();
    for t in [second["access_token"].as_str().unwrap(), second["refresh_token"].as_str().unwrap()] {
        assert_eq!(post(&app, "/oauth/introspect", &client, &[("token", t)]).await.1, inactive, "disabled user");
    }
}

async fn jwt_access_tokens_can_be_revoked_and_introspected(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.client(&["profile"], false, TokenFormat::Jwt).await;
    let code = app.code_for(&client).await;
    let (_, tokens) = app.exchange(&client, &code).await;
    let jwt = tokens["access_token"].as_str().unwrap();
    assert_eq!(post(&app, "/oauth/introspect", &client, &[("token", jwt)]).await.1["active"], true);
    assert_eq!(post(&app, "/oauth/revoke", &client, &[("token", jwt)]).await.0, 200);
    assert_eq!(post(&app, "/oauth/introspect", &client, &[("token", jwt)]).await.1["active"], false);
    assert_eq!(app.userinfo(jwt).await.0, 401, "a revoked JWT stops working at once");
}

/// The client revoked its newest access token (RFC 7009), then a refresh it
/// retried answers the same successor again: the access token that comes
/// with it must work, not be dead on arrival.
async fn a_retried_refresh_after_revoking_its_access_token_gets_one_that_works(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    for format in [TokenFormat::Opaque, TokenFormat::Jwt] {
        let client = app.client(&["profile"], false, format).await;
        let code = app.code_for(&client).await;
        let (_, first) = app.exchange(&client, &code).await;
        let t0 = first["refresh_token"].as_str().unwrap();
        let (status, second) = app.refresh(&client, t0).await;
        assert_eq!(status, 200);
        let access = second["access_token"].as_str().unwrap();
        let (status, _) =
            post(&app, "/oauth/revoke", &client, &[("token", access), ("token_type_hint", "access_token")]).await;
        assert_eq!(status, 200);
        assert_eq!(app.userinfo(access).await.0, 401, "{format:?}: revoked");
        // The same second as the revocation, and later.
        for wait in [0, 5] {
            app.clock.advance(wait);
            let (status, retried) = app.refresh(&client, t0).await;
            assert_eq!(status, 200, "{format:?}: {retried}");
            assert_eq!(retried["refresh_token"], second["refresh_token"], "the same successor (rule 2)");
            let fresh = retried["access_token"].as_str().unwrap();
            assert_eq!(app.userinfo(fresh).await.0, 200, "{format:?}: a working access token");
        }
        assert_eq!(app.userinfo(access).await.0, 401, "{format:?}: the revoked one stays dead");
    }
}
