//! An event the vendor sends through `POST /alexa/events`, checked before
//! anything reaches Amazon, and the message posted to the gateway's
//! `/v3/events` with the Amazon token where Amazon expects it:
//! - `event.payload.scope` for `Alexa.Discovery` `AddOrUpdateReport` and
//!   `DeleteReport`, which name no single endpoint;
//! - `event.endpoint.scope` for every other event (`ChangeReport`, an
//!   asynchronous `Alexa.Response` or `ErrorResponse`, `DoorbellPress`,
//!   `ActivationStarted`, ...).
//!
//! The `Authorization` header carries the same token (`token`), so the two
//! can never disagree. See docs/smart-home.md ("Which events go where").

use serde_json::{json, Map, Value};

/// Where a message carries its bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopePlace {
    Endpoint,
    Payload,
}

impl ScopePlace {
    pub fn field(self) -> &'static str {
        match self {
            Self::Endpoint => "endpoint",
            Self::Payload => "payload",
        }
    }
}

/// A vendor's event, parsed: its header names it, and the object that takes
/// the scope is present.
#[derive(Debug, Clone)]
pub struct EventMessage {
    event: Map<String, Value>,
    context: Option<Value>,
    place: ScopePlace,
}

/// Events that carry their scope in the payload (Alexa.Discovery).
fn scoped_in_payload(namespace: &str, name: &str) -> bool {
    namespace == "Alexa.Discovery" && matches!(name, "AddOrUpdateReport" | "DeleteReport")
}

impl EventMessage {
    /// `event` (an Alexa event's `header`, `endpoint` and `payload`) and the
    /// optional `context`; the error says which field to fix.
    pub fn parse(event: Value, context: Option<Value>) -> Result<Self, String> {
        let Value::Object(event) = event else {
            return Err("event must be an object with header, endpoint and payload".into());
        };
        let header = event.get("header").and_then(Value::as_object).ok_or("event.header is missing")?;
        let text = |field: &str| header.get(field).and_then(Value::as_str).filter(|s| !s.is_empty());
        let namespace = text("namespace").ok_or("event.header.namespace is missing")?;
        let name = text("name").ok_or("event.header.name is missing")?;
        let place = if scoped_in_payload(namespace, name) { ScopePlace::Payload } else { ScopePlace::Endpoint };
        match event.get(place.field()) {
            Some(Value::Object(_)) => {}
            Some(_) => return Err(format!("event.{} must be an object", place.field())),
            None if place == ScopePlace::Payload => {
                return Err(format!(
                    "event.payload is missing: {namespace}.{name} carries the user's token in event.payload.scope"
                ))
            }
            None => {
                return Err(format!(
                    "event.endpoint is missing: {namespace}.{name} names its device in event.endpoint \
                     (endpointId), which also carries the user's token (event.endpoint.scope); only \
                     Alexa.Discovery AddOrUpdateReport and DeleteReport have no endpoint"
                ))
            }
        }
        if context.as_ref().is_some_and(|c| !c.is_object()) {
            return Err("context must be an object (ChangeReport's context.properties)".into());
        }
        Ok(Self { event, context, place })
    }

    pub fn place(&self) -> ScopePlace {
        self.place
    }

    /// `{"event": ..., "context": ...}` with `token` as the scope.
    pub fn body_with_token(&self, token: &str) -> Value {
        let mut event = self.event.clone();
        if let Some(Value::Object(target)) = event.get_mut(self.place.field()) {
            target.insert("scope".into(), json!({ "type": "BearerToken", "token": token }));
        }
        let mut body = Map::new();
        body.insert("event".into(), Value::Object(event));
        if let Some(c) = &self.context {
            body.insert("context".into(), c.clone());
        }
        Value::Object(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(namespace: &str, name: &str) -> Value {
        json!({ "header": { "namespace": namespace, "name": name, "messageId": "m", "payloadVersion": "3" },
                "endpoint": { "endpointId": "lamp-1" }, "payload": {} })
    }

    #[test]
    fn discovery_reports_take_the_scope_in_the_payload() {
        for name in ["AddOrUpdateReport", "DeleteReport"] {
            let raw =
                json!({ "header": { "namespace": "Alexa.Discovery", "name": name }, "payload": { "endpoints": [] } });
            let m = EventMessage::parse(raw, None).unwrap();
            assert_eq!(m.place(), ScopePlace::Payload);
            let body = m.body_with_token("T");
            assert_eq!(body["event"]["payload"]["scope"], json!({ "type": "BearerToken", "token": "T" }));
            assert_eq!(body["event"]["payload"]["endpoints"], json!([]));
            assert!(body.get("context").is_none());
        }
    }

    #[test]
    fn every_other_event_takes_it_in_the_endpoint_and_a_vendor_scope_is_replaced() {
        for (ns, name) in [
            ("Alexa", "ChangeReport"),
            ("Alexa", "Response"),
            ("Alexa", "ErrorResponse"),
            ("Alexa.DoorbellEventSource", "DoorbellPress"),
            ("Alexa.SceneController", "ActivationStarted"),
        ] {
            let mut raw = event(ns, name);
            raw["endpoint"]["scope"] = json!({ "type": "BearerToken", "token": "the vendor's own" });
            let m = EventMessage::parse(raw, Some(json!({ "properties": [] }))).unwrap();
            assert_eq!(m.place(), ScopePlace::Endpoint, "{ns}.{name}");
            let body = m.body_with_token("T");
            assert_eq!(body["event"]["endpoint"]["scope"]["token"], "T");
            assert_eq!(body["event"]["endpoint"]["endpointId"], "lamp-1");
            assert_eq!(body["context"], json!({ "properties": [] }));
        }
    }

    #[test]
    fn a_message_without_its_scope_place_names_the_missing_field() {
        let no_endpoint = json!({ "header": { "namespace": "Alexa", "name": "ChangeReport" }, "payload": {} });
        assert!(EventMessage::parse(no_endpoint, None).unwrap_err().starts_with("event.endpoint is missing"));
        let no_payload = json!({ "header": { "namespace": "Alexa.Discovery", "name": "DeleteReport" } });
        assert!(EventMessage::parse(no_payload, None).unwrap_err().starts_with("event.payload is missing"));
        let not_object = json!({ "header": { "namespace": "Alexa", "name": "ChangeReport" }, "endpoint": "x" });
        assert_eq!(EventMessage::parse(not_object, None).unwrap_err(), "event.endpoint must be an object");
        let no_name = json!({ "header": { "namespace": "Alexa" }, "endpoint": {} });
        assert_eq!(EventMessage::parse(no_name, None).unwrap_err(), "event.header.name is missing");
        assert_eq!(
            EventMessage::parse(json!([]), None).unwrap_err(),
            "event must be an object with header, endpoint and payload"
        );
        let bad_context = EventMessage::parse(event("Alexa", "ChangeReport"), Some(json!("x")));
        assert!(bad_context.unwrap_err().starts_with("context must be an object"));
    }
}
