//! `/alexa` request verification, as Amazon documents it for skills hosted
//! as a web service. Each refusal test breaks exactly one rule of a request
//! that `signed_requests_from_alexa_are_answered` shows is otherwise accepted.

use serde_json::Value;

use crate::alexa_signing::{now, Amazon, Leaf, Req, CERT_URL, SKILL_ID};
use crate::both_backends;
use crate::helpers::{spawn_app_custom, speech, Backend, TestApp};

both_backends!(
    signed_requests_from_alexa_are_answered,
    the_certificate_chain_is_fetched_once_per_url,
    requests_without_signature_headers_are_refused,
    certificate_urls_outside_amazons_rules_are_refused_without_fetching,
    chains_to_an_untrusted_root_are_refused,
    expired_signing_certificates_are_refused,
    signing_certificates_for_another_name_are_refused,
    bodies_that_do_not_match_their_signature_are_refused,
    stale_timestamps_are_refused,
    skill_events_get_an_hour_of_clock_difference,
    unlisted_application_ids_are_refused,
);

async fn verifying_app(backend: Backend, amazon: &Amazon, env: &[(&str, &str)]) -> Option<TestApp> {
    let mut vars = vec![("LINKBROKER_ALEXA_VERIFY_SIGNATURE", "true")];
    vars.extend_from_slice(env);
    spawn_app_custom(backend, &vars, None, Some(amazon.trust.clone())).await
}

async fn signed(app: &TestApp, amazon: &Amazon, body: Vec<u8>) -> (u16, Value) {
    let signature = amazon.sign(&body);
    app.alexa_raw(body, Some(CERT_URL), Some(&signature)).await
}

#[track_caller]
fn assert_refused((status, answer): (u16, Value), reason: &str) {
    assert_eq!(status, 400, "{answer}");
    let message = answer["message"].as_str().unwrap_or("");
    assert!(message.contains(reason), "refused for {message:?}, expected {reason:?}");
    assert!(answer.get("response").is_none(), "a refused request gets no speech: {answer}");
}

async fn signed_requests_from_alexa_are_answered(backend: Backend) {
    let amazon = Amazon::new(Leaf::Good);
    let Some(app) = verifying_app(backend, &amazon, &[]).await else { return };
    let (_, tokens) = app.linked().await;
    let token = tokens["access_token"].as_str().unwrap();

    let (status, answer) = signed(&app, &amazon, Req::launch(Some(token)).body()).await;

    assert_eq!(status, 200, "{answer}");
    assert_eq!(speech(&answer), "Hello, Ada.");
}

async fn the_certificate_chain_is_fetched_once_per_url(backend: Backend) {
    let amazon = Amazon::new(Leaf::Good);
    let Some(app) = verifying_app(backend, &amazon, &[]).await else { return };
    for _ in 0..3 {
        let (status, answer) = signed(&app, &amazon, Req::launch(None).body()).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["response"]["card"]["type"], "LinkAccount");
    }
    assert_eq!(amazon.fetch_count(), 1, "the verified chain is cached by URL");
}

async fn requests_without_signature_headers_are_refused(backend: Backend) {
    let amazon = Amazon::new(Leaf::Good);
    let Some(app) = verifying_app(backend, &amazon, &[]).await else { return };
    let body = Req::launch(None).body();
    let signature = amazon.sign(&body);
    assert_refused(app.alexa_raw(body.clone(), None, Some(&signature)).await, "SignatureCertChainUrl");
    assert_refused(app.alexa_raw(body, Some(CERT_URL), None).await, "Signature-256");
}

