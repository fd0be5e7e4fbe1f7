//! Upgrades: a database written by the first release (schema 0001, plus the
//! data in `fixtures/release_0001.sql`) is migrated by this build and its
//! link keeps working. Every later migration runs on top of real rows here,
//! not only on an empty database.

use std::path::PathBuf;

use sqlx::migrate::Migrator;

use crate::both_backends;
use crate::helpers::{fresh_database, spawn_app_with, Backend, Client};

both_backends!(
    a_first_release_database_upgrades_and_keeps_its_link,
    a_link_caught_mid_rotation_keeps_both_tokens_across_the_one_record_upgrade,
);

const FIXTURE: &str = include_str!("fixtures/release_0001.sql");
const CLIENT_ID: &str = "lb-fixture0001";
const CLIENT_SECRET: &str = "fixture-client-secret-0001-Qm9vdHN0cmFwUmVsZWFzZQ";
const REFRESH_TOKEN: &str = "fixture-refresh-token-0001-UmVmcmVzaFRva2VuUmVsZWFzZQ";
const ACCESS_TOKEN: &str = "fixture-access-token-0001-QWNjZXNzVG9rZW5SZWxlYXNl";

/// Applies the migrations of `backend` numbered up to `last`, as the
/// release that shipped them did.
async fn schema_up_to(backend: Backend, url: &str, last: u32) -> sqlx::AnyPool {
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let dir = std::env::temp_dir().join(format!("lb-m{last:04}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let source: PathBuf = [env!("CARGO_MANIFEST_DIR"), "migrations", folder].iter().collect();
    for entry in std::fs::read_dir(&source).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name[..4].parse::<u32>().unwrap() <= last {
            std::fs::copy(source.join(&name), dir.join(&name)).unwrap();
        }
    }
    let url = if backend == Backend::Sqlite { format!("{url}?mode=rwc") } else { url.to_string() };
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    Migrator::new(dir.as_path()).await.unwrap().run(&pool).await.unwrap();
    std::fs::remove_dir_all(dir).ok();
    pool
}

async fn load_fixture(pool: &sqlx::AnyPool) {
    for statement in FIXTURE.split(";\n").filter(|s| s.lines().any(|l| !l.trim().is_empty() && !l.starts_with("--"))) {
        sqlx::query(statement).execute(pool).await.unwrap_or_else(|e| panic!("{e}: {statement}"));
    }
}

async fn a_first_release_database_upgrades_and_keeps_its_link(backend: Backend) {
    let Some((url, _dir)) = fresh_database(backend).await else { return };
    let pool = schema_up_to(backend, &url, 1).await;
    load_fixture(&pool).await;
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

/// What the release before the one-record schema derived: `base64url(HMAC(
/// HMAC(server secret, "refresh-successor"), T))`, computed here from
/// first principles so the test does not trust the code it checks.
fn first_schema_successor(server_secret: &str, token: &str) -> String {
    use base64::Engine;
    use ring::hmac;
    let master = hmac::Key::new(hmac::HMAC_SHA256, server_secret.as_bytes());
    let key = hmac::Key::new(hmac::HMAC_SHA256, hmac::sign(&master, b"refresh-successor").as_ref());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hmac::sign(&key, token.as_bytes()).as_ref())
}

fn sha256(v: &str) -> String {
    linkbroker::domain::TokenHash::of(v).as_str().to_string()
}

async fn a_link_caught_mid_rotation_keeps_both_tokens_across_the_one_record_upgrade(backend: Backend) {
    let Some((url, _dir)) = fresh_database(backend).await else { return };
    let pool = schema_up_to(backend, &url, 4).await;
    load_fixture(&pool).await;
    // The release before 0005 rotated T to S (S unused: its response was
    // lost) and left an access token of S's refresh.
    let secret = "fixture-server-secret-0001-U2VydmVyU2VjcmV0UmVsZWFzZQ";
    let t = "mid-rotation-old-token-0004-T2xkVG9rZW5CZWZvcmVVcGdyYWRl";
    let s = first_schema_successor(secret, t);
    let access = "mid-rotation-access-token-0004-QWNjZXNzQWZ0ZXJSb3RhdGU";
    let now = linkbroker::clock::now();
    sqlx::query(
        "INSERT INTO grants (id, user_id, client_id, scope, created_at, last_used_at) \
         VALUES ('grant-0004', 'user-0001', 'lb-fixture0001', 'profile', $1, $1)",
    )
    .bind(now - 600)
    .execute(&pool)
    .await
    .unwrap();
    let rows = [(sha256(t), Some(now - 60), Some(sha256(&s))), (sha256(&s), None, None)];
    for (hash, rotated_at, successor) in rows {
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, grant_id, created_at, expires_at, rotated_at, successor_hash) \
             VALUES ($1, 'grant-0004', $2, $3, $4, $5)",
        )
        .bind(hash)
        .bind(now - 600)
        .bind(now + 31_536_000)
        .bind(rotated_at)
        .bind(successor)
        .execute(&pool)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO access_tokens (token_hash, grant_id, scope, created_at, expires_at) \
         VALUES ($1, 'grant-0004', 'profile', $2, $3)",
    )
    .bind(sha256(access))
    .bind(now - 60)
    .bind(now + 3000)
    .execute(&pool)
    .await
    .unwrap();
    // A JWT client's access token: the old schema stored the hash of its
    // jti, which anyone can read in the JWT.
    let jti = "first-schema-jwt-id-0004-SnRpSXNOb3RBQ3JlZGVudGlhbA";
    for sql in [
        "INSERT INTO clients (id, name, secret_hash, scopes, skip_consent, token_format, created_at, updated_at) \
         VALUES ('lb-jwt0004', 'JWT skill', 'x', 'profile', 0, 'jwt', 1700000000, 1700000000)",
        "INSERT INTO grants (id, user_id, client_id, scope, created_at, last_used_at) \
         VALUES ('grant-jwt-0004', 'user-0001', 'lb-jwt0004', 'profile', 1700000000, 1700000000)",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    sqlx::query(
        "INSERT INTO access_tokens (token_hash, grant_id, scope, created_at, expires_at) \
         VALUES ($1, 'grant-jwt-0004', 'profile', $2, $3)",
    )
    .bind(sha256(jti))
    .bind(now - 60)
    .bind(now + 3000)
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    let app = spawn_app_with(backend, &[("LINKBROKER_DATABASE_URL", &url)]).await.unwrap();
    let client = Client { id: CLIENT_ID.into(), secret: CLIENT_SECRET.into() };
    assert_eq!(app.userinfo(jti).await.0, 401, "a first-schema JWT's jti is not carried over as a credential");
    assert_eq!(app.userinfo(access).await.0, 200, "an access token of the old schema still resolves");
    let (status, retried) = app.refresh(&client, t).await;
    assert_eq!(status, 200, "the old token answers its successor: {retried}");
    assert_eq!(retried["refresh_token"], s.as_str(), "the very successor the old release derived");
    let (status, next) = app.refresh(&client, &s).await;
    assert_eq!(status, 200, "the current token rotates: {next}");
    let next_token = next["refresh_token"].as_str().unwrap();
    assert!(next_token.starts_with("grant-0004."), "from here on tokens name their link: {next_token}");
    let (status, again) = app.refresh(&client, &s).await;
    assert_eq!((status, &again["refresh_token"]), (200, &next["refresh_token"]), "a retry after the upgrade converges");
    assert_eq!(app.userinfo(next["access_token"].as_str().unwrap()).await.0, 200);
    let (status, _) = app.refresh(&client, REFRESH_TOKEN).await;
    assert_eq!(status, 200, "the other link of the same database still works");
}
