//! `serve --dev`: the development identity provider and its guard rails.

use std::collections::BTreeMap;

use linkbroker::settings::Settings;
use linkbroker::startup::{Application, Options};

use crate::helpers::{browser, location, query_param, DevApp};

#[tokio::test]
async fn dev_login_links_an_account_end_to_end() {
    let app = DevApp::spawn().await;
    let (base, redirect) = (app.base.clone(), app.redirect.clone());
    let id = app.client("Demo", true).await;
    let b = browser();
    let query = serde_urlencoded::to_string([
        ("response_type", "code"),
        ("client_id", id.as_str()),
        ("redirect_uri", redirect.as_str()),
        ("state", "s"),
    ])
    .unwrap();
    let r = b.get(format!("{base}/oauth/authorize?{query}")).send().await.unwrap();
    let to = location(&r).unwrap();
    assert!(to.starts_with(&format!("{base}/dev/login")), "{to}");
    let handoff = r.text().await.unwrap();
    assert!(handoff.contains("development sign-in") && !handoff.contains("Amazon"), "{handoff}");
    let page = b.get(&to).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("DEVELOPMENT ONLY"));
    let state = query_param(&to, "state").unwrap();
    let r = b
        .post(format!("{base}/dev/login"))
        .form(&[("state", state.as_str()), ("email", "Dev@Example.com"), ("name", "Dev Person")])
        .send()
        .await
        .unwrap();
    let done = location(&r).unwrap();
    assert!(done.starts_with(&redirect) && query_param(&done, "code").is_some(), "{done}");
    // The stand-in redirect page gives a curl that works as pasted, once
    // the secret is filled in: the real client id, the real redirect URI.
    let page = b.get(&done).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Account linked"), "{page}");
    let code = query_param(&done, "code").unwrap();
    let curl = format!(
        "curl -u &#x27;{id}:CLIENT_SECRET&#x27; {base}/oauth/token -d grant_type=authorization_code -d code={code} -d redirect_uri={redirect}"
    );
    assert!(page.contains(&curl), "{page}");
    assert_eq!(page.matches("CLIENT_SECRET").count(), 1, "the secret is the one placeholder");
}

