//! The `/alexa` scenario with request signatures verified, as in production.
//! Only Amazon can sign real requests, so this runs a second, in-process
//! linkbroker on the same database that trusts a test root shipped in
//! `fixtures/` (20-year validity, clearly not Amazon's) and serves the test
//! chain instead of downloading it. Production has no such setting.

use std::sync::Arc;

use base64::{engine::general_purpose::STANDARD, Engine};
use linkbroker::alexa::{AlexaTrust, CertChainUrl, CertFetcher, FetchFuture};
use linkbroker::settings::Settings;
use linkbroker::startup::{Application, Options};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivatePkcs8KeyDer};

pub const CERT_URL: &str = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem";

struct FixtureChain;

impl CertFetcher for FixtureChain {
    fn fetch<'a>(&'a self, _url: &'a CertChainUrl) -> FetchFuture<'a> {
        Box::pin(async { Ok(include_bytes!("fixtures/chain.pem").to_vec()) })
    }
}

/// Signs request bodies the way Alexa does (RSA PKCS#1 v1.5, SHA-256).
pub struct Signer(ring::signature::RsaKeyPair);

impl Signer {
    pub fn new() -> anyhow::Result<Self> {
        let der = PrivatePkcs8KeyDer::from_pem_slice(include_bytes!("fixtures/signing_key.pem"))?;
        Ok(Self(ring::signature::RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).map_err(|e| anyhow::anyhow!("{e}"))?))
    }

    pub fn sign(&self, body: &[u8]) -> String {
        let mut sig = vec![0; self.0.public().modulus_len()];
        let rng = ring::rand::SystemRandom::new();
        if self.0.sign(&ring::signature::RSA_PKCS1_SHA256, &rng, body, &mut sig).is_err() {
            return String::new();
        }
        STANDARD.encode(sig)
    }
}

/// Starts the verifying instance; returns its base URL.
pub async fn start(env: &[(String, String)]) -> anyhow::Result<String> {
    let root = CertificateDer::from_pem_slice(include_bytes!("fixtures/root.pem"))?;
    let anchor = webpki::anchor_from_trusted_cert(&root)?.to_owned();
    let trust = AlexaTrust { roots: Arc::new(vec![anchor]), fetcher: Arc::new(FixtureChain) };
    let mut vars: std::collections::BTreeMap<String, String> = env.iter().cloned().collect();
    vars.insert("LINKBROKER_BIND".into(), "127.0.0.1:0".into());
    vars.insert("LINKBROKER_ALEXA_VERIFY_SIGNATURE".into(), "true".into());
    let settings = Settings::from_sources(None, vars)?;
    let app = Application::build_with_alexa_trust(settings, Options::default(), trust).await?;
    let base = format!("http://{}", app.address());
    tokio::spawn(app.run_until_stopped());
    Ok(base)
}
