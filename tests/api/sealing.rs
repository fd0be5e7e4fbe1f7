//! Secrets at rest (`LINKBROKER_SECRETS_KEY`): nothing secret is stored in
//! plain text, a key set later seals what exists on the next start, keys
//! rotate with `_PREVIOUS`, and a missing or wrong key stops startup with a
//! clear error instead of a silent new key.

use sqlx::{Connection, Row};

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use crate::smart_home_support::smart_home;

both_backends!(
    no_secret_is_stored_in_plain_text,
    a_key_set_later_seals_on_the_next_start,
    keys_rotate_with_previous_and_a_wrong_key_stops_startup,
    a_plain_value_written_around_linkbroker_is_refused,
);

const KEY_A: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const KEY_B: &str = "EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE";

/// Every value of every secret column, as stored.
async fn stored_secrets(app: &TestApp) -> Vec<String> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url).await.unwrap();
    let mut out = Vec::new();
    for sql in [
        "SELECT value FROM server_secrets",
        "SELECT private_der FROM signing_keys",
        "SELECT alexa_events_secret FROM clients WHERE alexa_events_secret IS NOT NULL",
        "SELECT refresh_token FROM alexa_grants WHERE refresh_token IS NOT NULL",
        "SELECT access_token FROM alexa_grants WHERE access_token IS NOT NULL",
    ] {
        for row in sqlx::query(sql).fetch_all(&mut conn).await.unwrap() {
            out.push(row.get::<String, _>(0));
        }
    }
    out
}

/// The plain values those columns hold, as the app reads them.
async fn plain_secrets(app: &TestApp) -> Vec<String> {
    let mut out = vec![app.store.server_secret(linkbroker::startup::SUCCESSOR_KEY).await.unwrap().unwrap()];
    out.extend(app.store.signing_keys().await.unwrap().into_iter().map(|k| k.private_der));
    out.push("events-secret-value-1234".into());
    out.push("Atzr|amazon-refresh-original".into());
    out.push("Atza|amazon-access-1".into());
    out
}

fn key_id_of(sealed: &str) -> &str {
    sealed.split(':').nth(2).unwrap_or("")
}

/// The SQLite file and its write-ahead log hold none of `plain`.
fn assert_file_holds_none(app: &TestApp, plain: &[String]) {
    let file = app.database_url.trim_start_matches("sqlite://").split('?').next().unwrap().to_string();
    let mut bytes = std::fs::read(&file).unwrap();
    bytes.extend(std::fs::read(format!("{file}-wal")).unwrap_or_default());
    let text = String::from_utf8_lossy(&bytes);
    for secret in plain {
        assert!(!text.contains(secret.as_str()), "a secret is in the database file in plain text");
    }
}

async fn no_secret_is_stored_in_plain_text(backend: Backend) {
    let Some(sh) = smart_home(backend, &[("LINKBROKER_SECRETS_KEY", KEY_A)], 3600).await else { return };
    sh.accept().await;
    let stored = stored_secrets(&sh.app).await;
    assert!(stored.len() >= 5, "every kind of secret exists: {}", stored.len());
    assert!(stored.iter().all(|v| v.starts_with("sealed:v1:")), "all sealed");
    let plain = plain_secrets(&sh.app).await;
    for secret in &plain {
        assert!(!stored.iter().any(|v| v.contains(secret.as_str())), "a secret is stored in plain text");
    }
    if backend == Backend::Sqlite {
        assert_file_holds_none(&sh.app, &plain);
    }
}

