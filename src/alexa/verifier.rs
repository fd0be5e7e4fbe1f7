//! Proof that a request comes from Alexa (Amazon: "Verify the signature of the
//! request"): the `SignatureCertChainUrl` passes `CertChainUrl`'s rules, the
//! PEM chain there chains to a trusted root, its leaf is valid now and names
//! `echo-api.amazon.com`, and `Signature-256` is an RSA PKCS#1 v1.5 SHA-256
//! signature by that leaf over the raw body bytes.
//!
//! The roots and the fetcher are injected (`AlexaTrust`) so tests can sign
//! with their own CA; production uses Mozilla's roots (`webpki-roots`) and
//! HTTPS. Chains are cached by URL (normalized: query and fragment are
//! dropped before fetching, so variants of one URL are one entry) and used
//! until their leaf (or any link) expires, then fetched again. Anyone can
//! send any URL of the allowed shape, so downloads are bounded: at most
//! `MAX_CACHED_CHAINS` chains, least recently used evicted; a URL that failed
//! is not fetched again for `FAILURE_TTL`; and all URLs together get at most
//! `FETCH_BUDGET` downloads per `FETCH_WINDOW`. Callers see a short reason,
//! never the download's internal error text (that goes to the log).
//!
//! Checking a chain costs several signature verifications, far more than the
//! request's own. Validity periods are intervals, so a chain found valid both
//! at `t` and at `t + RECHECK` is valid at every instant between: requests in
//! that window skip the chain check and verify only the body's signature.
//! Near expiry the second check fails and every request checks again.

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

use super::chain_cache::{Chain, ChainCache, RECHECK};

pub struct SignatureVerifier {
    trust: AlexaTrust,
    cache: Mutex<ChainCache>,
}

