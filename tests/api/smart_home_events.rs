//! Every kind of event Amazon's event gateway takes goes out with the user's
//! token where Amazon expects it (`event.endpoint.scope`, or
//! `event.payload.scope` for Discovery reports) and the same token in the
//! `Authorization` header; what linkbroker posts is checked against
//! Amazon's own Smart Home message schema (see `helpers::contracts`).

use std::collections::BTreeMap;

use serde_json::{json, Value};
use wiremock::matchers::{self, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::both_backends;
use crate::helpers::{amazon_smart_home_schema, repo_file, validate, Backend};
use crate::smart_home_support::smart_home;

both_backends!(
    every_gateway_event_carries_one_token_in_its_header_and_its_scope,
    a_message_without_a_place_for_the_token_is_a_400_naming_the_field,
);

const TOKEN: &str = "Atza|amazon-access-1";

fn header(namespace: &str, name: &str, correlated: bool) -> Value {
    let mut h = json!({ "namespace": namespace, "name": name, "payloadVersion": "3",
                        "messageId": "5f8a426e-01e4-4cc9-8b79-65f8bd0fd8a4" });
    if correlated {
        h["correlationToken"] = json!("dFMb0z+PgpgdDmluhJ1LddFvSqZ/jCc8ptlAKulUj90jSqg==");
    }
    h
}

fn power_on() -> Value {
    json!({ "namespace": "Alexa.PowerController", "name": "powerState", "value": "ON",
            "timeOfSample": "2026-12-01T10:00:00.45Z", "uncertaintyInMilliseconds": 500 })
}

/// (kind, event, context) as a vendor sends them: `event` without a scope.
fn gateway_events() -> Vec<(&'static str, Value, Option<Value>)> {
    let endpoint = json!({ "endpointId": "lamp-1" });
    let endpoints = json!([{ "endpointId": "lamp-1", "manufacturerName": "Example", "friendlyName": "Lamp",
        "description": "A lamp", "displayCategories": ["LIGHT"],
        "capabilities": [
            { "type": "AlexaInterface", "interface": "Alexa", "version": "3" },
            { "type": "AlexaInterface", "interface": "Alexa.PowerController", "version": "3",
              "properties": { "supported": [{ "name": "powerState" }], "proactivelyReported": true, "retrievable": true } }
        ] }]);
    vec![
        (
            "ChangeReport",
            json!({ "header": header("Alexa", "ChangeReport", false), "endpoint": endpoint,
                    "payload": { "change": { "cause": { "type": "PHYSICAL_INTERACTION" }, "properties": [power_on()] } } }),
            Some(json!({ "properties": [] })),
        ),
        (
            "Response",
            json!({ "header": header("Alexa", "Response", true), "endpoint": endpoint, "payload": {} }),
            Some(json!({ "properties": [power_on()] })),
        ),
        (
            "ErrorResponse",
            json!({ "header": header("Alexa", "ErrorResponse", true), "endpoint": endpoint,
                    "payload": { "type": "ENDPOINT_UNREACHABLE", "message": "the lamp is offline" } }),
            None,
        ),
        (
            "DoorbellPress",
            json!({ "header": header("Alexa.DoorbellEventSource", "DoorbellPress", false), "endpoint": endpoint,
                    "payload": { "cause": { "type": "PHYSICAL_INTERACTION" }, "timestamp": "2026-12-01T10:00:00Z" } }),
            Some(json!({})),
        ),
        (
            "ActivationStarted",
            json!({ "header": header("Alexa.SceneController", "ActivationStarted", true), "endpoint": endpoint,
                    "payload": { "cause": { "type": "VOICE_INTERACTION" }, "timestamp": "2026-12-01T10:00:00.45Z" } }),
            Some(json!({})),
        ),
        (
            "AddOrUpdateReport",
            json!({ "header": header("Alexa.Discovery", "AddOrUpdateReport", false),
                    "payload": { "endpoints": endpoints } }),
            None,
        ),
        (
            "DeleteReport",
            json!({ "header": header("Alexa.Discovery", "DeleteReport", false),
                    "payload": { "endpoints": [{ "endpointId": "lamp-1" }] } }),
            None,
        ),
    ]
}

/// The token a posted message carries in its scope.
fn scope_token(body: &Value) -> Option<&str> {
    let event = &body["event"];
    event["endpoint"]["scope"]["token"].as_str().or_else(|| event["payload"]["scope"]["token"].as_str())
}

async fn every_gateway_event_carries_one_token_in_its_header_and_its_scope(backend: Backend) {
    let Some(sh) = smart_home(backend, &[], 3600).await else { return };
    sh.accept().await;
    // Like the gateway: a request without the user's token is a 401.
    Mock::given(method("POST"))
        .and(path("/v3/events"))
        .and(matchers::header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(202))
        .mount(&sh.gateway)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({ "payload": { "code": "INVALID_ACCESS_TOKEN_EXCEPTION" } })),
        )
        .mount(&sh.gateway)
        .await;
    let kinds = gateway_events();
    for (kind, event, context) in &kinds {
        let (status, answer) = sh.send(json!({ "user": "ada@example.com", "event": event, "context": context })).await;
        assert_eq!(status, 202, "{kind}: {answer}");
    }
    let received = sh.gateway.received_requests().await.unwrap();
    assert_eq!(received.len(), kinds.len(), "one post per event, no retry");
    let mut posted = BTreeMap::new();
    for ((kind, event, _), request) in kinds.iter().zip(&received) {
        let body: Value = request.body_json().unwrap();
        let authorization = request.headers.get("authorization").unwrap().to_str().unwrap();
        assert_eq!(authorization, format!("Bearer {}", scope_token(&body).unwrap()), "{kind}: the same token");
        let discovery = event["header"]["namespace"] == "Alexa.Discovery";
        let place = if discovery { "payload" } else { "endpoint" };
        assert_eq!(body["event"][place]["scope"], json!({ "type": "BearerToken", "token": TOKEN }), "{kind}");
        posted.insert(kind.to_string(), body);
    }
    assert!(posted["AddOrUpdateReport"]["event"].get("endpoint").is_none(), "no endpoint is invented");

    // Our reading of the gateway's rule (the token in its place), with
    // both verdicts: what linkbroker posts passes, a message without the
    // token does not.
    let overlay = repo_file("tests/contracts/gateway_event_scope.schema.json");
    let Some(verdicts) = validate(&overlay, &posted) else { return };
    assert!(verdicts.values().all(Option::is_none), "every posted message carries its token: {verdicts:?}");
    let mut unscoped = posted["ChangeReport"].clone();
    unscoped["event"]["endpoint"].as_object_mut().unwrap().remove("scope");
    let mut misplaced = posted["AddOrUpdateReport"].clone();
    misplaced["event"]["payload"].as_object_mut().unwrap().remove("scope");
    misplaced["event"]["endpoint"] =
        json!({ "endpointId": "lamp-1", "scope": { "type": "BearerToken", "token": TOKEN } });
    let bad = BTreeMap::from([("unscoped".to_string(), unscoped), ("misplaced".to_string(), misplaced)]);
    let verdicts = validate(&overlay, &bad).unwrap();
    assert!(verdicts.values().all(Option::is_some), "the rule can fail: {verdicts:?}");

    // Amazon's own schema, for every kind it models (DeleteReport is in
    // none of its versions; the 2017 copy on npm predates AddOrUpdateReport
    // and DoorbellPress).
    let Some(schema) = amazon_smart_home_schema() else { return };
    let text = std::fs::read_to_string(&schema).unwrap();
    let modelled: BTreeMap<String, Value> = posted
        .into_iter()
        .filter(|(kind, _)| {
            kind != "DeleteReport" && (kind.contains("Response") || text.contains(&format!("\"{kind}\"")))
        })
        .collect();
    assert!(modelled.len() >= 4, "ChangeReport, both responses and ActivationStarted at least");
    let verdicts = validate(&schema, &modelled).unwrap();
    assert!(verdicts.values().all(Option::is_none), "Amazon's schema accepts what linkbroker posts: {verdicts:?}");
    let mut empty = modelled["ChangeReport"].clone();
    empty["event"]["endpoint"]["scope"]["token"] = json!("");
    let mut untyped = modelled["Response"].clone();
    untyped["event"]["endpoint"]["scope"]["type"] = json!("Bearer");
    let bad = BTreeMap::from([("empty token".to_string(), empty), ("wrong scope type".to_string(), untyped)]);
    let verdicts = validate(&schema, &bad).unwrap();
    assert!(verdicts.values().all(Option::is_some), "Amazon's schema can fail: {verdicts:?}");
}