/// After Deny (or any error) the stand-in page shows the error, not
/// "Account linked" with an empty code.
#[tokio::test]
async fn the_dev_callback_shows_errors_as_errors() {
    let app = DevApp::spawn().await;
    let b = browser();
    let r = b
        .get(format!("{}/dev/callback?error=access_denied&error_description=The+user+denied+access&state=s", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let page = r.text().await.unwrap();
    assert!(page.contains("Linking did not complete") && !page.contains("Account linked"), "{page}");
    assert!(page.contains("access_denied (The user denied access)"), "{page}");
    assert!(!page.contains("curl"), "no command for a code that does not exist");
    let r = b.get(format!("{}/dev/callback?code=made-up", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let page = r.text().await.unwrap();
    assert!(page.contains("can no longer be exchanged") && !page.contains("curl"), "{page}");
}

#[tokio::test]
async fn dev_mode_refuses_non_loopback_binds() {
    let env: BTreeMap<String, String> = [
        ("LINKBROKER_DATABASE_URL".to_string(), "sqlite://unused.db".to_string()),
        ("LINKBROKER_BIND".to_string(), "0.0.0.0:0".to_string()),
    ]
    .into();
    let err =
        Application::build(Settings::from_sources(None, env).unwrap(), Options { dev: true, ..Default::default() })
            .await
            .err()
            .unwrap();
    assert!(err.to_string().contains("loopback"), "{err}");
}

#[tokio::test]
async fn dev_mode_refuses_a_public_url_that_is_not_loopback() {
    let dir = std::env::temp_dir().join(format!("lb-dev-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let env: BTreeMap<String, String> = [
        ("LINKBROKER_DATABASE_URL".to_string(), format!("sqlite://{}/dev.db", dir.display())),
        ("LINKBROKER_BIND".to_string(), "127.0.0.1:0".to_string()),
        ("LINKBROKER_PUBLIC_URL".to_string(), "https://link.example.com".to_string()),
    ]
    .into();
    let err =
        Application::build(Settings::from_sources(None, env).unwrap(), Options { dev: true, ..Default::default() })
            .await
            .err()
            .expect("behind a proxy, --dev would serve /dev/login to the world");
    assert!(err.to_string().contains("LINKBROKER_PUBLIC_URL"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn dev_mode_refuses_a_database_with_real_sign_ins() {
    // A database where someone signed in with Login with Amazon.
    let Some(app) = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await else { return };
    app.linked().await;
    let env: BTreeMap<String, String> = [
        ("LINKBROKER_DATABASE_URL".to_string(), app.database_url.clone()),
        ("LINKBROKER_BIND".to_string(), "127.0.0.1:0".to_string()),
    ]
    .into();
    let err =
        Application::build(Settings::from_sources(None, env).unwrap(), Options { dev: true, ..Default::default() })
            .await
            .err()
            .expect("--dev would let anyone claim a real user by email");
    assert!(err.to_string().contains("real"), "{err}");
}

#[tokio::test]
async fn dev_routes_do_not_exist_outside_dev_mode() {
    let Some(app) = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await else { return };
    assert_eq!(app.api.get(app.url("/dev/login")).send().await.unwrap().status(), 404);
}

/// `serve --dev` seals its database too: it generates a key beside the
/// SQLite file (owner-only), uses it, and finds it again on the next start.
#[tokio::test]
async fn dev_mode_generates_a_secrets_key_beside_its_database() {
    let app = DevApp::spawn().await;
    let key = app.dir.path().join("lb.db.secrets-key");
    let text = std::fs::read_to_string(&key).expect("a key file beside lb.db");
    assert_eq!(linkbroker::vault::parse_key(&text).unwrap().len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert!(app.store.vault().seals(), "the dev store seals with it");
    use sqlx::Connection;
    let url = format!("sqlite://{}", app.dir.path().join("lb.db").display());
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    let (value,): (String,) = sqlx::query_as("SELECT value FROM server_secrets").fetch_one(&mut conn).await.unwrap();
    assert!(value.starts_with("sealed:v1:"), "the token key is stored sealed");
}

/// Runs `serve --dev` on `db` until it has printed the authorize URL, and
/// returns what it printed.
fn serve_dev_once(db: &std::path::Path) -> String {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_linkbroker"))
        .args(["serve", "--dev"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LINKBROKER_DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("LINKBROKER_BIND", "127.0.0.1:0")
        // One public URL across restarts, as with the default port.
        .env("LINKBROKER_PUBLIC_URL", "http://localhost:8080")
        .env("LINKBROKER_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut printed = String::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines().map_while(Result::ok) {
        printed.push_str(&line);
        printed.push('\n');
        if line.trim_start().starts_with("http://localhost:8080/oauth/authorize?") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    printed
}

/// The first start prints the demo client's secret and the admin password;
/// a restart says again what it serves (the same client, the authorize URL,
/// the admin) and how to get back in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_dev_server_says_what_it_serves() {
    let dir =
        crate::helpers::TempDir::new(std::env::temp_dir().join(format!("lb-dev-{}", uuid::Uuid::new_v4().simple())));
    std::fs::create_dir_all(dir.path()).unwrap();
    let db = dir.path().join("dev.db");
    let first = tokio::task::spawn_blocking({
        let db = db.clone();
        move || serve_dev_once(&db)
    })
    .await
    .unwrap();
    let id_line = first.lines().find(|l| l.contains("demo client id:")).unwrap_or_else(|| panic!("{first}"));
    let id = id_line.split(':').nth(1).unwrap().trim().to_string();
    assert!(first.contains("admin@example.com / "), "the first start prints the admin password: {first}");
    let again = tokio::task::spawn_blocking(move || serve_dev_once(&db)).await.unwrap();
    assert!(again.contains(&format!("demo client id: {id}")), "the same demo client: {again}");
    assert!(again.contains(&format!("client_id={id}")), "its authorize URL: {again}");
    assert!(again.contains("http://localhost:8080/admin"), "where the admin is: {again}");
    assert!(again.contains("linkbroker admin password --email admin@example.com --password-stdin"), "{again}");
    assert!(!again.contains("admin@example.com / "), "no made-up password on a restart: {again}");
}
