//! Smart Home skills: AcceptGrant through the Lambda relay, events sent for
//! the vendor, Amazon's answers, and the lifecycle of the kept grant.
//! Amazon's token endpoint (the test's LWA mock) and the event gateway are
//! wiremock servers.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::both_backends;
use crate::helpers::{manager, Backend};
use crate::smart_home_support::{accept_grant, change_report, smart_home, AMAZON_REFRESH, EVENTS_ID, EVENTS_SECRET};
use linkbroker::domain::Actor;

both_backends!(
    a_linked_user_accepts_a_grant_and_events_reach_alexa,
    parallel_events_make_one_amazon_refresh,
    a_401_from_the_gateway_refreshes_once_and_retries,
    skill_disabled_at_the_gateway_drops_the_grant,
    invalid_grant_on_refresh_drops_the_grant,
    a_stalling_gateway_is_a_503_within_the_time_limit,
    accept_grant_refuses_what_it_cannot_keep,
    a_replayed_accept_grant_is_idempotent,
    revoking_the_link_drops_the_grant,
    two_instances_share_one_grant,
    credentials_are_managed_from_every_door_and_never_shown,
    a_relayed_skill_disabled_event_drops_the_grant,
    malformed_events_and_foreign_relays_are_refused,
);

async fn a_linked_user_accepts_a_grant_and_events_reach_alexa(backend: Backend) {
    let Some(sh) = smart_home(backend, &[], 3600).await else { return };
    sh.accept().await;
    let grant = sh.grant().await;
    assert_eq!((grant.region.as_str(), grant.refresh_token.as_deref()), ("na", Some(AMAZON_REFRESH)));
    Mock::given(method("POST"))
        .and(path("/v3/events"))
        .and(header("authorization", "Bearer Atza|amazon-access-1"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&sh.gateway)
        .await;
    let (status, body) = sh.event().await;
    assert_eq!((status, body["status"].as_i64()), (202, Some(202)), "{body}");
    let sent: Value = sh.gateway.received_requests().await.unwrap()[0].body_json().unwrap();
    assert_eq!(sent["event"]["endpoint"]["scope"], json!({ "type": "BearerToken", "token": "Atza|amazon-access-1" }));
    assert_eq!(sent["event"]["endpoint"]["endpointId"], "lamp-1");
    assert_eq!(sent["context"], json!({ "properties": [] }));
    assert!(sh.grant().await.last_event_at.is_some());
    let actions = sh.app.audit_actions().await;
    assert!(actions.contains(&"alexa.grant_accepted".to_string()), "{actions:?}");
    // The admin page shows the status.
    let page = crate::admin_support::admin_page(&sh.app, &format!("/admin/users/{}", sh.user_id().await)).await;
    assert!(page.contains("on, na; last event"), "the user page shows the event status");
    let metrics = sh.app.api.get(sh.app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains(r#"linkbroker_alexa_events_total{outcome="accepted"} 1"#), "events are counted");
}

async fn parallel_events_make_one_amazon_refresh(backend: Backend) {
    // Amazon's first access token is already expired: the first events refresh.
    let Some(sh) = smart_home(backend, &[], 0).await else { return };
    sh.accept().await;
    let _refresh = sh.refresh_gives_a_new_token().await;
    sh.gateway_answers(202, json!({})).await;
    let sh = Arc::new(sh);
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let sh = sh.clone();
            tokio::spawn(async move { sh.event().await.0 })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 202);
    }
    let refreshes = sh.amazon_calls("grant_type=refresh_token").await;
    assert_eq!(refreshes, 1, "50 parallel events, one Amazon refresh");
    let metrics = sh.app.api.get(sh.app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains(r#"linkbroker_amazon_token_refreshes_total{outcome="ok"} 1"#), "refreshes are counted");
}

async fn a_401_from_the_gateway_refreshes_once_and_retries(backend: Backend) {
    let Some(sh) = smart_home(backend, &[], 3600).await else { return };
    sh.accept().await;
    let _refresh = sh.refresh_gives_a_new_token().await;
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer Atza|amazon-access-1"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({ "payload": { "code": "INVALID_ACCESS_TOKEN_EXCEPTION" } })),
        )
        .expect(1)
        .mount(&sh.gateway)
        .await;
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer Atza|amazon-access-2"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&sh.gateway)
        .await;
    assert_eq!(sh.event().await.0, 202);
    assert_eq!(sh.grant().await.access_token.as_deref(), Some("Atza|amazon-access-2"));
}

async fn skill_disabled_at_the_gateway_drops_the_grant(backend: Backend) {
    let Some(sh) = smart_home(backend, &[], 3600).await else { return };
    sh.accept().await;
    sh.gateway_answers(403, json!({ "payload": { "code": "SKILL_DISABLED_EXCEPTION", "description": "disabled" } }))
        .await;
    let (status, body) = sh.event().await;
    assert_eq!((status, body["error"].as_str()), (410, Some("grant_dropped")), "{body}");
    let grant = sh.grant().await;
    assert!(grant.dropped_at.is_some() && grant.refresh_token.is_none(), "the tokens are gone");
    assert_eq!(grant.dropped_reason.as_deref(), Some("SKILL_DISABLED_EXCEPTION"));
    assert!(sh.app.audit_actions().await.contains(&"alexa.grant_dropped".to_string()));
    let (status, body) = sh.event().await;
    assert_eq!((status, body["error"].as_str()), (404, Some("no_event_grant")));
}

async fn invalid_grant_on_refresh_drops_the_grant(backend: Backend) {
    let Some(sh) = smart_home(backend, &[], 0).await else { return };
    sh.accept().await;
    let _refresh = sh.refresh_answers(400, json!({ "error": "invalid_grant", "error_description": "revoked" })).await;
    let (status, _) = sh.event().await;
    assert_eq!(status, 410);
    assert!(sh.grant().await.dropped_at.is_some());
    assert!(sh.gateway.received_requests().await.unwrap().is_empty(), "nothing was posted with a dead grant");
}

async fn a_stalling_gateway_is_a_503_within_the_time_limit(backend: Backend) {
    let Some(sh) = smart_home(backend, &[("LINKBROKER_ALEXA_EVENT_TIMEOUT_SECONDS", "1")], 3600).await else {
        return;
    };
    sh.accept().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(202).set_delay(Duration::from_secs(30)))
        .mount(&sh.gateway)
        .await;
    let started = std::time::Instant::now();
    let resp = sh
        .app
        .api
        .post(sh.app.url("/alexa/events"))
        .basic_auth(&sh.client.id, Some(&sh.client.secret))
        .json(&json!({ "user": "ada@example.com", "event": change_report() }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    assert!(resp.headers().get("retry-after").is_some());
    // 1 s configured; far below the gateway's 30 s stall even on a slow machine.
    assert!(started.elapsed() < Duration::from_secs(20), "the time limit holds");
    assert!(sh.grant().await.dropped_at.is_none(), "a time-out never drops the grant");
}

async fn accept_grant_refuses_what_it_cannot_keep(backend: Backend) {
    let Some(sh) = smart_home(backend, &[], 3600).await else { return };
    let failed = |answer: &Value| {
        assert_eq!(answer["event"]["header"]["name"], "ErrorResponse", "{answer}");
        assert_eq!(answer["event"]["payload"]["type"], "ACCEPT_GRANT_FAILED");
        answer["event"]["payload"]["message"].as_str().unwrap().to_string()
    };
    // A grantee token of another client.
    let other = sh.app.alexa_client().await;
    let code = sh.app.code_for(&other).await;
    let (_, other_tokens) = sh.app.exchange(&other, &code).await;
    let (status, answer) = sh.relay(&accept_grant("c", other_tokens["access_token"].as_str().unwrap())).await;
    assert_eq!(status, 200);
    assert!(failed(&answer).contains("another client"));
    // A dead token.
    let (_, answer) = sh.relay(&accept_grant("c", "not-a-token")).await;
    assert!(failed(&answer).contains("not a live access token"));
    // No event credentials.
    manager(&sh.app.store).set_alexa_events(&Actor::cli(), &sh.client.id, None).await.unwrap();
    let (_, answer) = sh.relay(&accept_grant("c", &sh.access_token)).await;
    assert!(failed(&answer).contains("alexa-events"), "says how to fix it");
    // Amazon refusing the code.
    manager(&sh.app.store)
        .set_alexa_events(&Actor::cli(), &sh.client.id, Some((EVENTS_ID, EVENTS_SECRET)))
        .await
        .unwrap();
    sh.app.lwa.reset().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({ "error": "invalid_grant", "error_description": "used" })),
        )
        .mount(&sh.app.lwa)
        .await;
    let (_, answer) = sh.relay(&accept_grant("c", &sh.access_token)).await;
    assert!(failed(&answer).contains("invalid_grant"));
    // A wrong client secret is the token endpoint's 401, not a directive answer.
    let resp = sh
        .app
        .api
        .post(sh.app.url("/alexa/smart-home"))
        .basic_auth(&sh.client.id, Some("wrong"))
        .json(&accept_grant("c", &sh.access_token))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    // Anything but AcceptGrant and skill events is a clear 400.
    let (status, body) = sh.relay(&json!({ "directive": { "header": { "namespace": "Alexa.Discovery" } } })).await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("AcceptGrant"));
}

