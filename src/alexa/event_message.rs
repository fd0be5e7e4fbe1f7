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
//!
//! Only the two levels the scope touches are parsed; everything below them
//! (a ChangeReport's properties, a Discovery report's endpoints) is kept as
//! the raw JSON text the vendor sent and copied out as is: an event is
//! forwarded without building and freeing a tree of it.

use std::collections::BTreeMap;

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

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

/// One JSON object's members, each kept as sent.
type RawObject = BTreeMap<String, Box<RawValue>>;

/// A vendor's event, parsed: its header names it, and the object that takes
/// the scope is present.
#[derive(Debug)]
pub struct EventMessage {
    /// The event's members (the one that takes the scope is `target`).
    event: RawObject,
    /// The members of `event.endpoint` (or `event.payload`).
    target: RawObject,
    context: Option<Box<RawValue>>,
    place: ScopePlace,
}

#[derive(Deserialize)]
struct Header<'a> {
    #[serde(borrow)]
    namespace: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<std::borrow::Cow<'a, str>>,
}

/// Events that carry their scope in the payload (Alexa.Discovery).
fn scoped_in_payload(namespace: &str, name: &str) -> bool {
    namespace == "Alexa.Discovery" && matches!(name, "AddOrUpdateReport" | "DeleteReport")
}

fn object(raw: &RawValue) -> Option<RawObject> {
    raw.get().trim_start().starts_with('{').then(|| serde_json::from_str(raw.get()).ok()).flatten()
}

impl EventMessage {
    /// `event` (an Alexa event's `header`, `endpoint` and `payload`) and the
    /// optional `context`, as the request carried them; the error says which
    /// field to fix.
    pub fn parse(event: &RawValue, context: Option<Box<RawValue>>) -> Result<Self, String> {
        let event = object(event).ok_or("event must be an object with header, endpoint and payload")?;
        let header = event.get("header").ok_or("event.header is missing")?;
        let header: Header = serde_json::from_str(header.get()).map_err(|_| "event.header must be an object")?;
        let namespace = header.namespace.filter(|s| !s.is_empty()).ok_or("event.header.namespace is missing")?;
        let name = header.name.filter(|s| !s.is_empty()).ok_or("event.header.name is missing")?;
        let place = if scoped_in_payload(&namespace, &name) { ScopePlace::Payload } else { ScopePlace::Endpoint };
        let target = match event.get(place.field()) {
            Some(raw) => object(raw).ok_or_else(|| format!("event.{} must be an object", place.field()))?,
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
        };
        let context = context.filter(|c| c.get() != "null");
        if context.as_ref().is_some_and(|c| !c.get().trim_start().starts_with('{')) {
            return Err("context must be an object (ChangeReport's context.properties)".into());
        }
        Ok(Self { event, target, context, place })
    }

    pub fn place(&self) -> ScopePlace {
        self.place
    }

    /// `{"event": ..., "context": ...}` with `token` as the scope, as JSON.
    pub fn body_with_token(&self, token: &str) -> Vec<u8> {
        // Serializing maps of strings and raw JSON cannot fail.
        serde_json::to_vec(&Body { message: self, token }).unwrap_or_default()
    }
}

struct Body<'a> {
    message: &'a EventMessage,
    token: &'a str,
}

struct Event<'a>(&'a Body<'a>);

struct Target<'a>(&'a Body<'a>);

#[derive(Serialize)]
struct Scope<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    token: &'a str,
}

impl Serialize for Body<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("event", &Event(self))?;
        if let Some(context) = &self.message.context {
            map.serialize_entry("context", context)?;
        }
        map.end()
    }
}

impl Serialize for Event<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        let place = self.0.message.place.field();
        for (k, v) in self.0.message.event.iter().filter(|(k, _)| *k != place) {
            map.serialize_entry(k, v)?;
        }
        map.serialize_entry(place, &Target(self.0))?;
        map.end()
    }
}

