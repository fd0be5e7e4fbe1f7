//! The `linkbroker` binary's commands, run as a user would, against a fresh
//! database per test.

use std::process::{Command, Output, Stdio};

use crate::both_backends;
use crate::helpers::{fresh_database, Backend, TempDir};

both_backends!(
    client_commands_manage_clients,
    user_commands_manage_users,
    admin_and_keys_commands_work,
    every_management_command_is_audited,
    alexa_app_and_link_commands_work,
);

const KEY: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

struct Cli {
    database_url: String,
    _dir: Option<TempDir>,
}

impl Cli {
    async fn new(backend: Backend) -> Option<Self> {
        let (database_url, dir) = fresh_database(backend).await?;
        Some(Self { database_url, _dir: dir })
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        self.run_full(args, stdin, &[])
    }

    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.run_full(args, None, env)
    }

    fn run_full(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_linkbroker"));
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LINKBROKER_DATABASE_URL", &self.database_url)
            .env("LINKBROKER_LOG", "warn")
            // Port 8080 may be taken on a shared machine; serve must fail on LWA, not on bind.
            .env("LINKBROKER_BIND", "127.0.0.1:0")
            .envs(env.iter().copied())
            .current_dir(std::env::temp_dir())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
        let mut child = cmd.spawn().unwrap();
        if let Some(input) = stdin {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        }
        child.wait_with_output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args, None);
        assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args, None);
        assert!(!out.status.success(), "{args:?} should fail");
        String::from_utf8(out.stderr).unwrap()
    }
}

