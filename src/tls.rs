//! Built-in HTTPS (`LINKBROKER_TLS_CERT` + `LINKBROKER_TLS_KEY`, PEM files)
//! for operators without a reverse proxy. rustls with the ring provider,
//! TLS 1.2 and 1.3, HTTP/1.1 only.

use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context};
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// Reads the certificate chain and key; errors name the variable to fix.
pub fn server_config(cert: &Path, key: &Path) -> anyhow::Result<ServerConfig> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| anyhow::anyhow!("{e:?}"))
        .with_context(|| format!("cannot read LINKBROKER_TLS_CERT={}", cert.display()))?;
    if chain.is_empty() {
        bail!("LINKBROKER_TLS_CERT={} holds no PEM certificate", cert.display());
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| anyhow::anyhow!("{e:?}"))
        .with_context(|| format!("cannot read a PEM private key from LINKBROKER_TLS_KEY={}", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("LINKBROKER_TLS_CERT and LINKBROKER_TLS_KEY do not form a usable certificate and key")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
