//! `linkbroker migrate-data`: a live SQLite deployment moved to Postgres
//! keeps every link working, down to the successor a retried refresh gets.

use std::process::{Command, Output, Stdio};

use linkbroker::domain::Permission;

use crate::helpers::{fresh_database, spawn_app, spawn_app_with, Backend};

fn migrate_data(from: &str, to: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_linkbroker"))
        .args(["migrate-data", "--from", from, "--to", to])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LINKBROKER_LOG", "warn")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_to_postgres_keeps_every_link_working() {
    let Some(old) = spawn_app(Backend::Sqlite).await else { return };
    let (client, first) = old.linked().await;
    let (status, second) = old.refresh(&client, first["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let user = old.store.list_users().await.unwrap().remove(0);
    old.store.grant_permission(&user.id, &Permission::parse("rides:order").unwrap(), 0).await.unwrap();
    let Some((postgres, _)) = fresh_database(Backend::Postgres).await else { return };

    let out = migrate_data(&old.database_url, &postgres);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("counts verified"), "{stdout}");
    for table in ["users", "clients", "grants", "server_secrets", "signing_keys", "audit_log"] {
        assert!(stdout.lines().any(|l| l.starts_with(table)), "{table} was not copied:\n{stdout}");
    }

    let new = spawn_app_with(Backend::Postgres, &[("LINKBROKER_DATABASE_URL", &postgres)]).await.unwrap();
    let (status, retried) = new.refresh(&client, first["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{retried}");
    assert_eq!(retried["refresh_token"], second["refresh_token"], "the server secret moved with the data");
    let (status, me) = new.userinfo(second["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["permissions"], serde_json::json!(["rides:order"]));
    assert_eq!(new.refresh(&client, second["refresh_token"].as_str().unwrap()).await.0, 200);

    let again = migrate_data(&old.database_url, &postgres);
    assert!(!again.status.success(), "a second copy must not merge into a used database");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds data"));
}

#[test]
fn migrate_data_refuses_bad_urls() {
    let out = migrate_data("mysql://x", "postgres://y");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--from"));
    let out = migrate_data("sqlite://same.db", "sqlite://same.db");
    assert!(String::from_utf8_lossy(&out.stderr).contains("same database"));
}
