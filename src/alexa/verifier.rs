//! Proof that a request comes from Alexa (Amazon: "Verify the signature of the
//! request"): the `SignatureCertChainUrl` passes `CertChainUrl`'s rules, the
//! PEM chain there chains to a trusted root, its leaf is valid now and names
//! `echo-api.amazon.com`, and `Signature-256` is an RSA PKCS#1 v1.5 SHA-256
//! signature by that leaf over the raw body bytes.
//!
//! The roots and the fetcher are injected (`AlexaTrust`) so tests can sign
//! with their own CA; production uses Mozilla's roots (`webpki-roots`) and
//! HTTPS. Chains are cached by URL and are used until their leaf (or any
//! link) expires, then dropped and fetched again.
//!
//! Checking a chain costs several signature verifications, far more than the
//! request's own. Validity periods are intervals, so a chain found valid both
//! at `t` and at `t + RECHECK` is valid at every instant between: requests in
//! that window skip the chain check and verify only the body's signature.
//! Near expiry the second check fails and every request checks again.

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

/// How far ahead a chain's validity is proven at once (see the module doc).
const RECHECK: i64 = 300;

/// A cached chain and the interval over which it is known valid.
#[derive(Clone)]
struct Cached {
    chain: Chain,
    valid_from: i64,
    valid_until: i64,
}

pub struct SignatureVerifier {
    trust: AlexaTrust,
    cache: Mutex<HashMap<String, Cached>>,
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
        let cached = self.cache.lock().unwrap_or_else(|p| p.into_inner()).get(url.as_str()).cloned();
        let chain = match cached {
            Some(c) if (c.valid_from..=c.valid_until).contains(&now) => c.chain,
            Some(c) => match self.check_and_cache(&url, c.chain.clone(), now) {
                Ok(chain) => chain,
                Err(_) => {
                    // Expired (or otherwise no longer valid): fetch afresh.
                    self.cache.lock().unwrap_or_else(|p| p.into_inner()).remove(url.as_str());
                    self.fetch_and_check(&url, now).await?
                }
            },
            None => self.fetch_and_check(&url, now).await?,
        };
        let leaf_der = &chain[0];
        let leaf = EndEntityCert::try_from(leaf_der).map_err(|_| "signing certificate cannot be parsed")?;
        leaf.verify_signature(webpki::ring::RSA_PKCS1_2048_8192_SHA256, body, &signature)
            .map_err(|_| "Signature-256 does not match the body".into())
    }

    async fn fetch_and_check(&self, url: &CertChainUrl, now: i64) -> Result<Chain, VerifyError> {
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
        self.check_and_cache(url, Arc::new(chain), now)
    }

    /// Checks `chain` at `now` (an error if invalid) and caches it with the
    /// interval it is proven valid over.
    fn check_and_cache(&self, url: &CertChainUrl, chain: Chain, now: i64) -> Result<Chain, VerifyError> {
        self.check_chain(&chain, now)?;
        let valid_until = if self.check_chain(&chain, now + RECHECK).is_ok() { now + RECHECK } else { now };
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= MAX_CACHED_CHAINS {
            cache.clear();
        }
        cache.insert(url.as_str().to_string(), Cached { chain: chain.clone(), valid_from: now, valid_until });
        Ok(chain)
    }

    /// The leaf chains to a trusted root, every certificate is valid at
    /// `time`, and the leaf names `echo-api.amazon.com`.
    fn check_chain(&self, chain: &[CertificateDer<'static>], now: i64) -> Result<(), VerifyError> {
        let time = UnixTime::since_unix_epoch(Duration::from_secs(u64::try_from(now).unwrap_or(0)));
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};

    use super::*;

    struct Counting {
        pem: String,
        fetches: AtomicUsize,
    }

    impl CertFetcher for Counting {
        fn fetch<'a>(&'a self, _url: &'a CertChainUrl) -> FetchFuture<'a> {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move { Ok(self.pem.clone().into_bytes()) })
        }
    }

    const URL: &str = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem";
    /// 2025-01-01 and 2031-01-01, either side of the leaf's expiry.
    const BEFORE_EXPIRY: i64 = 1_735_689_600;
    const AFTER_EXPIRY: i64 = 1_924_992_000;

    /// A root and a leaf (valid 2024-2030) for echo-api.amazon.com.
    fn verifier() -> (SignatureVerifier, Arc<Counting>) {
        let root_key = KeyPair::generate().unwrap();
        let mut root = CertificateParams::new(Vec::<String>::new()).unwrap();
        root.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let root = root.self_signed(&root_key).unwrap();
        let mut leaf = CertificateParams::new(vec![ECHO_API.to_string()]).unwrap();
        leaf.not_before = rcgen::date_time_ymd(2024, 1, 1);
        leaf.not_after = rcgen::date_time_ymd(2030, 1, 1);
        let leaf = leaf.signed_by(&KeyPair::generate().unwrap(), &root, &root_key).unwrap();
        let fetcher = Arc::new(Counting { pem: leaf.pem(), fetches: AtomicUsize::new(0) });
        let anchor = webpki::anchor_from_trusted_cert(root.der()).unwrap().to_owned();
        let trust = AlexaTrust { roots: Arc::new(vec![anchor]), fetcher: fetcher.clone() };
        (SignatureVerifier::new(trust), fetcher)
    }

    async fn verify_at(v: &SignatureVerifier, now: i64) -> String {
        v.verify(Some(URL), Some("AAAA"), b"{}", now).await.unwrap_err().0
    }

    #[tokio::test]
    async fn chains_are_cached_until_the_leaf_expires_then_fetched_again() {
        let (v, fetcher) = verifier();

        // Chain fine, signature wrong: the chain is cached all the same.
        assert!(verify_at(&v, BEFORE_EXPIRY).await.contains("does not match"));
        assert!(verify_at(&v, BEFORE_EXPIRY).await.contains("does not match"));
        assert_eq!(fetcher.fetches.load(Ordering::SeqCst), 1);

        assert_eq!(verify_at(&v, AFTER_EXPIRY).await, "signing certificate is not valid now");
        assert_eq!(fetcher.fetches.load(Ordering::SeqCst), 2, "an expired cached chain is fetched afresh");
        assert!(v.cache.lock().unwrap().is_empty(), "and not cached again");
    }

    #[tokio::test]
    async fn validity_is_proven_ahead_only_while_the_chain_stays_valid() {
        let (v, _) = verifier();
        let window = |v: &SignatureVerifier| {
            let c = v.cache.lock().unwrap().values().next().cloned().unwrap();
            (c.valid_from, c.valid_until)
        };
        verify_at(&v, BEFORE_EXPIRY).await;
        assert_eq!(window(&v), (BEFORE_EXPIRY, BEFORE_EXPIRY + RECHECK), "far from expiry: skip checks for a while");
        // 2030-01-01T00:00:00Z is the leaf's notAfter; 100 s before it the
        // chain cannot be proven valid RECHECK ahead, so no window is granted.
        let near = 1_893_456_000 - 100;
        verify_at(&v, near).await;
        assert_eq!(window(&v), (near, near), "near expiry: every request checks the chain");
    }
}
