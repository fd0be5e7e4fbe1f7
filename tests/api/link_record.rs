//! One record per link (README "Refresh tokens", rules 5 and 6, and
//! constant storage): days may pass between a rotation and its retry, a
//! changed server key never revokes, and refreshing adds no rows.

use linkbroker::domain::TokenFormat;
use linkbroker::settings::Settings;
use linkbroker::startup::{Application, Options};

use crate::both_backends;
use crate::helpers::{app_env, spawn_app, Backend, TestApp};

both_backends!(
    a_lost_response_is_retried_days_later_across_housekeeping,
    a_rotated_token_answers_its_unused_successor_for_as_long_as_the_link_lives,
    a_changed_token_key_re_derives_instead_of_revoking,
    serve_refuses_to_start_when_links_exist_but_the_token_key_is_missing,
    a_thousand_refreshes_leave_every_table_row_count_unchanged,
    a_forged_token_naming_a_real_link_revokes_nothing,
    no_part_of_a_token_that_is_not_secret_is_a_bearer_token,
    a_tampered_access_token_is_refused,
);

const DAY: i64 = 86_400;

async fn raw_pool(app: &TestApp) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(&app.database_url).await.unwrap()
}

/// Every application table with its row count.
async fn row_counts(app: &TestApp) -> Vec<(String, i64)> {
    let pool = raw_pool(app).await;
    let tables_sql = if app.database_url.starts_with("sqlite:") {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' \
         ORDER BY name"
    } else {
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
         AND table_type = 'BASE TABLE' AND table_name NOT LIKE '_sqlx%' ORDER BY table_name"
    };
    let tables: Vec<(String,)> = sqlx::query_as(tables_sql).fetch_all(&pool).await.unwrap();
    let mut counts = Vec::new();
    for (table,) in tables {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&pool).await.unwrap();
        counts.push((table, n));
    }
    pool.close().await;
    counts
}

async fn housekeeping(app: &TestApp) {
    let settings = Settings::from_sources(None, Default::default()).unwrap();
    linkbroker::housekeeping::run_once(&app.store, &settings, app.clock.now()).await.unwrap();
}

fn token(v: &serde_json::Value, field: &str) -> String {
    v[field].as_str().unwrap().to_string()
}

async fn a_lost_response_is_retried_days_later_across_housekeeping(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, first) = app.linked().await;
    let t0 = token(&first, "refresh_token");
    let (status, lost) = app.refresh(&client, &t0).await;
    assert_eq!(status, 200);

    // The response with T1 never reached Alexa; it comes back with T0 when
    // the user next talks to the skill.
    app.clock.advance(3 * DAY);
    housekeeping(&app).await;
    let (status, retried) = app.refresh(&client, &t0).await;
    assert_eq!(status, 200, "rule 5: an unused successor answers its retry however late: {retried}");
    assert_eq!(retried["refresh_token"], lost["refresh_token"], "the same successor");
    assert_eq!(app.userinfo(&token(&retried, "access_token")).await.0, 200);
    let (status, _) = app.refresh(&client, &token(&retried, "refresh_token")).await;
    assert_eq!(status, 200, "and the chain continues");
}

async fn a_rotated_token_answers_its_unused_successor_for_as_long_as_the_link_lives(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, first) = app.linked().await;
    let t0 = token(&first, "refresh_token");
    let (_, lost) = app.refresh(&client, &t0).await;
    app.clock.advance(300 * DAY);
    housekeeping(&app).await;
    let (status, retried) = app.refresh(&client, &t0).await;
    assert_eq!(status, 200, "300 days is inside the one-year inactivity TTL: {retried}");
    assert_eq!(retried["refresh_token"], lost["refresh_token"]);

    // Past the inactivity TTL the link is truly dead: invalid_grant, audited nowhere as theft.
    app.clock.advance(366 * DAY);
    let (status, body) = app.refresh(&client, &t0).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    assert!(!app.audit_actions().await.contains(&"refresh_reuse_detected".to_string()));
}

async fn a_changed_token_key_re_derives_instead_of_revoking(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, first) = app.linked().await;
    let t0 = token(&first, "refresh_token");
    let (_, lost) = app.refresh(&client, &t0).await;

    // A restore brought back another key: every new instance derives differently.
    let now = app.clock.now();
    app.store
        .replace_server_secret(linkbroker::startup::SUCCESSOR_KEY, "a-different-key-from-a-restore", now)
        .await
        .unwrap();
    let other = app.spawn_sibling().await;
    let (status, retried) = other.refresh(&client, &t0).await;
    assert_eq!(status, 200, "rule 6: a key problem is never the user's fault: {retried}");
    assert_ne!(retried["refresh_token"], lost["refresh_token"], "re-derived under the current key");
    assert!(!app.audit_actions().await.contains(&"refresh_reuse_detected".to_string()), "no false theft alarm");
    let (status, again) = other.refresh(&client, &t0).await;
    assert_eq!((status, &again["refresh_token"]), (200, &retried["refresh_token"]), "and retries converge on it");
    assert_eq!(other.userinfo(&token(&retried, "access_token")).await.0, 200);
    // The original successor may have reached the client in a parallel
    // response before the key changed: it must still rotate, not unlink.
    let (status, next) = other.refresh(&client, &token(&lost, "refresh_token")).await;
    assert_eq!(status, 200, "the originally delivered successor still works: {next}");
    let (status, _) = other.refresh(&client, &token(&next, "refresh_token")).await;
    assert_eq!(status, 200, "and the chain continues");
    assert!(!app.audit_actions().await.contains(&"refresh_reuse_detected".to_string()));
}

