//! `serve` warns loudly when `/alexa` would accept unsigned requests.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// Runs `serve --dev` until it logs `listening on`, then stops it; returns
/// everything it logged up to then.
fn startup_log(verify_signature: Option<&str>) -> String {
    let dir = std::env::temp_dir().join(format!("lb-startup-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_linkbroker"));
    cmd.args(["serve", "--dev"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LINKBROKER_DATABASE_URL", format!("sqlite://{}/lb.db", dir.display()))
        .env("LINKBROKER_BIND", "127.0.0.1:0")
        .env("LINKBROKER_LOG", "warn,linkbroker=info")
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(v) = verify_signature {
        cmd.env("LINKBROKER_ALEXA_VERIFY_SIGNATURE", v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut log = String::new();
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        log.push_str(&line);
        log.push('\n');
        if line.contains("listening on") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(log.contains("listening on"), "serve did not start:\n{log}");
    log
}

#[test]
fn serve_warns_loudly_when_alexa_signatures_are_not_verified() {
    let log = startup_log(Some("false"));
    assert!(log.contains("WARN"), "{log}");
    assert!(log.contains("LINKBROKER_ALEXA_VERIFY_SIGNATURE=false"), "{log}");
    assert!(log.contains("UNSIGNED"), "{log}");
}

#[test]
fn serve_does_not_warn_when_alexa_signatures_are_verified() {
    let log = startup_log(None);
    assert!(!log.contains("LINKBROKER_ALEXA_VERIFY_SIGNATURE"), "{log}");
}