async fn a_key_set_later_seals_on_the_next_start(backend: Backend) {
    let Some(sh) = smart_home(backend, &[], 3600).await else { return };
    sh.accept().await;
    assert!(stored_secrets(&sh.app).await.iter().all(|v| !v.starts_with("sealed:")), "no key: plain, as before");
    // The next start with a key seals everything, and keeps working.
    let sealed = sh.sibling(&[("LINKBROKER_SECRETS_KEY", KEY_A)]).await;
    let stored = stored_secrets(&sealed).await;
    assert!(stored.iter().all(|v| v.starts_with("sealed:v1:")), "{stored:?}");
    if backend == Backend::Sqlite {
        assert_file_holds_none(&sealed, &plain_secrets(&sealed).await);
    }
    let (client, tokens) = (&sh.client, &sh.access_token);
    assert_eq!(sealed.userinfo(tokens).await.0, 200, "tokens issued before the key still work");
    let (status, _) = sealed.refresh(client, &sh.refresh_token).await;
    assert_eq!(status, 200, "and refreshes rotate under the sealed token key");
    // Without the key, a sealed database refuses to start.
    let err = sh.app.try_build_with(&[]).await.err().expect("no key, sealed secrets: startup stops").to_string();
    let chain = format!("{err:#}");
    assert!(chain.contains("LINKBROKER_SECRETS_KEY") || err.contains("sealed"), "{chain}");
}

async fn keys_rotate_with_previous_and_a_wrong_key_stops_startup(backend: Backend) {
    let Some(sh) = smart_home(backend, &[("LINKBROKER_SECRETS_KEY", KEY_A)], 3600).await else { return };
    sh.accept().await;
    let old_ids: Vec<String> = stored_secrets(&sh.app).await.iter().map(|v| key_id_of(v).to_string()).collect();
    // A wrong key alone: a clear error, and nothing regenerated.
    let before = stored_secrets(&sh.app).await;
    let err = match sh.app.try_build_with(&[("LINKBROKER_SECRETS_KEY", KEY_B)]).await {
        Ok(_) => panic!("a wrong key must stop startup"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("LINKBROKER_SECRETS_KEY_PREVIOUS"), "says what to set: {err}");
    assert_eq!(stored_secrets(&sh.app).await, before, "nothing was rewritten or regenerated");
    // The new key with the old one as previous: resealed under the new key.
    let rotated = sh.sibling(&[("LINKBROKER_SECRETS_KEY", KEY_B), ("LINKBROKER_SECRETS_KEY_PREVIOUS", KEY_A)]).await;
    let new_ids: Vec<String> = stored_secrets(&rotated).await.iter().map(|v| key_id_of(v).to_string()).collect();
    assert!(new_ids.iter().all(|id| !old_ids.contains(id)), "every secret resealed under the new key");
    assert_eq!(rotated.userinfo(&sh.access_token).await.0, 200);
    // From now on the new key alone is enough.
    let alone = sh.sibling(&[("LINKBROKER_SECRETS_KEY", KEY_B)]).await;
    assert_eq!(alone.userinfo(&sh.access_token).await.0, 200);
    assert_eq!(sh.event_on(&alone).await, 202, "the Amazon grant opens under the new key");
}

/// With a key, startup seals everything; a plain value found later can only
/// have been written around linkbroker (a downgrade by whoever can write
/// the database), so it is refused instead of trusted.
async fn a_plain_value_written_around_linkbroker_is_refused(backend: Backend) {
    let Some(sh) = smart_home(backend, &[("LINKBROKER_SECRETS_KEY", KEY_A)], 3600).await else { return };
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&sh.app.database_url).await.unwrap();
    sqlx::query("UPDATE clients SET alexa_events_secret = 'attacker-chosen' WHERE id = $1")
        .bind(&sh.client.id)
        .execute(&mut conn)
        .await
        .unwrap();
    let (status, answer) = sh.relay(&crate::smart_home_support::accept_grant("grant-code-1", &sh.access_token)).await;
    assert_eq!(status, 200);
    assert_eq!(answer["event"]["payload"]["type"], "ACCEPT_GRANT_FAILED", "{answer}");
    assert!(answer["event"]["payload"]["message"].as_str().unwrap().contains("secret"), "{answer}");
    assert_eq!(sh.amazon_calls("grant_type=authorization_code").await, 0, "the plain secret was never used");
}