async fn a_message_without_a_place_for_the_token_is_a_400_naming_the_field(backend: Backend) {
    let Some(sh) = smart_home(backend, &[], 0).await else { return };
    sh.accept().await;
    let cases = [
        (json!({ "header": header("Alexa", "ChangeReport", false), "payload": {} }), "event.endpoint is missing"),
        (json!({ "header": header("Alexa.Discovery", "DeleteReport", false) }), "event.payload is missing"),
        (
            json!({ "header": header("Alexa", "ChangeReport", false), "endpoint": [] }),
            "event.endpoint must be an object",
        ),
        (json!({ "header": { "namespace": "Alexa" }, "endpoint": {} }), "event.header.name is missing"),
        (json!({ "endpoint": {} }), "event.header is missing"),
    ];
    for (event, says) in cases {
        let (status, answer) = sh.send(json!({ "user": "ada@example.com", "event": event })).await;
        assert_eq!(status, 400, "{answer}");
        assert!(answer["message"].as_str().unwrap().starts_with(says), "{says}: {answer}");
    }
    assert!(sh.gateway.received_requests().await.unwrap().is_empty(), "nothing reached Amazon");
    // Amazon's first token was already expired: a bad message refreshes nothing.
    assert_eq!(sh.amazon_calls("grant_type=refresh_token").await, 0);
}