async fn client_commands_manage_clients(backend: Backend) {
    let Some(cli) = Cli::new(backend).await else { return };
    let out = cli.ok(&[
        "client",
        "add",
        "--name",
        "Skill",
        "--redirect-uri",
        "https://pitangui.amazon.com/api/skill/link/V",
        "--scope",
        "profile",
        "--consent",
        "google",
        "--json",
    ]);
    let created: serde_json::Value = serde_json::from_str(&out).expect("--json prints exactly one JSON object");
    let id = created["client_id"].as_str().unwrap().to_string();
    assert_eq!(created["client_secret"].as_str().unwrap().len(), 43);
    let list: serde_json::Value = serde_json::from_str(&cli.ok(&["client", "list", "--json"])).unwrap();
    assert_eq!(list[0]["client_id"], id.as_str());
    assert_eq!(list[0]["redirect_uris"][0], "https://pitangui.amazon.com/api/skill/link/V");
    assert_eq!(list[0]["consent"], "google");
    assert!(cli
        .fails(&["client", "add", "--name", "x", "--redirect-uri", "https://a.example/cb", "--consent", "siri"])
        .contains("alexa or google"));
    let rotated: serde_json::Value =
        serde_json::from_str(&cli.ok(&["client", "rotate-secret", &id, "--json"])).unwrap();
    assert_ne!(rotated["client_secret"], created["client_secret"]);
    assert!(cli.fails(&["client", "add", "--name", "x", "--redirect-uri", "http://evil.example/cb"]).contains("https"));
    assert!(cli
        .fails(&["client", "add", "--name", "x", "--redirect-uri", "https://a.example/#f"])
        .contains("fragment"));
    // Smart Home event credentials: the secret from stdin, write-only.
    let out = cli.run(
        &[
            "client",
            "alexa-events",
            &id,
            "--alexa-client-id",
            "amzn1.application-oa2-client.x",
            "--alexa-client-secret-stdin",
        ],
        Some("cli-events-secret\n"),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listed = cli.ok(&["client", "list", "--json"]);
    assert!(listed.contains("amzn1.application-oa2-client.x") && !listed.contains("cli-events-secret"));
    assert!(cli.fails(&["client", "alexa-events", &id, "--alexa-client-id", "x"]).contains("stdin"));
    // A command with a key on a database that is not sealed yet would write
    // values the running instances cannot open: refused.
    let keyed = cli.run_with(&["client", "rotate-secret", &id], &[("LINKBROKER_SECRETS_KEY", KEY)]);
    assert!(!keyed.status.success());
    assert!(String::from_utf8_lossy(&keyed.stderr).contains("not sealed yet"));
    cli.ok(&["client", "alexa-events", &id, "--clear"]);
    assert!(!cli.ok(&["client", "list", "--json"]).contains("amzn1.application-oa2-client.x"));
    cli.ok(&["client", "remove", &id]);
    assert!(cli.fails(&["client", "remove", &id]).contains("no client"));
}

async fn user_commands_manage_users(backend: Backend) {
    let Some(cli) = Cli::new(backend).await else { return };
    cli.ok(&["user", "add", "--email", " Bob@Example.COM ", "--name", "Bob", "--permission", "rides:order"]);
    assert!(cli.fails(&["user", "add", "--email", "bob@example.com"]).contains("already exists"));
    cli.ok(&["user", "grant", "bob@example.com", "lights:on"]);
    cli.ok(&["user", "revoke", "BOB@example.com", "rides:order"]);
    cli.ok(&["user", "disable", "bob@example.com"]);
    let users: serde_json::Value = serde_json::from_str(&cli.ok(&["user", "list", "--json"])).unwrap();
    assert_eq!(users[0]["email"], "bob@example.com");
    assert_eq!(users[0]["disabled"], true);
    assert_eq!(users[0]["permissions"], serde_json::json!(["lights:on"]));
    cli.ok(&["user", "enable", "bob@example.com"]);
    // Email verification: off by default, on with --email-verified or verify-email.
    assert_eq!(users[0]["email_verified"], false);
    assert_eq!(users[0]["identities"], serde_json::json!([]));
    cli.ok(&["user", "add", "--email", "carol@example.com", "--email-verified"]);
    assert!(cli.ok(&["user", "verify-email", "bob@example.com"]).contains("email verified"));
    assert!(cli.ok(&["user", "verify-email", "bob@example.com"]).contains("already"));
    let users: serde_json::Value = serde_json::from_str(&cli.ok(&["user", "list", "--json"])).unwrap();
    assert!(users.as_array().unwrap().iter().all(|u| u["email_verified"] == true), "{users}");
    assert!(cli.fails(&["user", "verify-email", "nobody@example.com"]).contains("no user"));
    assert!(cli.fails(&["user", "grant", "nobody@example.com", "x"]).contains("no user"));
    assert!(cli.fails(&["user", "grant", "bob@example.com", "bad permission"]).contains("permission"));
}

async fn admin_and_keys_commands_work(backend: Backend) {
    let Some(cli) = Cli::new(backend).await else { return };
    let out =
        cli.run(&["admin", "add", "--email", "root@example.com", "--password-stdin"], Some("a long enough password\n"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = cli.run(&["admin", "add", "--email", "short@example.com", "--password-stdin"], Some("short\n"));
    assert!(!out.status.success());
    let token = cli.ok(&["admin", "token", "create", "--email", "root@example.com"]);
    assert_eq!(token.trim().len(), 43, "one 256-bit token on stdout");
    assert!(cli.fails(&["admin", "token", "create", "--email", "nobody@example.com"]).contains("no admin"));
    cli.ok(&["migrate"]);
    cli.ok(&["keys", "rotate"]);
    let out = cli.run(&["serve"], None);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("LINKBROKER_LWA_CLIENT_ID"), "serve without LWA says what to set: {stderr}");
}

/// The command line's half of `doors.rs`: the same actions, the same audit
/// entries, with the `cli` actor.
async fn every_management_command_is_audited(backend: Backend) {
    let Some(cli) = Cli::new(backend).await else { return };
    let uri = "https://pitangui.amazon.com/api/skill/link/V";
    let out = cli.ok(&["client", "add", "--name", "Skill", "--redirect-uri", uri, "--json"]);
    let created: serde_json::Value = serde_json::from_str(&out).unwrap();
    let id = created["client_id"].as_str().unwrap();
    cli.ok(&["client", "rotate-secret", id]);
    cli.ok(&["client", "remove", id]);
    cli.ok(&["user", "add", "--email", "grace@example.com"]);
    cli.ok(&["user", "grant", "grace@example.com", "rides:order"]);
    cli.ok(&["user", "revoke", "grace@example.com", "rides:order"]);
    cli.ok(&["user", "disable", "grace@example.com"]);
    cli.ok(&["user", "enable", "grace@example.com"]);
    let store = linkbroker::store::Store::connect(&cli.database_url).await.unwrap();
    crate::doors::assert_audited(&store, "cli", "cli").await;
}

/// `serve --dev` seals its SQLite database with a key file it writes beside
/// it; every command finds that file the same way (and says so), and
/// without it says where it looked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_opens_the_database_serve_dev_made() {
    let dev = crate::helpers::DevApp::spawn().await;
    let key_file = dev.dir.path().join("lb.db.secrets-key");
    assert!(key_file.exists(), "serve --dev wrote its key file");
    let cli = Cli { database_url: format!("sqlite://{}/lb.db", dev.dir.path().display()), _dir: None };
    let out = cli.run(
        &[
            "client",
            "add",
            "--name",
            "Skill",
            "--redirect-uri",
            "https://pitangui.amazon.com/api/skill/link/V",
            "--json",
        ],
        None,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "client add on a serve --dev database: {stderr}");
    assert!(stderr.contains(&key_file.display().to_string()), "it says which key file it used: {stderr}");
    let id =
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["client_id"].as_str().unwrap().to_string();
    assert!(cli.ok(&["client", "list"]).contains(&id));
    cli.ok(&["keys", "rotate"]);
    cli.ok(&["user", "add", "--email", "ada@example.com"]);
    cli.ok(&["user", "grant", "ada@example.com", "rides:order"]);
    let out = cli.run(&["admin", "add", "--email", "root@example.com", "--password-stdin"], Some("a long password 1"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    cli.ok(&["admin", "token", "create", "--email", "root@example.com"]);
    let out = cli.run(
        &[
            "client",
            "alexa-events",
            &id,
            "--alexa-client-id",
            "amzn1.application-oa2-client.x",
            "--alexa-client-secret-stdin",
        ],
        Some("events-secret"),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // What the CLI sealed opens for the server.
    let creds = dev.store.alexa_event_credentials(&id).await.unwrap().expect("stored");
    assert_eq!(creds.client_secret, "events-secret");

    // Without the file: the error names where it looked.
    std::fs::rename(&key_file, dev.dir.path().join("moved-away")).unwrap();
    let err = cli.fails(&["client", "list"]);
    assert!(err.contains("sealed with key") && err.contains(&key_file.display().to_string()), "{err}");
}

/// `admin password` is the way back in: the old password and its sessions
/// stop working, the new one signs in, and it is audited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_password_sets_a_new_password_and_ends_sessions() {
    let Some(app) = crate::helpers::spawn_app(Backend::Sqlite).await else { return };
    let cli = Cli { database_url: app.database_url.clone(), _dir: None };
    let out =
        cli.run(&["admin", "add", "--email", "root@example.com", "--password-stdin"], Some("the first password\n"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let before = crate::helpers::browser();
    let login = crate::admin_support::post_login(&app, &before, "root@example.com", "the first password").await;
    assert_eq!(login.status(), 303);
    assert_eq!(before.get(app.url("/admin/users")).send().await.unwrap().status(), 200, "signed in");

    let out =
        cli.run(&["admin", "password", "--email", "root@example.com", "--password-stdin"], Some("a second password\n"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = before.get(app.url("/admin/users")).send().await.unwrap();
    assert_ne!(page.status(), 200, "the old session ended");
    let b = crate::helpers::browser();
    let old = crate::admin_support::post_login(&app, &b, "root@example.com", "the first password").await;
    assert_ne!(old.status(), 303, "the old password no longer signs in");
    let new = crate::admin_support::post_login(&app, &b, "root@example.com", "a second password").await;
    assert_eq!(new.status(), 303, "the new one does");
    assert!(app.audit_actions().await.contains(&"admin_password_set".to_string()));

    let out = cli
        .run(&["admin", "password", "--email", "nobody@example.com", "--password-stdin"], Some("a third password\n"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("admin add"), "says how to make one");
    let out = cli.run(&["admin", "password", "--email", "root@example.com", "--password-stdin"], Some("short\n"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 12"));
}

/// `client alexa-app` (the secret from stdin, write-only, checked), `link
/// list` and `link revoke` on a user with a link.
async fn alexa_app_and_link_commands_work(backend: Backend) {
    let Some(cli) = Cli::new(backend).await else { return };
    let uri = "https://pitangui.amazon.com/api/skill/link/V";
    let out = cli.ok(&["client", "add", "--name", "Skill", "--redirect-uri", uri, "--json"]);
    let created: serde_json::Value = serde_json::from_str(&out).unwrap();
    let id = created["client_id"].as_str().unwrap().to_string();
    let args = [
        "client",
        "alexa-app",
        &id,
        "--skill-id",
        "amzn1.ask.skill.cli-1",
        "--stage",
        "development",
        "--alexa-client-id",
        "amzn1.application-oa2-client.app",
        "--alexa-client-secret-stdin",
    ];
    let out = cli.run(&args, Some("cli-app-secret\n"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("/account/alexa/callback"), "says which URL to list");
    let store = linkbroker::store::Store::connect(&cli.database_url).await.unwrap();
    let app = store.alexa_app(&id).await.unwrap().expect("stored");
    assert_eq!((app.stage.as_str(), app.alexa_client_secret.as_str()), ("development", "cli-app-secret"));
    assert!(!cli.ok(&["client", "list", "--json"]).contains("cli-app-secret"), "write-only");
    let bad =
        ["client", "alexa-app", &id, "--skill-id", "my-skill", "--alexa-client-id", "x", "--alexa-client-secret-stdin"];
    let out = cli.run(&bad, Some("s"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("amzn1.ask.skill"), "says what a skill id looks like");
    assert!(cli
        .fails(&["client", "alexa-app", &id, "--skill-id", "amzn1.ask.skill.x", "--alexa-client-id", "x"])
        .contains("stdin"));
    cli.ok(&["client", "alexa-app", &id, "--clear"]);
    assert!(store.alexa_app(&id).await.unwrap().is_none());

    // A link, made as a redemption would make it.
    cli.ok(&["user", "add", "--email", "ada@example.com"]);
    let user =
        store.user_by_email(&linkbroker::domain::Email::parse("ada@example.com").unwrap()).await.unwrap().unwrap();
    let code = linkbroker::domain::Secret::generate();
    let code_hash = code.hash();
    let new_code = linkbroker::store::NewCode {
        code_hash: code_hash.as_str(),
        client_id: &id,
        user_id: &user.id,
        redirect_uri: uri,
        scope: "profile",
        code_challenge: None,
        code_challenge_method: None,
        expires_at: i64::MAX / 2,
        made_by: None,
    };
    store.insert_code(new_code, 1).await.unwrap();
    let redemption = store.begin_redemption(code_hash.as_str(), 2).await.unwrap().unwrap();
    let link = linkbroker::store::NewLink {
        grant_id: "link-cli-1",
        user_id: &user.id,
        client_id: &id,
        scope: "profile",
        code_hash: code_hash.as_str(),
        refresh_hash: "h",
        made_by: "alexa",
    };
    let audit = linkbroker::store::AuditEvent {
        actor: "test",
        action: "link_created",
        target: "link-cli-1",
        detail: serde_json::json!({}),
    };
    redemption.create_link(link, audit, 2).await.unwrap();

    let listed: serde_json::Value =
        serde_json::from_str(&cli.ok(&["link", "list", "ada@example.com", "--json"])).unwrap();
    assert_eq!(listed[0]["id"], "link-cli-1");
    assert_eq!(listed[0]["made_by"], "alexa");
    assert_eq!(listed[0]["revoked_at"], serde_json::Value::Null);
    assert!(cli.ok(&["link", "list", "ada@example.com"]).contains("made by alexa"));
    cli.ok(&["link", "revoke", "link-cli-1"]);
    assert!(cli.fails(&["link", "revoke", "link-cli-1"]).contains("no live link"));
    let listed: serde_json::Value =
        serde_json::from_str(&cli.ok(&["link", "list", "ada@example.com", "--json"])).unwrap();
    assert!(listed[0]["revoked_at"].is_i64());
    assert!(cli.fails(&["link", "list", "nobody@example.com"]).contains("no user"));
    let actions: Vec<String> =
        store.audit_actions(100).await.unwrap().into_iter().map(|(_, action, _)| action).collect();
    assert!(actions.iter().any(|a| a == "link_revoked"), "{actions:?}");
    assert!(actions.iter().any(|a| a == "client_alexa_app_set"), "{actions:?}");
}
