use std::sync::Arc;

use crate::both_backends;
use crate::helpers::{manager, query_param, spawn_app, AmazonUser, Backend, TestApp};
use linkbroker::domain::Actor;
use linkbroker::manage::UserKey;

both_backends!(
    skill_code_written_for_login_with_amazon_reads_the_profile_by_query,
    parallel_resolutions_read_together_each_answer_their_own_link,
    userinfo_resolves_tokens_to_profile_and_permissions,
    userinfo_refuses_bad_tokens_with_a_bearer_challenge,
    userinfo_stops_at_once_when_theft_revokes_the_link,
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

/// Resolutions are cached for a moment; a revocation for theft must not wait for that.
async fn userinfo_stops_at_once_when_theft_revokes_the_link(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, first) = app.linked().await;
    let stolen = first["refresh_token"].as_str().unwrap();
    let mut latest = first.clone();
    for _ in 0..3 {
        latest = app.refresh(&client, latest["refresh_token"].as_str().unwrap()).await.1;
    }
    let access = latest["access_token"].as_str().unwrap();
    assert_eq!(app.userinfo(access).await.0, 200); // now cached

    // The first refresh token, several rotations behind: theft revokes the link.
    assert_eq!(app.refresh(&client, stolen).await.0, 400);

    assert_eq!(app.userinfo(access).await.0, 401);
}

/// Resolutions in flight together are read in one statement: each still
/// gets its own link's answer (user, permissions, liveness).
async fn parallel_resolutions_read_together_each_answer_their_own_link(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    let m = manager(&app.store);
    let mut tokens = Vec::new();
    for i in 0..6 {
        let (subject, name, email) = (format!("amzn1.account.U{i}"), format!("User {i}"), format!("u{i}@example.com"));
        app.amazon_user(&AmazonUser { user_id: &subject, name: &name, email: &email }).await;
        let redirect = app.link(&client, &TestApp::alexa_params(&client, "st")).await;
        let (status, t) = app.exchange(&client, &query_param(&redirect, "code").unwrap()).await;
        assert_eq!(status, 200, "{t}");
        let key = UserKey::Email(email.clone());
        for p in 0..i % 3 {
            m.set_permission(&Actor::cli(), &key, &format!("p:{i}:{p}"), true).await.unwrap();
        }
        match i {
            1 | 4 => {
                m.revoke_all_links(&Actor::cli(), &key).await.unwrap();
            }
            5 => {
                m.set_disabled(&Actor::cli(), &key, true).await.unwrap();
            }
            _ => {}
        }
        tokens.push((i, email, t["access_token"].as_str().unwrap().to_string()));
    }
    let app = Arc::new(app);
    let calls: Vec<_> = (0..60)
        .map(|n| {
            let (app, (i, email, token)) = (app.clone(), tokens[n % 6].clone());
            tokio::spawn(async move { (i, email, app.userinfo(&token).await) })
        })
        .collect();
    for call in calls {
        let (i, email, (status, me)) = call.await.unwrap();
        if matches!(i, 1 | 4 | 5) {
            assert_eq!(status, 401, "user {i}: revoked or disabled");
            continue;
        }
        assert_eq!((status, me["email"].as_str()), (200, Some(email.as_str())), "user {i}");
        let expected: Vec<String> = (0..i % 3).map(|p| format!("p:{i}:{p}")).collect();
        assert_eq!(me["permissions"], serde_json::json!(expected), "user {i}'s own permissions");
    }
}

/// Login with Amazon's profile API takes the token as `access_token` in the
/// query (RFC 6750 §2.3) at `/user/profile`: the same request works here by
/// changing only the host.
async fn skill_code_written_for_login_with_amazon_reads_the_profile_by_query(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (_, tokens) = app.linked().await;
    let token = tokens["access_token"].as_str().unwrap();
    let get = |path: String| app.api.get(app.url(&path)).send();
    for path in ["/user/profile", "/oauth/userinfo"] {
        let resp = get(format!("{path}?access_token={token}")).await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(resp.headers()["cache-control"], "no-store");
        let me: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(me["user_id"], me["sub"], "{path}: Amazon's field name too");
        assert_eq!((me["name"].as_str(), me["email"].as_str()), (Some("Ada Lovelace"), Some("ada@example.com")));
    }
    let header = app.api.get(app.url("/user/profile")).bearer_auth(token).send().await.unwrap();
    assert_eq!(header.status(), 200, "the header works at the LWA path too");
    // RFC 6750 §2: one method per request; a repeated parameter is no token.
    let both = app.api.get(app.url(&format!("/user/profile?access_token={token}"))).bearer_auth(token).send().await;
    let twice = get(format!("/user/profile?access_token={token}&access_token={token}")).await.unwrap();
    for resp in [both.unwrap(), twice] {
        assert_eq!(resp.status(), 400);
        let challenge = resp.headers()["www-authenticate"].to_str().unwrap().to_string();
        assert!(challenge.contains("error=\"invalid_request\""), "{challenge}");
    }
    let bad = get("/user/profile?access_token=made-up".into()).await.unwrap();
    assert_eq!(bad.status(), 401);
    assert!(bad.headers()["www-authenticate"].to_str().unwrap().contains("invalid_token"));
}
