//! Upgrades: a database written by the first release (schema 0001, plus the
//! data in `fixtures/release_0001.sql`) is migrated by this build and its
//! link keeps working. Every later migration runs on top of real rows here,
//! not only on an empty database.

use std::path::PathBuf;

use sqlx::migrate::Migrator;

use crate::both_backends;
use crate::helpers::{fresh_database, spawn_app_with, Backend, Client};

both_backends!(a_first_release_database_upgrades_and_keeps_its_link);

const FIXTURE: &str = include_str!("fixtures/release_0001.sql");
const CLIENT_ID: &str = "lb-fixture0001";
const CLIENT_SECRET: &str = "fixture-client-secret-0001-Qm9vdHN0cmFwUmVsZWFzZQ";
const REFRESH_TOKEN: &str = "fixture-refresh-token-0001-UmVmcmVzaFRva2VuUmVsZWFzZQ";
const ACCESS_TOKEN: &str = "fixture-access-token-0001-QWNjZXNzVG9rZW5SZWxlYXNl";

/// Applies only migration 0001 of `backend`, as the first release did.
async fn first_release_schema(backend: Backend, url: &str) -> sqlx::AnyPool {
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let only_first = std::env::temp_dir().join(format!("lb-m0001-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&only_first).unwrap();
    let source: PathBuf = [env!("CARGO_MANIFEST_DIR"), "migrations", folder, "0001_initial.sql"].iter().collect();
    std::fs::copy(&source, only_first.join("0001_initial.sql")).unwrap();
    let url = if backend == Backend::Sqlite { format!("{url}?mode=rwc") } else { url.to_string() };
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    Migrator::new(only_first.as_path()).await.unwrap().run(&pool).await.unwrap();
    std::fs::remove_dir_all(only_first).ok();
    pool
}

async fn a_first_release_database_upgrades_and_keeps_its_link(backend: Backend) {
    let Some((url, _dir)) = fresh_database(backend).await else { return };
    let pool = first_release_schema(backend, &url).await;
    for statement in FIXTURE.split(";\n").filter(|s| s.lines().any(|l| !l.trim().is_empty() && !l.starts_with("--"))) {
        sqlx::query(statement).execute(&pool).await.unwrap_or_else(|e| panic!("{e}: {statement}"));
    }
    pool.close().await;

    // This build applies every migration after 0001 at startup.
    let app = spawn_app_with(backend, &[("LINKBROKER_DATABASE_URL", &url)]).await.unwrap();
    let client = Client { id: CLIENT_ID.into(), secret: CLIENT_SECRET.into() };
    let (status, me) = app.userinfo(ACCESS_TOKEN).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["permissions"], serde_json::json!(["rides:order"]));
    let (status, next) = app.refresh(&client, REFRESH_TOKEN).await;
    assert_eq!(status, 200, "the old release's refresh token still works: {next}");
    let (status, again) = app.refresh(&client, REFRESH_TOKEN).await;
    assert_eq!(status, 200);
    assert_eq!(again["refresh_token"], next["refresh_token"], "the stored server secret is still used");
    assert_eq!(app.userinfo(next["access_token"].as_str().unwrap()).await.0, 200);
}