async fn a_replayed_accept_grant_is_idempotent(backend: Backend) {
    let Some(sh) = smart_home(backend, &[], 3600).await else { return };
    sh.accept().await;
    sh.accept().await;
    let exchanges = sh.amazon_calls("grant_type=authorization_code").await;
    assert_eq!(exchanges, 1, "the retry is answered from the stored grant");
}

async fn revoking_the_link_drops_the_grant(backend: Backend) {
    let Some(sh) = smart_home(backend, &[], 3600).await else { return };
    sh.accept().await;
    let user = linkbroker::manage::UserKey::Id(sh.user_id().await);
    manager(&sh.app.store).revoke_all_links(&Actor::cli(), &user).await.unwrap();
    let grant = sh.grant().await;
    assert!(grant.dropped_at.is_some() && grant.refresh_token.is_none());
    assert!(grant.dropped_reason.unwrap().starts_with("link revoked"));
    assert_eq!(sh.event().await.0, 404);
}

async fn two_instances_share_one_grant(backend: Backend) {
    let Some(sh) = smart_home(backend, &[], 0).await else { return };
    sh.accept().await;
    let _refresh = sh.refresh_gives_a_new_token().await;
    sh.gateway_answers(202, json!({})).await;
    let other = Arc::new(sh.sibling(&[]).await);
    let sh = Arc::new(sh);
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (sh, other) = (sh.clone(), other.clone());
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                sh.event().await.0
            } else {
                sh.event_on(&other).await
            }
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 202);
    }
    let after_burst = sh.amazon_calls("grant_type=refresh_token").await;
    assert!((1..=2).contains(&after_burst), "at most one refresh per instance: {after_burst}");
    assert_eq!(sh.grant().await.refresh_token.as_deref(), Some(AMAZON_REFRESH), "no refresh token lost");
    assert_eq!(sh.event_on(&other).await, 202);
    assert_eq!(sh.event().await.0, 202);
    assert_eq!(sh.amazon_calls("grant_type=refresh_token").await, after_burst, "both instances use the stored token");
}

