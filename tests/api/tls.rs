//! Issue 6, built-in HTTPS: `LINKBROKER_TLS_CERT` + `LINKBROKER_TLS_KEY`
//! with a throwaway rcgen certificate.

use std::path::PathBuf;

use linkbroker::settings::Settings;
use linkbroker::startup::{Application, Options};

use crate::both_backends;
use crate::helpers::{app_env, spawn_app_with, Backend};

both_backends!(serves_https_with_the_given_certificate);

/// A certificate for 127.0.0.1 and localhost, written as PEM files.
struct CertFiles {
    dir: PathBuf,
    cert_pem: String,
}

impl CertFiles {
    fn new() -> Self {
        let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
        let dir = std::env::temp_dir().join(format!("lb-tls-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let cert_pem = certified.cert.pem();
        std::fs::write(dir.join("cert.pem"), &cert_pem).unwrap();
        std::fs::write(dir.join("key.pem"), certified.key_pair.serialize_pem()).unwrap();
        Self { dir, cert_pem }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

impl Drop for CertFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn serves_https_with_the_given_certificate(backend: Backend) {
    let files = CertFiles::new();
    let (cert, key) = (files.path("cert.pem"), files.path("key.pem"));
    let env = [("LINKBROKER_TLS_CERT", cert.as_str()), ("LINKBROKER_TLS_KEY", key.as_str())];
    let Some(app) = spawn_app_with(backend, &env).await else { return };
    let https_base = app.base.replacen("http://", "https://", 1);
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(files.cert_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let r = client.get(format!("{https_base}/healthz")).send().await.expect("a TLS handshake with our certificate");
    assert_eq!(r.status(), 200);
    let meta: serde_json::Value = client
        .get(format!("{https_base}/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(meta["issuer"], https_base, "the default public URL is https");
    let plain = app.api.get(app.url("/healthz")).send().await;
    assert!(plain.map(|r| r.status() != 200).unwrap_or(true), "no plain HTTP on the TLS port");
}

#[tokio::test]
async fn unusable_tls_files_are_an_error_that_names_the_variable() {
    let files = CertFiles::new();
    std::fs::write(files.dir.join("garbage.pem"), "not a certificate").unwrap();
    let (garbage, cert, key) = (files.path("garbage.pem"), files.path("cert.pem"), files.path("key.pem"));
    let db = format!("sqlite://{}", files.path("lb.db"));
    for (cert, key, var) in [
        (garbage.as_str(), key.as_str(), "LINKBROKER_TLS_CERT"),
        (cert.as_str(), garbage.as_str(), "LINKBROKER_TLS_KEY"),
    ] {
        let vars = app_env("http://127.0.0.1:9", &db, &[("LINKBROKER_TLS_CERT", cert), ("LINKBROKER_TLS_KEY", key)]);
        let settings = Settings::from_sources(None, vars).unwrap();
        let err = Application::build(settings, Options::default()).await.err().expect("bad TLS files fail");
        assert!(format!("{err:#}").contains(var), "{err:#}");
    }
}
