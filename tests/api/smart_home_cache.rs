//! What an event needs (the user's grant, its opened Amazon token, the
//! client's event credentials) is cached for 2 s, under the resolution
//! cache's rules: a change made on this instance takes effect at once, one
//! made elsewhere within the 2 s bound; and an accepted event writes
//! nothing but the grant's "last event" minute.

use serde_json::{json, Value};
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::admin_support::{api_call, api_token, create_admin};
use crate::both_backends;
use crate::helpers::Backend;
use crate::smart_home_support::{accept_grant, change_report, smart_home, SmartHome};

both_backends!(
    a_revoked_link_stops_events_at_once_here_and_within_the_bound_elsewhere,
    a_disabled_user_gets_no_more_events,
    a_new_accept_grant_is_used_at_once,
    changed_event_credentials_are_used_for_the_next_refresh,
    accepted_events_write_only_the_minute_status,
);

fn ada_event() -> Value {
    json!({ "user": "ada@example.com", "event": change_report() })
}

async fn admin(sh: &SmartHome) -> String {
    create_admin(&sh.app).await;
    api_token(&sh.app, "cache").await
}

async fn user_id(sh: &SmartHome) -> String {
    sh.app.store.list_users().await.unwrap().remove(0).id
}

async fn a_revoked_link_stops_events_at_once_here_and_within_the_bound_elsewhere(backend: Backend) {
    let Some(sh) = smart_home(backend, &[], 3600).await else { return };
    sh.accept().await;
    sh.gateway_answers(202, json!({})).await;
    let other = sh.sibling(&[]).await;
    assert_eq!(sh.event().await.0, 202, "cached here");
    assert_eq!(sh.send_on(&other, ada_event()).await.0, 202, "cached on the other instance");
    let token = admin(&sh).await;
    let link = sh.grant().await.grant_id;
    let path = format!("/admin/api/users/{}/links/{link}", user_id(&sh).await);
    assert_eq!(api_call(&sh.app, &token, reqwest::Method::DELETE, &path, None).await.0, 204);
    let (status, body) = sh.event().await;
    assert_eq!((status, body["error"].as_str()), (404, Some("no_event_grant")), "at once on this instance");
    sh.app.clock.advance(3);
    assert_eq!(sh.send_on(&other, ada_event()).await.0, 404, "within 2 s on the other");
}

async fn a_disabled_user_gets_no_more_events(backend: Backend) {
    let Some(sh) = smart_home(backend, &[], 3600).await else { return };
    sh.accept().await;
    sh.gateway_answers(202, json!({})).await;
    assert_eq!(sh.event().await.0, 202);
    let token = admin(&sh).await;
    let path = format!("/admin/api/users/{}/disable", user_id(&sh).await);
    assert_eq!(api_call(&sh.app, &token, reqwest::Method::POST, &path, None).await.0, 204);
    assert_eq!(sh.event().await.0, 404, "at once");
}

async fn a_new_accept_grant_is_used_at_once(backend: Backend) {
    let Some(sh) = smart_home(backend, &[], 3600).await else { return };
    sh.accept().await;
    sh.gateway_answers(202, json!({})).await;
    assert_eq!(sh.event().await.0, 202, "cached with Atza|amazon-access-1");
    // The user disables and enables the skill: a new AcceptGrant.
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .and(body_string_contains("code=grant-code-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "Atza|after-reenable", "refresh_token": "Atzr|after-reenable", "expires_in": 3600 })))
        .with_priority(1)
        .mount(&sh.app.lwa)
        .await;
    let (_, answer) = sh.relay(&accept_grant("grant-code-2", &sh.access_token)).await;
    assert_eq!(answer["event"]["header"]["name"], "AcceptGrant.Response", "{answer}");
    assert_eq!(sh.event().await.0, 202);
    let last = sh.gateway.received_requests().await.unwrap().pop().unwrap();
    assert_eq!(last.headers.get("authorization").unwrap(), "Bearer Atza|after-reenable", "the new grant, at once");
}

async fn changed_event_credentials_are_used_for_the_next_refresh(backend: Backend) {
    let Some(sh) = smart_home(backend, &[], 3600).await else { return };
    sh.accept().await;
    let accepting =
        Mock::given(method("POST")).respond_with(ResponseTemplate::new(202)).mount_as_scoped(&sh.gateway).await;
    assert_eq!(sh.event().await.0, 202, "the credentials are cached");
    drop(accepting);
    let token = admin(&sh).await;
    let api_path = format!("/admin/api/clients/{}/alexa-events", sh.client.id);
    let body = json!({ "alexa_client_id": "amzn1.application-oa2-client.new", "alexa_client_secret": "new-secret-1" });
    assert_eq!(api_call(&sh.app, &token, reqwest::Method::PUT, &api_path, Some(body)).await.0, 204);
    // Amazon revoked the access token early: the next event refreshes at once.
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer Atza|amazon-access-1"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&sh.gateway)
        .await;
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer Atza|with-new-credentials"))
        .respond_with(ResponseTemplate::new(202))
        .mount(&sh.gateway)
        .await;
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains("client_id=amzn1.application-oa2-client.new"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "Atza|with-new-credentials", "refresh_token": "Atzr|2", "expires_in": 3600 })))
        .expect(1)
        .mount(&sh.app.lwa)
        .await;
    let (status, answer) = sh.event().await;
    assert_eq!(status, 202, "refreshed with the new credentials at once: {answer}");
}

async fn accepted_events_write_only_the_minute_status(backend: Backend) {
    let Some(sh) = smart_home(backend, &[], 7200).await else { return };
    sh.accept().await;
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer Atza|amazon-access-1"))
        .respond_with(ResponseTemplate::new(202))
        .mount(&sh.gateway)
        .await;
    let audit = sh.app.audit_actions().await.len();
    assert_eq!(sh.event().await.0, 202);
    let first = sh.grant().await.last_event_at.expect("the first event is recorded");
    for _ in 0..5 {
        sh.app.clock.advance(10);
        assert_eq!(sh.event().await.0, 202);
    }
    assert_eq!(sh.grant().await.last_event_at, Some(first), "nothing written within the minute");
    sh.app.clock.advance(15);
    assert_eq!(sh.event().await.0, 202);
    // (The test's own seconds pass too: at least 65 s later.)
    let next = sh.grant().await.last_event_at.unwrap();
    assert!(next >= first + 65, "the next minute is recorded: {next} after {first}");
    assert_eq!(sh.app.audit_actions().await.len(), audit, "events write no audit rows");
    assert_eq!(sh.amazon_calls("grant_type=refresh_token").await, 0, "and refresh nothing while the token is fresh");
}
