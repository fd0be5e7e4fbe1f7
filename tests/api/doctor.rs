//! `linkbroker doctor` run as a developer would, against a real linkbroker:
//! over plain HTTP, and behind TLS with a test CA (good, incomplete and
//! expired chains), with a missing region and a wrong secret.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use serde_json::Value;

use crate::helpers::{spawn_app, spawn_app_with, Backend, TestApp};

/// Runs `doctor` with `args` (and `secret` on stdin); its JSON report and
/// whether it exited 0.
async fn doctor(args: Vec<String>, secret: Option<String>) -> (Value, bool) {
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_linkbroker"))
            .arg("doctor")
            .args(&args)
            .arg("--json")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LINKBROKER_LOG", "warn")
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(s) = secret {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        let out = child.wait_with_output().unwrap();
        let report: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("a JSON report: {}", String::from_utf8_lossy(&out.stderr)));
        (report, out.status.success())
    })
    .await
    .unwrap()
}

fn verdict<'a>(report: &'a Value, name: &str) -> (&'a str, &'a str) {
    let c = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {report}"));
    (c["verdict"].as_str().unwrap(), c["fix"].as_str().unwrap_or(""))
}

async fn client_args(app: &TestApp) -> (Vec<String>, String) {
    let client = app.alexa_client().await; // registered for the NA region only
    let args = vec![
        "--client-id".into(),
        client.id,
        "--vendor-id".into(),
        "M2EXAMPLEVENDOR".into(),
        "--client-secret-stdin".into(),
    ];
    (args, client.secret)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_plain_http_doctor_names_what_alexa_would_refuse() {
    let Some(app) = spawn_app(Backend::Sqlite).await else { return };
    let (mut args, secret) = client_args(&app).await;
    args.insert(0, app.base.clone());
    let (report, ok) = doctor(args.clone(), Some(secret)).await;
    assert!(!ok, "a failing check exits non-zero");
    assert_eq!(verdict(&report, "tls").0, "fail");
    let (v, fix) = verdict(&report, "alexa-redirects");
    assert_eq!(v, "fail", "EU and FE are missing");
    assert!(fix.contains("preset"), "{fix}");
    assert!(report.to_string().contains("not registered for EU, FE"));
    assert_eq!(verdict(&report, "token-basic").0, "pass");
    assert_eq!(verdict(&report, "token-body").0, "pass");
    assert_eq!(verdict(&report, "token-bogus-refresh").0, "pass");
    assert_eq!(verdict(&report, "alexa-scope").0, "pass", "the client allows profile");
    // The test app runs with LINKBROKER_ALEXA_VERIFY_SIGNATURE=false: a
    // well-formed, current, unsigned request gets through, and doctor says so.
    let (v, fix) = verdict(&report, "skill-endpoint");
    assert_eq!(v, "fail", "{report}");
    assert!(fix.contains("LINKBROKER_ALEXA_VERIFY_SIGNATURE=true"), "{fix}");
    assert_eq!(verdict(&report, "clock").0, "pass");
    assert_eq!(verdict(&report, "app-to-app-callback").0, "pass", "the callback URL answers with our page");
    // A wrong secret: the token endpoint says invalid_client, and doctor says
    // what that means.
    let (report, _) = doctor(args, Some("wrong-secret".into())).await;
    let (v, fix) = verdict(&report, "token-basic");
    assert_eq!(v, "fail");
    assert!(fix.contains("Authentication Scheme"), "{fix}");
}

/// A CA, an intermediate and leaves for 127.0.0.1, written as PEM files.
struct Pki {
    dir: PathBuf,
}

fn ca(name: &str, issuer: Option<(&rcgen::Certificate, &KeyPair)>) -> (rcgen::Certificate, KeyPair) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = match issuer {
        Some((c, k)) => params.signed_by(&key, c, k).unwrap(),
        None => params.self_signed(&key).unwrap(),
    };
    (cert, key)
}

