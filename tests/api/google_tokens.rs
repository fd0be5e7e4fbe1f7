//! Google ID tokens (Streamlined Linking's assertions) against a Google
//! mock: a JWKS server that counts its fetches and can rotate its keys or
//! fail, and real RS256 tokens with the claims Google sends. Every way an
//! assertion can be bad is refused; a key outage with nothing cached is
//! not the user's fault; made-up `kid`s cannot make us fetch per request.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use linkbroker::clock::Clock;
use linkbroker::google::id_token::{verify, AssertionError, GoogleIdentity};
use linkbroker::google::keys::GoogleKeys;
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const AUD: &str = "123-project.apps.googleusercontent.com";
const KEY_A: &str = include_str!("fixtures/google_key_a.pem");
const KEY_B: &str = include_str!("fixtures/google_key_b.pem");

/// Google's JWKS: the keys it currently serves (by kid), a fetch counter,
/// and a switch to fail.
#[derive(Clone)]
struct Jwks {
    serving: Arc<Mutex<Vec<&'static str>>>,
    fetches: Arc<AtomicU32>,
    down: Arc<Mutex<bool>>,
}

impl Respond for Jwks {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        if *self.down.lock().unwrap() {
            return ResponseTemplate::new(503);
        }
        let all: Value = serde_json::from_str(include_str!("fixtures/google_jwks.json")).unwrap();
        let serving = self.serving.lock().unwrap().clone();
        let keys: Vec<Value> = all["keys"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|k| serving.contains(&k["kid"].as_str().unwrap()))
            .cloned()
            .collect();
        ResponseTemplate::new(200)
            .insert_header("cache-control", "public, max-age=21600, must-revalidate, no-transform")
            .set_body_json(json!({ "keys": keys }))
    }
}

struct Google {
    jwks: Jwks,
    keys: GoogleKeys,
    clock: Clock,
    _server: MockServer,
}

async fn google() -> Google {
    let server = MockServer::start().await;
    let jwks = Jwks {
        serving: Arc::new(Mutex::new(vec!["google-test-a"])),
        fetches: Arc::new(AtomicU32::new(0)),
        down: Arc::new(Mutex::new(false)),
    };
    Mock::given(method("GET")).and(path("/oauth2/v3/certs")).respond_with(jwks.clone()).mount(&server).await;
    let clock = Clock::default();
    let url = url::Url::parse(&format!("{}/oauth2/v3/certs", server.uri())).unwrap();
    let keys = GoogleKeys::new(url, clock.clone(), Duration::from_secs(2)).unwrap();
    Google { jwks, keys, clock, _server: server }
}

impl Google {
    fn fetches(&self) -> u32 {
        self.jwks.fetches.load(Ordering::SeqCst)
    }

    async fn verify(&self, token: &str) -> Result<GoogleIdentity, AssertionError> {
        verify(&self.keys, token, &[AUD.to_string()], self.clock.now()).await
    }

    /// The claims Google sends, at the app's now.
    fn claims(&self) -> Value {
        let now = self.clock.now();
        json!({
            "iss": "https://accounts.google.com", "azp": AUD, "aud": AUD, "sub": "110169484474386276334",
            "email": "ada@gmail.com", "email_verified": true, "name": "Ada Lovelace",
            "iat": now, "exp": now + 3600,
        })
    }
}

fn sign(claims: &Value, pem: &str, kid: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap()).unwrap()
}

