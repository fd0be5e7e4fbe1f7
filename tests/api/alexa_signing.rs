//! Plays Amazon's part in request signing: a test root CA, an intermediate,
//! an `echo-api.amazon.com` signing certificate (RSA, as Amazon's is), a
//! fetcher that serves the chain instead of S3, and RSA-SHA256 signatures
//! over real request bodies.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use base64::{engine::general_purpose::STANDARD, Engine};
use linkbroker::alexa::{AlexaTrust, CertChainUrl, CertFetcher, FetchFuture};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivatePkcs8KeyDer;

pub const CERT_URL: &str = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem";

/// A pre-generated 2048-bit RSA key: ring signs RSA but cannot generate keys.
const SIGNING_KEY_PEM: &str = include_str!("fixtures/alexa_test_signing_key.pem");

/// How the signing certificate differs from a good one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaf {
    Good,
    Expired,
    WrongName,
    /// Issued by a CA the app does not trust.
    Untrusted,
}

pub struct Amazon {
    pub trust: AlexaTrust,
    pub fetches: Arc<AtomicUsize>,
    key: ring::signature::RsaKeyPair,
}

struct ChainFetcher {
    pem: String,
    fetches: Arc<AtomicUsize>,
}

impl CertFetcher for ChainFetcher {
    fn fetch<'a>(&'a self, _url: &'a CertChainUrl) -> FetchFuture<'a> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move { Ok(self.pem.clone().into_bytes()) })
    }
}

fn ca(name: &str, issuer: Option<(&rcgen::Certificate, &KeyPair)>) -> (rcgen::Certificate, KeyPair) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    let cert = match issuer {
        Some((cert, issuer_key)) => params.signed_by(&key, cert, issuer_key).unwrap(),
        None => params.self_signed(&key).unwrap(),
    };
    (cert, key)
}

impl Amazon {
    /// A trusted root; the fetcher serves leaf + intermediate as Amazon does.
    pub fn new(leaf: Leaf) -> Self {
        let (root, root_key) = ca("Test Root CA", None);
        let (other_root, other_key) = ca("Someone Else's CA", None);
        let (issuing_root, issuing_key) =
            if leaf == Leaf::Untrusted { (&other_root, &other_key) } else { (&root, &root_key) };
        let (intermediate, intermediate_key) = ca("Test Intermediate CA", Some((issuing_root, issuing_key)));

        let name = if leaf == Leaf::WrongName { "echo-api.example.com" } else { "echo-api.amazon.com" };
        let mut params = CertificateParams::new(vec![name.to_string()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        if leaf == Leaf::Expired {
            params.not_before = rcgen::date_time_ymd(2019, 1, 1);
            params.not_after = rcgen::date_time_ymd(2020, 1, 1);
        }
        let leaf_key = KeyPair::from_pkcs8_pem_and_sign_algo(SIGNING_KEY_PEM, &rcgen::PKCS_RSA_SHA256).unwrap();
        let leaf_cert = params.signed_by(&leaf_key, &intermediate, &intermediate_key).unwrap();

        let anchor = webpki::anchor_from_trusted_cert(root.der()).unwrap().to_owned();
        let fetches = Arc::new(AtomicUsize::new(0));
        let fetcher =
            ChainFetcher { pem: format!("{}{}", leaf_cert.pem(), intermediate.pem()), fetches: fetches.clone() };
        let der = PrivatePkcs8KeyDer::from_pem_slice(SIGNING_KEY_PEM.as_bytes()).unwrap();
        let key = ring::signature::RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).unwrap();
        Self { trust: AlexaTrust { roots: Arc::new(vec![anchor]), fetcher: Arc::new(fetcher) }, fetches, key }
    }

    /// Base64 RSA PKCS#1 v1.5 SHA-256 over `body`: the `Signature-256` header.
    pub fn sign(&self, body: &[u8]) -> String {
        let mut sig = vec![0; self.key.public().modulus_len()];
        self.key.sign(&ring::signature::RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), body, &mut sig).unwrap();
        STANDARD.encode(sig)
    }

    pub fn fetch_count(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

/// Unix seconds → Alexa's timestamp form.
pub fn iso8601(unix: i64) -> String {
    linkbroker::alexa::timestamp::format_iso8601(unix)
}

pub fn now() -> i64 {
    linkbroker::clock::now()
}

/// An Alexa request envelope like the ones Alexa sends.
pub struct Req<'a> {
    pub kind: &'a str,
    pub intent: Option<&'a str>,
    pub token: Option<&'a str>,
    pub alexa_user: &'a str,
    pub application: &'a str,
    pub timestamp: i64,
    /// `request.locale`, the device's language.
    pub locale: &'a str,
}

pub const SKILL_ID: &str = "amzn1.ask.skill.5f1b2e56-3c7d-4c1a-9a55-0e6f1d2c3b4a";
pub const ALEXA_USER: &str = "amzn1.ask.account.AEXAMPLEUSER";

impl<'a> Req<'a> {
    pub fn launch(token: Option<&'a str>) -> Self {
        Self {
            kind: "LaunchRequest",
            intent: None,
            token,
            alexa_user: ALEXA_USER,
            application: SKILL_ID,
            timestamp: now(),
            locale: "en-US",
        }
    }

    pub fn intent(name: &'a str, token: Option<&'a str>) -> Self {
        Self { kind: "IntentRequest", intent: Some(name), ..Self::launch(token) }
    }

    pub fn event(kind: &'a str, token: Option<&'a str>) -> Self {
        Self { kind, ..Self::launch(token) }
    }

    pub fn body(&self) -> Vec<u8> {
        let mut user = serde_json::json!({ "userId": self.alexa_user });
        if let Some(t) = self.token {
            user["accessToken"] = t.into();
        }
        let mut request = serde_json::json!({
            "type": self.kind,
            "requestId": "amzn1.echo-api.request.1",
            "timestamp": iso8601(self.timestamp),
            "locale": self.locale,
        });
        if let Some(name) = self.intent {
            request["intent"] = serde_json::json!({ "name": name, "confirmationStatus": "NONE", "slots": {} });
        }
        if self.kind.starts_with("AlexaSkillEvent.") {
            request["body"] = serde_json::json!({ "acceptedPermissions": [{ "scope": "alexa::profile:email:read" }] });
        }
        let application = serde_json::json!({ "applicationId": self.application });
        serde_json::to_vec(&serde_json::json!({
            "version": "1.0",
            "session": { "new": true, "sessionId": "amzn1.echo-api.session.1", "application": application, "user": user },
            "context": { "System": { "application": application, "user": user } },
            "request": request,
        }))
        .unwrap()
    }
}