async fn serve_refuses_to_start_when_links_exist_but_the_token_key_is_missing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let build = || async {
        let vars = app_env(&app.lwa.uri(), &app.database_url, &[]);
        Application::build(Settings::from_sources(None, vars).unwrap(), Options::default()).await
    };
    let pool = raw_pool(&app).await;
    sqlx::query("DELETE FROM server_secrets").execute(&pool).await.unwrap();
    assert!(build().await.is_ok(), "no links yet: a new key is simply made");

    let (client, first) = app.linked().await;
    sqlx::query("DELETE FROM server_secrets").execute(&pool).await.unwrap();
    let error = build().await.err().expect("a lost key with live links stops startup").to_string();
    assert!(error.contains("refresh_successor_key") && error.contains("Restore"), "{error}");
    let (status, _) = app.refresh(&client, &token(&first, "refresh_token")).await;
    assert_eq!(status, 200, "the running instance keeps its key in memory; nothing was revoked");
}

async fn a_thousand_refreshes_leave_every_table_row_count_unchanged(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, first) = app.linked().await;
    let (_, mut tokens) = app.refresh(&client, &token(&first, "refresh_token")).await;
    let before = row_counts(&app).await;
    for _ in 0..1000 {
        let (status, next) = app.refresh(&client, &token(&tokens, "refresh_token")).await;
        assert_eq!(status, 200, "{next}");
        tokens = next;
    }
    assert_eq!(row_counts(&app).await, before, "storage per link is constant");
    assert_eq!(app.userinfo(&token(&tokens, "access_token")).await.0, 200);
}

async fn a_forged_token_naming_a_real_link_revokes_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, first) = app.linked().await;
    let t0 = token(&first, "refresh_token");
    let link = t0.split('.').next().unwrap();
    let (_, t1) = app.refresh(&client, &t0).await;
    let (_, t2) = app.refresh(&client, &token(&t1, "refresh_token")).await;
    for generation in [0, 1, 2, 3, 99] {
        let forged = format!("{link}.{generation}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        let (status, body) = app.refresh(&client, &forged).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{generation}: {body}");
        let (status, _) = app
            .api
            .post(app.url("/oauth/revoke"))
            .basic_auth(&client.id, Some(&client.secret))
            .form(&[("token", forged.as_str())])
            .send()
            .await
            .map(|r| (r.status().as_u16(), ()))
            .unwrap();
        assert_eq!(status, 200, "RFC 7009: quiet");
    }
    let (status, t3) = app.refresh(&client, &token(&t2, "refresh_token")).await;
    assert_eq!(status, 200, "a link id is not a secret: nothing was revoked: {t3}");
    assert!(!app.audit_actions().await.contains(&"refresh_reuse_detected".to_string()));
}

async fn no_part_of_a_token_that_is_not_secret_is_a_bearer_token(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.client(&["profile"], false, TokenFormat::Jwt).await;
    let code = app.code_for(&client).await;
    let (_, tokens) = app.exchange(&client, &code).await;
    let jwt = token(&tokens, "access_token");
    assert_eq!(app.userinfo(&jwt).await.0, 200);
    let payload = jwt.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let jti = claims["jti"].as_str().unwrap();
    let lid = claims["lid"].as_str().unwrap();
    let refresh = token(&tokens, "refresh_token");
    for not_a_credential in [jti, lid, refresh.as_str(), payload] {
        assert_eq!(app.userinfo(not_a_credential).await.0, 401, "{not_a_credential}");
    }
}

async fn a_tampered_access_token_is_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (_, first) = app.linked().await;
    let access = token(&first, "access_token");
    assert_eq!(app.userinfo(&access).await.0, 200);
    let parts: Vec<&str> = access.split('.').collect();
    assert_eq!(parts.len(), 4, "<link>.<generation>.<expiry>.<mac>: {access}");
    let longer = format!("{}.{}.{}.{}", parts[0], parts[1], parts[2].parse::<i64>().unwrap() + 86_400, parts[3]);
    assert_eq!(app.userinfo(&longer).await.0, 401, "the expiry is under the MAC");
    app.clock.advance(3601);
    assert_eq!(app.userinfo(&access).await.0, 401, "and it is enforced");
}
