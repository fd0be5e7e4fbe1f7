//! The Smart Home test harness: a linked user of a client with "Send Alexa
//! Events" credentials, Amazon's token endpoint (the test's LWA mock)
//! answering the grant code, an event gateway mock, and one helper per
//! call the Lambda relay and a vendor's device cloud make.

use serde_json::{json, Value};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{manager, spawn_app_with, Backend, Client, TestApp, ADA};
use linkbroker::domain::Actor;

pub const EVENTS_ID: &str = "amzn1.application-oa2-client.events";
pub const EVENTS_SECRET: &str = "events-secret-value-1234";
pub const AMAZON_REFRESH: &str = "Atzr|amazon-refresh-original";

pub struct SmartHome {
    pub app: TestApp,
    pub gateway: MockServer,
    pub client: Client,
    pub access_token: String,
    pub refresh_token: String,
}

/// A linked user of a client with event credentials, Amazon's token
/// endpoint answering the grant code, and a gateway mock.
pub async fn smart_home(backend: Backend, env: &[(&str, &str)], expires_in: i64) -> Option<SmartHome> {
    let gateway = MockServer::start().await;
    let gw = gateway.uri();
    let mut vars: Vec<(&str, &str)> = vec![("LINKBROKER_ALEXA_EVENT_GATEWAY_URL", gw.as_str())];
    vars.extend_from_slice(env);
    let app = spawn_app_with(backend, &vars).await?;
    app.amazon_user(&ADA).await;
    let (client, tokens) = app.linked().await;
    let m = manager(&app.store);
    m.set_alexa_events(&Actor::cli(), &client.id, Some((EVENTS_ID, EVENTS_SECRET))).await.unwrap();
    app.lwa.reset().await;
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains(format!("client_id={EVENTS_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "Atza|amazon-access-1", "refresh_token": AMAZON_REFRESH,
            "token_type": "bearer", "expires_in": expires_in
        })))
        .mount(&app.lwa)
        .await;
    let access_token = tokens["access_token"].as_str().unwrap().to_string();
    let refresh_token = tokens["refresh_token"].as_str().unwrap().to_string();
    Some(SmartHome { app, gateway, client, access_token, refresh_token })
}

pub fn accept_grant(code: &str, token: &str) -> Value {
    json!({ "directive": {
        "header": { "namespace": "Alexa.Authorization", "name": "AcceptGrant", "messageId": "m-1", "payloadVersion": "3" },
        "payload": {
            "grant": { "type": "OAuth2.AuthorizationCode", "code": code },
            "grantee": { "type": "BearerToken", "token": token }
        }
    } })
}

pub fn change_report() -> Value {
    json!({
        "header": { "namespace": "Alexa", "name": "ChangeReport", "messageId": "e-1", "payloadVersion": "3" },
        "endpoint": { "endpointId": "lamp-1" },
        "payload": { "change": { "cause": { "type": "PHYSICAL_INTERACTION" }, "properties": [
            { "namespace": "Alexa.PowerController", "name": "powerState", "value": "ON",
              "timeOfSample": "2026-12-01T10:00:00Z", "uncertaintyInMilliseconds": 0 } ] } }
    })
}

impl SmartHome {
    pub async fn relay(&self, body: &Value) -> (u16, Value) {
        let resp = self
            .app
            .api
            .post(self.app.url("/alexa/smart-home"))
            .basic_auth(&self.client.id, Some(&self.client.secret))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn accept(&self) {
        let (status, answer) = self.relay(&accept_grant("grant-code-1", &self.access_token)).await;
        assert_eq!(status, 200);
        assert_eq!(answer["event"]["header"]["name"], "AcceptGrant.Response", "{answer}");
    }

    pub async fn event(&self) -> (u16, Value) {
        self.send(json!({ "user": "ada@example.com", "event": change_report(), "context": { "properties": [] } })).await
    }

    /// `POST /alexa/events` with `body` on this instance.
    pub async fn send(&self, body: Value) -> (u16, Value) {
        self.send_on(&self.app, body).await
    }

    pub async fn send_on(&self, app: &TestApp, body: Value) -> (u16, Value) {
        let resp = app
            .api
            .post(app.url("/alexa/events"))
            .basic_auth(&self.client.id, Some(&self.client.secret))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Calls to Amazon's token endpoint whose form contains `needle`.
    pub async fn amazon_calls(&self, needle: &str) -> usize {
        let received = self.app.lwa.received_requests().await.unwrap();
        received.iter().filter(|r| String::from_utf8_lossy(&r.body).contains(needle)).count()
    }

    /// Another instance on this database (same gateway mock) with `env` added.
    pub async fn sibling(&self, env: &[(&str, &str)]) -> TestApp {
        let gw = self.gateway.uri();
        let mut all = vec![("LINKBROKER_ALEXA_EVENT_GATEWAY_URL", gw.as_str())];
        all.extend_from_slice(env);
        self.app.spawn_sibling_with(&all).await
    }

    /// An event sent through another instance; Amazon accepts it.
    pub async fn event_on(&self, app: &TestApp) -> u16 {
        self.gateway_answers(202, json!({})).await;
        app.api
            .post(app.url("/alexa/events"))
            .basic_auth(&self.client.id, Some(&self.client.secret))
            .json(&json!({ "user": "ada@example.com", "event": change_report() }))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    pub async fn refresh_answers(&self, status: u16, body: Value) -> wiremock::MockGuard {
        Mock::given(method("POST"))
            .and(path("/auth/o2/token"))
            .and(body_string_contains("grant_type=refresh_token"))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .named("amazon refresh")
            .mount_as_scoped(&self.app.lwa)
            .await
    }

    /// Amazon refreshes to `Atza|amazon-access-2` (same refresh token).
    pub async fn refresh_gives_a_new_token(&self) -> wiremock::MockGuard {
        let body =
            json!({ "access_token": "Atza|amazon-access-2", "refresh_token": AMAZON_REFRESH, "expires_in": 3600 });
        self.refresh_answers(200, body).await
    }

    pub async fn gateway_answers(&self, status: u16, body: Value) {
        Mock::given(method("POST"))
            .and(path("/v3/events"))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .mount(&self.gateway)
            .await;
    }

    pub async fn grant(&self) -> linkbroker::store::AlexaGrant {
        let links = self.app.store.user_links(&self.user_id().await).await.unwrap();
        self.app.store.alexa_grant(&links[0].id).await.unwrap().expect("a kept grant")
    }

    pub async fn user_id(&self) -> String {
        self.app.store.list_users().await.unwrap().remove(0).id
    }
}
