//! A user's Amazon grant survives every race, on one instance or two on one
//! database: Amazon's refresh tokens are single-use here (each refresh
//! returns a new one and kills the old), the harshest Amazon could be, so
//! a refresh too many or a dropped live grant shows at once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

use crate::both_backends;
use crate::helpers::Backend;
use crate::smart_home_support::{smart_home, SmartHome, AMAZON_REFRESH};

both_backends!(
    two_instances_refresh_once_per_expiry_and_never_drop_the_grant,
    invalid_grant_for_a_token_another_instance_replaced_keeps_the_grant,
    a_reseal_during_a_refresh_keeps_amazons_new_refresh_token,
);

/// Amazon's token endpoint with single-use refresh tokens: the current one
/// gives `Atza|A{n}` and `Atzr|R{n}` and dies; anything else is
/// `invalid_grant`. Answers after `delay`.
#[derive(Clone)]
struct SingleUse {
    state: Arc<Mutex<(String, u32)>>,
    delay: Duration,
}

impl SingleUse {
    fn new(delay: Duration) -> Self {
        Self { state: Arc::new(Mutex::new((AMAZON_REFRESH.to_string(), 0))), delay }
    }

    fn refreshes(&self) -> u32 {
        self.state.lock().unwrap().1
    }
}

impl Respond for SingleUse {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&request.body).unwrap_or_default();
        let presented = form.iter().find(|(k, _)| k == "refresh_token").map(|(_, v)| v.clone()).unwrap_or_default();
        let mut state = self.state.lock().unwrap();
        let answer = if presented == state.0 {
            state.1 += 1;
            state.0 = format!("Atzr|R{}", state.1);
            ResponseTemplate::new(200).set_body_json(json!({
                "access_token": format!("Atza|A{}", state.1), "refresh_token": state.0,
                "token_type": "bearer", "expires_in": 3600 }))
        } else {
            ResponseTemplate::new(400).set_body_json(json!({ "error": "invalid_grant", "error_description": "used" }))
        };
        answer.set_delay(self.delay)
    }
}

async fn single_use_amazon(sh: &SmartHome, delay: Duration) -> SingleUse {
    let amazon = SingleUse::new(delay);
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .respond_with(amazon.clone())
        .mount(&sh.app.lwa)
        .await;
    amazon
}