impl SignatureVerifier {
    pub fn new(trust: AlexaTrust) -> Self {
        Self { trust, cache: Mutex::new(ChainCache::default()) }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, ChainCache> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
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
        let cached = self.cache().get(url.as_str());
        let chain = match cached {
            Some(c) if (c.valid_from..=c.valid_until).contains(&now) => c.chain,
            Some(c) => match self.check_and_cache(&url, c.chain.clone(), now) {
                Ok(chain) => chain,
                Err(_) => {
                    // Expired (or otherwise no longer valid): fetch afresh.
                    self.cache().forget(url.as_str());
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
        {
            let mut cache = self.cache();
            if cache.recently_failed(url.as_str(), now) {
                return Err("the certificate chain at SignatureCertChainUrl could not be verified".into());
            }
            if !cache.take_fetch(now) {
                tracing::warn!("certificate chain download budget spent; refusing a new certificate URL");
                return Err("too many new certificate chain URLs; retry later".into());
            }
        }
        let result = self.download(url, now).await;
        if result.is_err() {
            self.cache().failed(url.as_str(), now);
        }
        result
    }

    async fn download(&self, url: &CertChainUrl, now: i64) -> Result<Chain, VerifyError> {
        let pem = self.trust.fetcher.fetch(url).await.map_err(|e| {
            tracing::warn!(error = %e, url = %url.as_str(), "certificate chain download failed");
            VerifyError::from("the certificate chain could not be downloaded")
        })?;
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
        self.cache().insert(url.as_str(), chain.clone(), now, valid_until);
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
    use crate::alexa::chain_cache::{FAILURE_TTL, FETCH_BUDGET, FETCH_WINDOW, MAX_CACHED_CHAINS};

    struct Counting {
        pem: String,
        fetches: AtomicUsize,
        fail: bool,
    }

    impl CertFetcher for Counting {
        fn fetch<'a>(&'a self, _url: &'a CertChainUrl) -> FetchFuture<'a> {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            if self.fail {
                return Box::pin(async { Err("error sending request for url (https://10.0.0.1/internal)".into()) });
            }
            Box::pin(async move { Ok(self.pem.clone().into_bytes()) })
        }
    }

    const URL: &str = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem";
    /// 2025-01-01 and 2031-01-01, either side of the leaf's expiry.
    const BEFORE_EXPIRY: i64 = 1_735_689_600;
    const AFTER_EXPIRY: i64 = 1_924_992_000;

    /// A root and a leaf (valid 2024-2030) for echo-api.amazon.com.
    fn verifier() -> (SignatureVerifier, Arc<Counting>) {
        verifier_with(false)
    }

    fn verifier_with(fail: bool) -> (SignatureVerifier, Arc<Counting>) {
        let root_key = KeyPair::generate().unwrap();
        let mut root = CertificateParams::new(Vec::<String>::new()).unwrap();
        root.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let root = root.self_signed(&root_key).unwrap();
        let mut leaf = CertificateParams::new(vec![ECHO_API.to_string()]).unwrap();
        leaf.not_before = rcgen::date_time_ymd(2024, 1, 1);
        leaf.not_after = rcgen::date_time_ymd(2030, 1, 1);
        let leaf = leaf.signed_by(&KeyPair::generate().unwrap(), &root, &root_key).unwrap();
        let fetcher = Arc::new(Counting { pem: leaf.pem(), fetches: AtomicUsize::new(0), fail });
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
        assert!(v.cache.lock().unwrap().chains.is_empty(), "and not cached again");
    }

    #[tokio::test]
    async fn validity_is_proven_ahead_only_while_the_chain_stays_valid() {
        let (v, _) = verifier();
        let window = |v: &SignatureVerifier| {
            let c = v.cache.lock().unwrap().chains.values().next().cloned().unwrap();
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

    async fn verify_url(v: &SignatureVerifier, url: &str, now: i64) -> String {
        v.verify(Some(url), Some("AAAA"), b"{}", now).await.unwrap_err().0
    }

    #[tokio::test]
    async fn query_string_variants_of_one_url_are_one_download() {
        let (v, fetcher) = verifier();
        for q in ["", "?a=1", "?a=2", "#x", "?b=%20"] {
            assert!(verify_url(&v, &format!("{URL}{q}"), BEFORE_EXPIRY).await.contains("does not match"));
        }
        assert_eq!(fetcher.fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_url_is_not_downloaded_again_for_a_while_and_the_reason_is_plain() {
        let (v, fetcher) = verifier_with(true);
        let first = verify_url(&v, URL, BEFORE_EXPIRY).await;
        assert_eq!(first, "the certificate chain could not be downloaded", "no internal error text");
        let again = verify_url(&v, URL, BEFORE_EXPIRY + 30).await;
        assert!(again.contains("could not be verified"), "{again}");
        assert_eq!(fetcher.fetches.load(Ordering::SeqCst), 1, "negative cache");
        verify_url(&v, URL, BEFORE_EXPIRY + FAILURE_TTL + 1).await;
        assert_eq!(fetcher.fetches.load(Ordering::SeqCst), 2, "retried once the failure is old");
    }

    #[tokio::test]
    async fn new_urls_share_one_download_budget() {
        let (v, fetcher) = verifier_with(true);
        for i in 0..50 {
            verify_url(&v, &format!("https://s3.amazonaws.com/echo.api/{i}.pem"), BEFORE_EXPIRY).await;
        }
        assert_eq!(fetcher.fetches.load(Ordering::SeqCst), FETCH_BUDGET);
        let refused = verify_url(&v, "https://s3.amazonaws.com/echo.api/new.pem", BEFORE_EXPIRY).await;
        assert!(refused.contains("retry later"), "{refused}");
        verify_url(&v, "https://s3.amazonaws.com/echo.api/later.pem", BEFORE_EXPIRY + FETCH_WINDOW).await;
        assert_eq!(fetcher.fetches.load(Ordering::SeqCst), FETCH_BUDGET + 1, "the budget renews");
    }

    #[tokio::test]
    async fn a_full_cache_evicts_the_least_recently_used_chain() {
        let (v, fetcher) = verifier();
        let url = |i: usize| format!("https://s3.amazonaws.com/echo.api/{i}.pem");
        // Spread over windows so the download budget is not what limits this.
        for i in 0..MAX_CACHED_CHAINS {
            verify_url(&v, &url(i), BEFORE_EXPIRY + (i as i64) * FETCH_WINDOW).await;
        }
        let late = BEFORE_EXPIRY + 100 * FETCH_WINDOW;
        verify_url(&v, &url(0), late).await; // 0 is now the most recently used
        verify_url(&v, &url(99), late).await; // evicts 1, the least recently used
        let fetched = fetcher.fetches.load(Ordering::SeqCst);
        verify_url(&v, &url(0), late).await;
        assert_eq!(fetcher.fetches.load(Ordering::SeqCst), fetched, "0 stayed cached");
        verify_url(&v, &url(1), late).await;
        assert_eq!(fetcher.fetches.load(Ordering::SeqCst), fetched + 1, "1 was evicted");
    }
}
