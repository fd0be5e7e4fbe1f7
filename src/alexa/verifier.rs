//! Proof that a request comes from Alexa (Amazon: "Verify the signature of the
//! request"): the `SignatureCertChainUrl` passes `CertChainUrl`'s rules, the
//! PEM chain there chains to a trusted root, its leaf is valid now and names
//! `echo-api.amazon.com`, and `Signature-256` is an RSA PKCS#1 v1.5 SHA-256
//! signature by that leaf over the raw body bytes.
//!
//! The roots and the fetcher are injected (`AlexaTrust`) so tests can sign
//! with their own CA; production uses Mozilla's roots (`webpki-roots`) and
//! HTTPS. Chains are cached by URL and re-checked against the clock on every
//! request, so a cached chain is used until its leaf (or any link) expires,
//! and is then dropped and fetched again.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::{engine::general_purpose::STANDARD, Engine};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, TrustAnchor, UnixTime};
use webpki::{EndEntityCert, KeyUsage};

use super::cert_url::CertChainUrl;

/// The subject name Amazon's signing certificate carries.
const ECHO_API: &str = "echo-api.amazon.com";
/// Certificate downloads: Alexa waits about 8 s for the whole answer.
const FETCH_TIMEOUT: Duration = Duration::from_secs(4);
/// Amazon's chain is a few KB; anything much larger is not it.
const MAX_CHAIN_BYTES: usize = 64 * 1024;
/// Amazon uses one URL at a time; this only bounds memory.
const MAX_CACHED_CHAINS: usize = 16;

pub type FetchFuture<'a> = Pin<Box<dyn Future<Output = Result<Vec<u8>, String>> + Send + 'a>>;

/// Downloads a certificate chain (PEM). Tests inject their own.
pub trait CertFetcher: Send + Sync {
    fn fetch<'a>(&'a self, url: &'a CertChainUrl) -> FetchFuture<'a>;
}

/// Where trust comes from: the roots to chain to, and how to fetch chains.
#[derive(Clone)]
pub struct AlexaTrust {
    pub roots: Arc<Vec<TrustAnchor<'static>>>,
    pub fetcher: Arc<dyn CertFetcher>,
}

impl AlexaTrust {
    /// Production: Mozilla's root store and HTTPS downloads.
    pub fn amazon() -> anyhow::Result<Self> {
        Ok(Self { roots: Arc::new(webpki_roots::TLS_SERVER_ROOTS.to_vec()), fetcher: Arc::new(HttpsFetcher::new()?) })
    }
}

/// Fetches over HTTPS only, without redirects, with a timeout and a size cap.
pub struct HttpsFetcher {
    client: reqwest::Client,
}

impl HttpsFetcher {
    pub fn new() -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .https_only(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(FETCH_TIMEOUT)
            .build()?;
        Ok(Self { client })
    }
}

impl CertFetcher for HttpsFetcher {
    fn fetch<'a>(&'a self, url: &'a CertChainUrl) -> FetchFuture<'a> {
        Box::pin(async move {
            let mut resp = self.client.get(url.url().clone()).send().await.map_err(|e| e.to_string())?;
            if !resp.status().is_success() {
                return Err(format!("HTTP {}", resp.status()));
            }
            let mut body = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
                if body.len() + chunk.len() > MAX_CHAIN_BYTES {
                    return Err("certificate chain is too large".into());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(body)
        })
    }
}

/// Why a request was refused; the text is short and safe to log and return.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct VerifyError(pub String);

impl From<&str> for VerifyError {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

type Chain = Arc<Vec<CertificateDer<'static>>>;

pub struct SignatureVerifier {
    trust: AlexaTrust,
    cache: Mutex<HashMap<String, Chain>>,
}

impl SignatureVerifier {
    pub fn new(trust: AlexaTrust) -> Self {
        Self { trust, cache: Mutex::new(HashMap::new()) }
    }

    /// Checks the two headers against the raw body at Unix time `now`.
    pub async fn verify(
        &self,
        cert_url: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<(), VerifyError> {
        let cert_url = cert_url.ok_or("SignatureCertChainUrl header is missing")?;
        let signature = signature.ok_or("Signature-256 header is missing")?;
        let url = CertChainUrl::parse(cert_url)?;
        let signature = STANDARD.decode(signature.trim()).map_err(|_| "Signature-256 is not base64")?;
        let time = UnixTime::since_unix_epoch(Duration::from_secs(u64::try_from(now).unwrap_or(0)));

        let cached = self.cache.lock().unwrap_or_else(|p| p.into_inner()).get(url.as_str()).cloned();
        let chain = match cached {
            Some(chain) => match self.check_chain(&chain, time) {
                Ok(()) => chain,
                Err(_) => {
                    // Expired (or otherwise no longer valid): fetch afresh.
                    self.cache.lock().unwrap_or_else(|p| p.into_inner()).remove(url.as_str());
                    self.fetch_and_check(&url, time).await?
                }
            },
            None => self.fetch_and_check(&url, time).await?,
        };
        let leaf_der = &chain[0];
        let leaf = EndEntityCert::try_from(leaf_der).map_err(|_| "signing certificate cannot be parsed")?;
        leaf.verify_signature(webpki::ring::RSA_PKCS1_2048_8192_SHA256, body, &signature)
            .map_err(|_| "Signature-256 does not match the body".into())
    }

    async fn fetch_and_check(&self, url: &CertChainUrl, time: UnixTime) -> Result<Chain, VerifyError> {
        let pem = self
            .trust
            .fetcher
            .fetch(url)
            .await
            .map_err(|e| VerifyError(format!("certificate chain download failed: {e}")))?;
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<_, _>>()
            .map_err(|_| "certificate chain is not PEM")?;
        if chain.is_empty() {
            return Err("certificate chain is empty".into());
        }
        let chain = Arc::new(chain);
        self.check_chain(&chain, time)?;
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= MAX_CACHED_CHAINS {
            cache.clear();
        }
        cache.insert(url.as_str().to_string(), chain.clone());
        Ok(chain)
    }

    /// The leaf chains to a trusted root, every certificate is valid at
    /// `time`, and the leaf names `echo-api.amazon.com`.
    fn check_chain(&self, chain: &[CertificateDer<'static>], time: UnixTime) -> Result<(), VerifyError> {
        let leaf = EndEntityCert::try_from(&chain[0]).map_err(|_| "signing certificate cannot be parsed")?;
        leaf.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &self.trust.roots,
            &chain[1..],
            time,
            KeyUsage::server_auth(),
            None,
            None,
        )
        .map_err(|e| match e {
            webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. } => {
                VerifyError::from("signing certificate is not valid now")
            }
            other => VerifyError(format!("signing certificate is not trusted ({other:?})")),
        })?;
        let name = ServerName::try_from(ECHO_API).map_err(|_| "invalid subject name")?;
        leaf.verify_is_valid_for_subject_name(&name)
            .map_err(|_| VerifyError::from("signing certificate does not name echo-api.amazon.com"))
    }
}