fn invalid(r: Result<GoogleIdentity, AssertionError>) -> &'static str {
    match r {
        Err(AssertionError::Invalid(why)) => why,
        other => panic!("expected an invalid assertion, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_google_id_token_verifies_with_its_claims() {
    let g = google().await;
    let who = g.verify(&sign(&g.claims(), KEY_A, "google-test-a")).await.unwrap();
    assert_eq!(who.sub, "110169484474386276334");
    assert_eq!(who.email.as_deref(), Some("ada@gmail.com"));
    assert!(who.email_verified && who.google_owns_email());
    // The other issuer spelling, and email_verified as a string.
    let mut claims = g.claims();
    claims["iss"] = "accounts.google.com".into();
    claims["email_verified"] = "true".into();
    claims["email"] = "ada@example.com".into();
    claims["hd"] = "example.com".into();
    let who = g.verify(&sign(&claims, KEY_A, "google-test-a")).await.unwrap();
    assert!(who.email_verified && who.google_owns_email());
    assert_eq!(g.fetches(), 1, "the keys are cached per Cache-Control");
    // Past max-age, the set is fetched again.
    g.clock.advance(21_601);
    g.verify(&sign(&g.claims(), KEY_A, "google-test-a")).await.unwrap();
    assert_eq!(g.fetches(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_way_an_assertion_is_bad_is_refused() {
    let g = google().await;
    let good = g.claims();
    let with = |k: &str, v: Value| {
        let mut c = good.clone();
        c[k] = v;
        c
    };
    let now = g.clock.now();
    let cases: Vec<(&str, String)> = vec![
        (
            "another audience",
            sign(&with("aud", "someone-else.apps.googleusercontent.com".into()), KEY_A, "google-test-a"),
        ),
        ("not from Google", sign(&with("iss", "https://evil.example".into()), KEY_A, "google-test-a")),
        ("expired", sign(&with("exp", (now - 61).into()), KEY_A, "google-test-a")),
        ("issued in the future", sign(&with("iat", (now + 120).into()), KEY_A, "google-test-a")),
        ("no subject", sign(&with("sub", "".into()), KEY_A, "google-test-a")),
        ("signed by another key", sign(&good, KEY_B, "google-test-a")),
        ("unknown kid", sign(&good, KEY_A, "made-up")),
        ("not a JWT", "not.a.jwt".into()),
    ];
    for (what, token) in cases {
        let why = invalid(g.verify(&token).await);
        assert!(!why.is_empty(), "{what}");
    }
    // A tampered payload: the signature no longer matches.
    let token = sign(&good, KEY_A, "google-test-a");
    let parts: Vec<&str> = token.split('.').collect();
    let evil = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        serde_json::to_vec(&with("sub", "someone-else".into())).unwrap(),
    );
    assert_eq!(
        invalid(g.verify(&format!("{}.{evil}.{}", parts[0], parts[2])).await),
        "the assertion's signature does not verify"
    );
    // alg none, and HS256 (with the public key's bytes as the secret).
    let none = format!(
        "{}.{}.",
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            br#"{"alg":"none","kid":"google-test-a"}"#
        ),
        parts[1]
    );
    assert!(g.verify(&none).await.is_err());
    let mut hs = Header::new(Algorithm::HS256);
    hs.kid = Some("google-test-a".into());
    let hs256 = jsonwebtoken::encode(&hs, &good, &EncodingKey::from_secret(b"the public key")).unwrap();
    assert_eq!(invalid(g.verify(&hs256).await), "the assertion is not signed with RS256");
    // The leeway: a minute either side is fine.
    g.verify(&sign(&with("exp", (now - 30).into()), KEY_A, "google-test-a")).await.unwrap();
    g.verify(&sign(&with("iat", (now + 30).into()), KEY_A, "google-test-a")).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_is_followed_and_made_up_kids_fetch_at_most_once_a_minute() {
    let g = google().await;
    g.verify(&sign(&g.claims(), KEY_A, "google-test-a")).await.unwrap();
    assert_eq!(g.fetches(), 1);
    // A flood of made-up kids: at most one fetch a minute.
    for i in 0..50 {
        let _ = g.verify(&sign(&g.claims(), KEY_A, &format!("made-up-{i}"))).await;
    }
    assert_eq!(g.fetches(), 1, "no fetch within the minute");
    // Google rotates to key b; a minute later its first token fetches the set.
    *g.jwks.serving.lock().unwrap() = vec!["google-test-a", "google-test-b"];
    g.clock.advance(61);
    g.verify(&sign(&g.claims(), KEY_B, "google-test-b")).await.unwrap();
    assert_eq!(g.fetches(), 2);
    g.verify(&sign(&g.claims(), KEY_A, "google-test-a")).await.unwrap();
    assert_eq!(g.fetches(), 2, "both keys are cached");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_outage_is_not_the_users_fault() {
    let g = google().await;
    *g.jwks.down.lock().unwrap() = true;
    let token = sign(&g.claims(), KEY_A, "google-test-a");
    assert!(matches!(g.verify(&token).await, Err(AssertionError::KeysUnavailable(_))));
    assert!(matches!(g.verify(&token).await, Err(AssertionError::KeysUnavailable(_))), "still 503 within the minute");
    assert_eq!(g.fetches(), 1, "and no fetch per request");
    // Google is back: the next minute's fetch works.
    *g.jwks.down.lock().unwrap() = false;
    g.clock.advance(61);
    g.verify(&token).await.unwrap();
    // Down again after the cache went stale: the keys in hand still verify.
    *g.jwks.down.lock().unwrap() = true;
    g.clock.advance(21_601);
    g.verify(&sign(&g.claims(), KEY_A, "google-test-a")).await.unwrap();
}