/// Waits (polling, never a fixed sleep) until Amazon received a refresh.
async fn until_a_refresh_reaches_amazon(sh: &SmartHome) {
    for _ in 0..500 {
        if sh.amazon_calls("grant_type=refresh_token").await > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no refresh reached Amazon");
}

fn dropped(actions: &[String]) -> bool {
    actions.iter().any(|a| a == "alexa.grant_dropped")
}

async fn two_instances_refresh_once_per_expiry_and_never_drop_the_grant(backend: Backend) {
    let Some(sh) = smart_home(backend, &[], 3600).await else { return };
    sh.accept().await;
    let amazon = single_use_amazon(&sh, Duration::from_millis(200)).await;
    sh.gateway_answers(202, json!({})).await;
    let other = Arc::new(sh.sibling(&[]).await);
    let sh = Arc::new(sh);
    for expiry in 1..=3 {
        // Amazon's access token expires (both instances share the clock).
        sh.app.clock.advance(3600);
        let tasks: Vec<_> = (0..24)
            .map(|i| {
                let (sh, other) = (sh.clone(), other.clone());
                tokio::spawn(async move {
                    let body =
                        json!({ "user": "ada@example.com", "event": crate::smart_home_support::change_report() });
                    if i % 2 == 0 {
                        sh.send(body).await
                    } else {
                        sh.send_on(&other, body).await
                    }
                })
            })
            .collect();
        for t in tasks {
            let (status, answer) = t.await.unwrap();
            assert_eq!(status, 202, "expiry {expiry}: {answer}");
        }
        assert_eq!(amazon.refreshes(), expiry, "exactly one refresh per expiry across both instances");
        assert_eq!(
            sh.amazon_calls("grant_type=refresh_token").await,
            expiry as usize,
            "no instance presented a spent refresh token"
        );
    }
    let grant = sh.grant().await;
    assert!(grant.dropped_at.is_none(), "the grant lives");
    assert_eq!(grant.refresh_token.as_deref(), Some("Atzr|R3"), "the newest refresh token is kept");
    assert!(!dropped(&sh.app.audit_actions().await));
}

async fn invalid_grant_for_a_token_another_instance_replaced_keeps_the_grant(backend: Backend) {
    // The first access token is already expired, so the first event refreshes.
    let Some(sh) = smart_home(backend, &[], 0).await else { return };
    sh.accept().await;
    sh.gateway_answers(202, json!({})).await;
    // Amazon refuses the original token slowly: by the time it answers,
    // another instance (whose lease had lapsed) has stored new tokens.
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({ "error": "invalid_grant" }))
                .set_delay(Duration::from_millis(700)),
        )
        .mount(&sh.app.lwa)
        .await;
    let sh = Arc::new(sh);
    let event = tokio::spawn({
        let sh = sh.clone();
        async move { sh.event().await }
    });
    until_a_refresh_reaches_amazon(&sh).await;
    let before = sh.grant().await;
    let witness = before.witness.as_ref().unwrap();
    let now = sh.app.clock.now();
    let elsewhere = linkbroker::store::AmazonTokens {
        refresh_token: "Atzr|stored-elsewhere",
        access_token: "Atza|stored-elsewhere",
        access_expires_at: now + 3600,
    };
    assert!(sh.app.store.refresh_alexa_grant(&before.grant_id, witness, &elsewhere, now).await.unwrap());
    let (status, answer) = event.await.unwrap();
    assert_eq!(status, 202, "the refused token was no longer the grant's: {answer}");
    let sent: Value = sh.gateway.received_requests().await.unwrap()[0].body_json().unwrap();
    assert_eq!(sent["event"]["endpoint"]["scope"]["token"], "Atza|stored-elsewhere", "the stored token was used");
    let grant = sh.grant().await;
    assert!(grant.dropped_at.is_none());
    assert_eq!(grant.refresh_token.as_deref(), Some("Atzr|stored-elsewhere"));
    assert!(!dropped(&sh.app.audit_actions().await));
}

const KEY_1: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const KEY_2: &str = "EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE";

async fn a_reseal_during_a_refresh_keeps_amazons_new_refresh_token(backend: Backend) {
    let Some(sh) = smart_home(backend, &[("LINKBROKER_SECRETS_KEY", KEY_1)], 0).await else { return };
    sh.accept().await;
    let amazon = single_use_amazon(&sh, Duration::from_millis(700)).await;
    sh.gateway_answers(202, json!({})).await;
    let sh = Arc::new(sh);
    let event = tokio::spawn({
        let sh = sh.clone();
        async move { sh.event().await }
    });
    until_a_refresh_reaches_amazon(&sh).await;
    // While Amazon answers, an instance with a new key starts and reseals
    // every secret, the grant's refresh token included.
    let resealed = sh.sibling(&[("LINKBROKER_SECRETS_KEY", KEY_2), ("LINKBROKER_SECRETS_KEY_PREVIOUS", KEY_1)]).await;
    assert_eq!(event.await.unwrap().0, 202);
    assert_eq!(amazon.refreshes(), 1);
    // The new instance holds Amazon's new tokens: it sends without a
    // refresh, and refreshes with R1 when they expire.
    let body = || json!({ "user": "ada@example.com", "event": crate::smart_home_support::change_report() });
    assert_eq!(sh.send_on(&resealed, body()).await.0, 202);
    assert_eq!(amazon.refreshes(), 1, "the stored access token was used");
    sh.app.clock.advance(3600);
    let (status, answer) = sh.send_on(&resealed, body()).await;
    assert_eq!(status, 202, "Amazon's new refresh token was kept: {answer}");
    assert_eq!(amazon.refreshes(), 2);
    assert!(!dropped(&sh.app.audit_actions().await));
}