impl Serialize for Target<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        // A scope the vendor put there is replaced.
        for (k, v) in self.0.message.target.iter().filter(|(k, _)| *k != "scope") {
            map.serialize_entry(k, v)?;
        }
        map.serialize_entry("scope", &Scope { kind: "BearerToken", token: self.0.token })?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn raw(v: Value) -> Box<RawValue> {
        RawValue::from_string(v.to_string()).unwrap()
    }

    fn parse(event: Value, context: Option<Value>) -> Result<EventMessage, String> {
        EventMessage::parse(&raw(event), context.map(raw))
    }

    fn body(m: &EventMessage, token: &str) -> Value {
        serde_json::from_slice(&m.body_with_token(token)).unwrap()
    }

    fn event(namespace: &str, name: &str) -> Value {
        json!({ "header": { "namespace": namespace, "name": name, "messageId": "m", "payloadVersion": "3" },
                "endpoint": { "endpointId": "lamp-1" }, "payload": { "change": { "properties": [1, 2] } } })
    }

    #[test]
    fn discovery_reports_take_the_scope_in_the_payload() {
        for name in ["AddOrUpdateReport", "DeleteReport"] {
            let raw =
                json!({ "header": { "namespace": "Alexa.Discovery", "name": name }, "payload": { "endpoints": [] } });
            let m = parse(raw, None).unwrap();
            assert_eq!(m.place(), ScopePlace::Payload);
            let body = body(&m, "T");
            assert_eq!(body["event"]["payload"]["scope"], json!({ "type": "BearerToken", "token": "T" }));
            assert_eq!(body["event"]["payload"]["endpoints"], json!([]));
            assert_eq!(body["event"]["header"]["name"], name);
            assert!(body["event"].get("endpoint").is_none());
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
            let m = parse(raw.clone(), Some(json!({ "properties": [] }))).unwrap();
            assert_eq!(m.place(), ScopePlace::Endpoint, "{ns}.{name}");
            let body = body(&m, "T\"quoted");
            assert_eq!(body["event"]["endpoint"]["scope"]["token"], "T\"quoted", "escaped as JSON");
            assert_eq!(body["event"]["endpoint"]["endpointId"], "lamp-1");
            assert_eq!(body["event"]["payload"], raw["payload"], "the rest goes out as it came");
            assert_eq!(body["event"]["header"], raw["header"]);
            assert_eq!(body["context"], json!({ "properties": [] }));
        }
        let m = parse(event("Alexa", "ChangeReport"), Some(Value::Null)).unwrap();
        assert!(body(&m, "T").get("context").is_none(), "a null context is left out");
    }

    #[test]
    fn a_message_without_its_scope_place_names_the_missing_field() {
        let no_endpoint = json!({ "header": { "namespace": "Alexa", "name": "ChangeReport" }, "payload": {} });
        assert!(parse(no_endpoint, None).unwrap_err().starts_with("event.endpoint is missing"));
        let no_payload = json!({ "header": { "namespace": "Alexa.Discovery", "name": "DeleteReport" } });
        assert!(parse(no_payload, None).unwrap_err().starts_with("event.payload is missing"));
        let not_object = json!({ "header": { "namespace": "Alexa", "name": "ChangeReport" }, "endpoint": "x" });
        assert_eq!(parse(not_object, None).unwrap_err(), "event.endpoint must be an object");
        let no_name = json!({ "header": { "namespace": "Alexa" }, "endpoint": {} });
        assert_eq!(parse(no_name, None).unwrap_err(), "event.header.name is missing");
        let bad_header = json!({ "header": [1], "endpoint": {} });
        assert_eq!(parse(bad_header, None).unwrap_err(), "event.header must be an object");
        assert_eq!(parse(json!([]), None).unwrap_err(), "event must be an object with header, endpoint and payload");
        let bad_context = parse(event("Alexa", "ChangeReport"), Some(json!("x")));
        assert!(bad_context.unwrap_err().starts_with("context must be an object"));
    }
}