async fn certificate_urls_outside_amazons_rules_are_refused_without_fetching(backend: Backend) {
    let amazon = Amazon::new(Leaf::Good);
    let Some(app) = verifying_app(backend, &amazon, &[]).await else { return };
    let body = Req::launch(None).body();
    let signature = amazon.sign(&body);
    for (url, reason) in [
        ("http://s3.amazonaws.com/echo.api/echo-api-cert-12.pem", "https"),
        ("https://notamazon.com/echo.api/echo-api-cert-12.pem", "host"),
        ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert-12.pem", "path"),
        ("https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert-12.pem", "path"),
        ("https://s3.amazonaws.com:563/echo.api/echo-api-cert-12.pem", "port"),
    ] {
        assert_refused(app.alexa_raw(body.clone(), Some(url), Some(&signature)).await, reason);
    }
    assert_eq!(amazon.fetch_count(), 0, "no URL that breaks the rules is ever fetched");
}

async fn chains_to_an_untrusted_root_are_refused(backend: Backend) {
    let amazon = Amazon::new(Leaf::Untrusted);
    let Some(app) = verifying_app(backend, &amazon, &[]).await else { return };
    assert_refused(signed(&app, &amazon, Req::launch(None).body()).await, "not trusted");
}

async fn expired_signing_certificates_are_refused(backend: Backend) {
    let amazon = Amazon::new(Leaf::Expired);
    let Some(app) = verifying_app(backend, &amazon, &[]).await else { return };
    assert_refused(signed(&app, &amazon, Req::launch(None).body()).await, "not valid now");
}

async fn signing_certificates_for_another_name_are_refused(backend: Backend) {
    let amazon = Amazon::new(Leaf::WrongName);
    let Some(app) = verifying_app(backend, &amazon, &[]).await else { return };
    assert_refused(signed(&app, &amazon, Req::launch(None).body()).await, "echo-api.amazon.com");
}

async fn bodies_that_do_not_match_their_signature_are_refused(backend: Backend) {
    let amazon = Amazon::new(Leaf::Good);
    let Some(app) = verifying_app(backend, &amazon, &[]).await else { return };
    let signature = amazon.sign(&Req::launch(None).body());
    let tampered = Req::launch(Some("someone-elses-token")).body();
    assert_refused(app.alexa_raw(tampered, Some(CERT_URL), Some(&signature)).await, "does not match");
    let body = Req::launch(None).body();
    assert_refused(app.alexa_raw(body, Some(CERT_URL), Some("not base64!")).await, "not base64");
}

async fn stale_timestamps_are_refused(backend: Backend) {
    let amazon = Amazon::new(Leaf::Good);
    let Some(app) = verifying_app(backend, &amazon, &[]).await else { return };
    let old = Req { timestamp: now() - 200, ..Req::launch(None) };
    assert_refused(signed(&app, &amazon, old.body()).await, "timestamp");
    let future = Req { timestamp: now() + 200, ..Req::launch(None) };
    assert_refused(signed(&app, &amazon, future.body()).await, "timestamp");
}

async fn skill_events_get_an_hour_of_clock_difference(backend: Backend) {
    let amazon = Amazon::new(Leaf::Good);
    let Some(app) = verifying_app(backend, &amazon, &[]).await else { return };
    let recent = Req { timestamp: now() - 1800, ..Req::event("AlexaSkillEvent.SkillEnabled", None) };
    let (status, answer) = signed(&app, &amazon, recent.body()).await;
    assert_eq!(status, 200, "{answer}");
    let stale = Req { timestamp: now() - 7200, ..Req::event("AlexaSkillEvent.SkillEnabled", None) };
    assert_refused(signed(&app, &amazon, stale.body()).await, "timestamp");
}

async fn unlisted_application_ids_are_refused(backend: Backend) {
    let amazon = Amazon::new(Leaf::Good);
    let env = [("LINKBROKER_ALEXA_APPLICATION_IDS", SKILL_ID)];
    let Some(app) = verifying_app(backend, &amazon, &env).await else { return };
    let (status, _) = signed(&app, &amazon, Req::launch(None).body()).await;
    assert_eq!(status, 200, "the listed skill is accepted");
    let other = Req { application: "amzn1.ask.skill.someone-else", ..Req::launch(None) };
    assert_refused(signed(&app, &amazon, other.body()).await, "applicationId");
}