async fn credentials_are_managed_from_every_door_and_never_shown(backend: Backend) {
    let Some(sh) = smart_home(backend, &[], 3600).await else { return };
    crate::admin_support::create_admin(&sh.app).await;
    let t = crate::admin_support::api_token(&sh.app, "events").await;
    let path = format!("/admin/api/clients/{}/alexa-events", sh.client.id);
    let put = |body: Value| sh.app.api.put(sh.app.url(&path)).bearer_auth(&t).json(&body).send();
    let bad = put(json!({ "alexa_client_id": "", "alexa_client_secret": "x" })).await.unwrap();
    assert_eq!(bad.status(), 400);
    let ok =
        put(json!({ "alexa_client_id": "amzn1.application-oa2-client.api", "alexa_client_secret": "api-secret-1" }))
            .await
            .unwrap();
    assert_eq!(ok.status(), 204);
    let list: Value =
        sh.app.api.get(sh.app.url("/admin/api/clients")).bearer_auth(&t).send().await.unwrap().json().await.unwrap();
    let listed = list.to_string();
    assert!(listed.contains("amzn1.application-oa2-client.api") && !listed.contains("api-secret-1"), "write-only");
    let cleared = sh.app.api.delete(sh.app.url(&path)).bearer_auth(&t).send().await.unwrap();
    assert_eq!(cleared.status(), 204);
    assert!(sh.app.store.alexa_event_credentials(&sh.client.id).await.unwrap().is_none());
    let actions = sh.app.audit_actions().await;
    assert!(actions.contains(&"client_alexa_events_set".to_string()));
    assert!(actions.contains(&"client_alexa_events_cleared".to_string()));
    // The UI form.
    let (b, csrf) = crate::admin_support::admin_browser_again(&sh.app).await;
    let form = [("alexa_client_id", "amzn1.application-oa2-client.ui"), ("alexa_client_secret", "ui-secret-1")];
    let resp = crate::admin_support::post_form(
        &sh.app,
        &b,
        &csrf,
        &format!("/admin/clients/{}/alexa-events", sh.client.id),
        &form,
    )
    .await;
    assert_eq!(resp.status(), 303);
    let page =
        b.get(sh.app.url(&format!("/admin/clients/{}", sh.client.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("amzn1.application-oa2-client.ui") && !page.contains("ui-secret-1"));
    assert_eq!(
        sh.app.store.alexa_event_credentials(&sh.client.id).await.unwrap().unwrap().client_secret,
        "ui-secret-1"
    );
}

async fn a_relayed_skill_disabled_event_drops_the_grant(backend: Backend) {
    let Some(sh) = smart_home(backend, &[], 3600).await else { return };
    sh.accept().await;
    let event = json!({
        "version": "1.0",
        "context": { "System": { "application": { "applicationId": "a" },
            "user": { "userId": "amzn1.ask.account.ADA", "accessToken": sh.access_token } } },
        "request": { "type": "AlexaSkillEvent.SkillDisabled", "requestId": "r", "timestamp": "2026-12-01T10:00:00Z" }
    });
    let (status, _) = sh.relay(&event).await;
    assert_eq!(status, 200);
    let grant = sh.grant().await;
    assert!(grant.dropped_at.is_some() && grant.refresh_token.is_none(), "the Amazon grant went with the link");
    assert!(sh.app.audit_actions().await.contains(&"alexa.skill_disabled".to_string()));
    assert_eq!(sh.event().await.0, 404);
}

async fn malformed_events_and_foreign_relays_are_refused(backend: Backend) {
    let Some(sh) = smart_home(backend, &[], 3600).await else { return };
    sh.accept().await;
    // An endpoint that is not an object: a 400, never a panic.
    let resp = sh
        .app
        .api
        .post(sh.app.url("/alexa/events"))
        .basic_auth(&sh.client.id, Some(&sh.client.secret))
        .json(&json!({ "user": "ada@example.com", "event": { "header": {}, "endpoint": "x" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    // AddOrUpdateReport has no endpoint: the token goes into payload.scope.
    sh.gateway_answers(202, json!({})).await;
    let report = json!({ "header": { "namespace": "Alexa.Discovery", "name": "AddOrUpdateReport" }, "payload": { "endpoints": [] } });
    let resp = sh
        .app
        .api
        .post(sh.app.url("/alexa/events"))
        .basic_auth(&sh.client.id, Some(&sh.client.secret))
        .json(&json!({ "user": "ada@example.com", "event": report }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    let sent: Value = sh.gateway.received_requests().await.unwrap().last().unwrap().body_json().unwrap();
    assert_eq!(sent["event"]["payload"]["scope"]["token"], "Atza|amazon-access-1");
    // Another client relaying SkillDisabled with this user's token ends
    // nothing of this client's.
    let other = sh.app.alexa_client().await;
    let disabled = json!({
        "version": "1.0",
        "context": { "System": { "application": { "applicationId": "a" },
            "user": { "userId": "amzn1.ask.account.ADA", "accessToken": sh.access_token } } },
        "request": { "type": "AlexaSkillEvent.SkillDisabled", "requestId": "r", "timestamp": "2026-12-01T10:00:00Z" }
    });
    let resp = sh
        .app
        .api
        .post(sh.app.url("/alexa/smart-home"))
        .basic_auth(&other.id, Some(&other.secret))
        .json(&disabled)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(sh.grant().await.dropped_at.is_none(), "a foreign relay revokes nothing");
    assert_eq!(sh.app.userinfo(&sh.access_token).await.0, 200);
}