impl Pki {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("lb-doctor-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let (root, root_key) = ca("doctor test root", None);
        let (intermediate, intermediate_key) = ca("doctor test intermediate", Some((&root, &root_key)));
        let leaf = |expired: bool, soon: bool| {
            let key = KeyPair::generate().unwrap();
            let mut params = CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
            if expired {
                params.not_before = rcgen::date_time_ymd(2019, 1, 1);
                params.not_after = rcgen::date_time_ymd(2020, 1, 1);
            }
            if soon {
                // Ten days from now.
                let (y, m, d, _) = linkbroker::clock::civil_from_unix(linkbroker::clock::now() + 10 * 86_400);
                params.not_after = rcgen::date_time_ymd(y as i32, m as u8, d as u8);
            }
            (params.signed_by(&key, &intermediate, &intermediate_key).unwrap(), key)
        };
        let write = |name: &str, text: String| std::fs::write(dir.join(name), text).unwrap();
        write("root.pem", root.pem());
        let (good, good_key) = leaf(false, false);
        write("full.pem", format!("{}{}", good.pem(), intermediate.pem()));
        write("leaf-only.pem", good.pem());
        write("good.key", good_key.serialize_pem());
        let (old, old_key) = leaf(true, false);
        write("expired.pem", format!("{}{}", old.pem(), intermediate.pem()));
        write("expired.key", old_key.serialize_pem());
        let (soon, soon_key) = leaf(false, true);
        write("soon.pem", format!("{}{}", soon.pem(), intermediate.pem()));
        write("soon.key", soon_key.serialize_pem());
        Self { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn https_app(pki: &Pki, cert: &str, key: &str) -> Option<(TestApp, String)> {
    let (cert, key) = (pki.path(cert), pki.path(key));
    let app = spawn_app_with(Backend::Sqlite, &[("LINKBROKER_TLS_CERT", &cert), ("LINKBROKER_TLS_KEY", &key)]).await?;
    let url = app.base.replace("http://", "https://");
    Some((app, url))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_tls_doctor_checks_the_chain_and_the_port() {
    let pki = Pki::new();
    let root = pki.path("root.pem");
    let Some((_app, url)) = https_app(&pki, "full.pem", "good.key").await else { return };
    let (report, ok) = doctor(vec![url.clone(), "--ca-file".into(), root.clone()], None).await;
    assert_eq!(verdict(&report, "tls").0, "pass", "{report}");
    assert_eq!(verdict(&report, "port").0, "warn", "not 443");
    assert_eq!(verdict(&report, "metadata").0, "pass", "{report}");
    assert!(!ok, "a private CA fails: {report}");
    // It verifies only with --ca-file: a private CA, which Alexa refuses.
    let (v, fix) = verdict(&report, "tls-public-ca");
    assert_eq!(v, "fail", "{report}");
    assert!(fix.contains("public CA"), "{fix}");
    // Without the test root the chain is unknown.
    let (report, ok) = doctor(vec![url], None).await;
    assert_eq!(verdict(&report, "tls").0, "fail");
    assert!(!ok);

    // The leaf without its intermediate.
    let Some((_app, url)) = https_app(&pki, "leaf-only.pem", "good.key").await else { return };
    let (report, _) = doctor(vec![url, "--ca-file".into(), root.clone()], None).await;
    let (v, fix) = verdict(&report, "tls");
    assert_eq!(v, "fail");
    assert!(fix.contains("intermediates"), "{report}");

    // An expired certificate.
    let Some((_app, url)) = https_app(&pki, "expired.pem", "expired.key").await else { return };
    let (report, _) = doctor(vec![url, "--ca-file".into(), root.clone()], None).await;
    let (v, fix) = verdict(&report, "tls");
    assert_eq!(v, "fail");
    assert!(fix.contains("Renew"), "{report}");

    // A certificate with ten days left: a warning that asks for renewal.
    let Some((_app, url)) = https_app(&pki, "soon.pem", "soon.key").await else { return };
    let (report, ok) = doctor(vec![url, "--ca-file".into(), pki.path("root.pem")], None).await;
    let (v, fix) = verdict(&report, "tls");
    assert_eq!(v, "warn", "{report}");
    assert!(fix.contains("Renew") && !ok, "{report}");
}

/// A token endpoint slower than 2 s (Alexa allows 4.5 s): a warning. The
/// server here is a stand-in that answers like linkbroker, only slowly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_token_endpoint_is_a_warning() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("GET"))
        .and(path("/.well-known/oauth-authorization-server"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "issuer": base, "authorization_endpoint": format!("{base}/oauth/authorize"),
            "token_endpoint": format!("{base}/oauth/token")
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("cache-control", "no-store")
                .set_body_json(serde_json::json!({ "error": "invalid_grant" }))
                .set_delay(std::time::Duration::from_millis(2600)),
        )
        .mount(&server)
        .await;
    let args = vec![base, "--client-id".into(), "c".into(), "--client-secret-stdin".into()];
    let (report, _) = doctor(args, Some("s".into())).await;
    let (v, fix) = verdict(&report, "token-basic");
    // 2.6 s is a warning; a machine slow enough to push it past 4.5 s makes
    // it a failure, which is slower still, never a pass.
    assert!(v == "warn" || v == "fail", "{report}");
    assert!(fix.contains("4.5 s"), "{fix}");
}

/// With signature verification on, a well-formed, current, unsigned
/// request is refused: the pass verdict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_skill_endpoint_passes_when_it_refuses_unsigned_requests() {
    let Some(app) = spawn_app_with(Backend::Sqlite, &[("LINKBROKER_ALEXA_VERIFY_SIGNATURE", "true")]).await else {
        return;
    };
    let (report, _) = doctor(vec![app.base.clone()], None).await;
    assert_eq!(verdict(&report, "skill-endpoint").0, "pass", "{report}");
}

/// A client that refuses the scope the Alexa console sends makes every
/// linking fail: doctor sends Alexa's request, with `--scope` or `profile`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_refuses_alexas_scope_fails() {
    let Some(app) = spawn_app(Backend::Sqlite).await else { return };
    let client = app.client(&["orders"], false, linkbroker::domain::TokenFormat::Opaque).await;
    let args = |scope: Option<&str>| {
        let mut a = vec![
            app.base.clone(),
            "--client-id".into(),
            client.id.clone(),
            "--vendor-id".into(),
            "M2EXAMPLEVENDOR".into(),
        ];
        if let Some(s) = scope {
            a.extend(["--scope".to_string(), s.to_string()]);
        }
        a
    };
    let (report, ok) = doctor(args(None), None).await;
    let (v, fix) = verdict(&report, "alexa-scope");
    assert_eq!(v, "fail", "profile is refused: {report}");
    assert!(fix.contains("--scope") && !ok, "{fix}");
    let (report, _) = doctor(args(Some("orders")), None).await;
    assert_eq!(verdict(&report, "alexa-scope").0, "pass", "{report}");
}

/// Nothing listens on the port: doctor says it cannot connect.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_port_says_cannot_connect() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (report, ok) = doctor(vec![format!("http://127.0.0.1:{port}")], None).await;
    let (v, fix) = verdict(&report, "connect");
    assert_eq!(v, "fail", "{report}");
    assert!(report.to_string().contains("cannot connect") && fix.contains("Start linkbroker") && !ok);
    // A live server has no such line.
    let Some(app) = spawn_app(Backend::Sqlite).await else { return };
    let (report, _) = doctor(vec![app.base.clone()], None).await;
    assert!(report["checks"].as_array().unwrap().iter().all(|c| c["name"] != "connect"), "{report}");
}

/// A server that is not linkbroker: a huge metadata body and a nonsense
/// Date header get verdicts, not a crash or a pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_body_and_a_nonsense_date_are_refused() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    let huge = format!("{{\"issuer\": \"{}\", \"pad\": \"{}\"}}", server.uri(), "x".repeat(20 * 1024 * 1024));
    Mock::given(method("GET"))
        .and(path("/.well-known/oauth-authorization-server"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(huge, "application/json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/healthz"))
        .respond_with(ResponseTemplate::new(200).insert_header("date", "Thu, 01 Jan 99999999999999999999 10:00:00 GMT"))
        .mount(&server)
        .await;
    let (report, ok) = doctor(vec![server.uri()], None).await;
    let metadata = report["checks"].as_array().unwrap().iter().find(|c| c["name"] == "metadata").unwrap().clone();
    assert_eq!(metadata["verdict"], "fail");
    assert!(metadata["seen"].as_str().unwrap().contains("larger than 64 KB"), "{metadata}");
    let clock = report["checks"].as_array().unwrap().iter().find(|c| c["name"] == "clock").unwrap().clone();
    assert_eq!(clock["verdict"], "warn", "a nonsense date is not a pass: {clock}");
    let (v, fix) = verdict(&report, "app-to-app-callback");
    assert_eq!(v, "fail", "a 404 at the app-to-app callback URL");
    assert!(fix.contains("/account/"), "{fix}");
    assert!(!ok);
}

/// At a terminal, `--client-secret-stdin` asks for the secret instead of
/// waiting silently (run under `script`, which gives it a terminal).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secret_is_prompted_for_at_a_terminal() {
    if std::process::Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED: `script` (util-linux) is not installed");
        return;
    }
    let Some(app) = spawn_app(Backend::Sqlite).await else { return };
    let client = app.alexa_client().await;
    let command = format!(
        "{} doctor {} --client-id {} --client-secret-stdin",
        env!("CARGO_BIN_EXE_linkbroker"),
        app.base,
        client.id
    );
    let secret = client.secret.clone();
    // Without a prompt doctor would wait forever: fail instead of hanging.
    let session = tokio::task::spawn_blocking(move || {
        let mut child = std::process::Command::new("script")
            .args(["-q", "-e", "-c", &command, "/dev/null"])
            .env("LINKBROKER_LOG", "warn")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::{Read, Write};
        // Typed once the prompt shows (what is typed ahead, the terminal
        // echoes before anyone can turn echo off); stdin stays open until
        // doctor is done (script ends the session at end of input).
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&seen).contains("Client secret (input hidden):") {
            let n = stdout.read(&mut buf).unwrap();
            assert!(n > 0, "doctor ended without a prompt: {}", String::from_utf8_lossy(&seen));
            seen.extend_from_slice(&buf[..n]);
        }
        stdin.write_all(format!("{secret}\n").as_bytes()).unwrap();
        stdout.read_to_end(&mut seen).unwrap();
        child.wait().unwrap();
        String::from_utf8_lossy(&seen).into_owned()
    });
    let out = tokio::time::timeout(std::time::Duration::from_secs(120), session)
        .await
        .expect("doctor prompts for the secret instead of waiting silently")
        .unwrap();
    assert!(out.contains("Client secret (input hidden):"), "a prompt: {out}");
    assert!(out.contains("token-basic") && out.contains("400 invalid_grant"), "the typed secret was used: {out}");
    assert!(!out.contains(&client.secret), "and not echoed: {out}");
}
