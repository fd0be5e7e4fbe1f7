//! A skill's own code written for Login with Amazon, run on the ASK SDK for
//! Node.js v2 (`ask-sdk-core`, `axios`) against a real linkbroker with only
//! the host changed (`examples/alexa-custom-skill/`): no token gets the
//! LinkAccount card, a linked token is greeted by first name, a revoked one
//! is asked to link again. Needs Node.js and npm (see `helpers::contracts`).

use crate::both_backends;
use crate::helpers::{manager, npm_installed, repo_file, spawn_app, AmazonUser, Backend, TestApp};
use linkbroker::domain::Actor;
use linkbroker::manage::UserKey;

both_backends!(the_login_with_amazon_skill_handler_works_by_changing_only_the_host);

async fn the_login_with_amazon_skill_handler_works_by_changing_only_the_host(backend: Backend) {
    let dir = repo_file("examples/alexa-custom-skill");
    if !npm_installed(&dir) {
        return;
    }
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    let mut tokens = Vec::new();
    let grace = AmazonUser { user_id: "amzn1.account.GRACE", name: "Grace Hopper", email: "grace@example.com" };
    for user in [crate::helpers::ADA, grace] {
        app.amazon_user(&user).await;
        let redirect = app.link(&client, &TestApp::alexa_params(&client, "st")).await;
        let code = crate::helpers::query_param(&redirect, "code").unwrap();
        let (status, answer) = app.exchange(&client, &code).await;
        assert_eq!(status, 200, "{answer}");
        tokens.push(answer["access_token"].as_str().unwrap().to_string());
    }
    let (linked, revoked) = (tokens[0].clone(), tokens[1].clone());
    // Revoked before it is ever used (so no cached resolution outlives it).
    manager(&app.store).revoke_all_links(&Actor::cli(), &UserKey::Email("grace@example.com".into())).await.unwrap();

    let base = app.base.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .args(["--test", "test/"])
            .current_dir(dir)
            .env("LINKBROKER_URL", base)
            .env("LINKED_TOKEN", linked)
            .env("REVOKED_TOKEN", revoked)
            .env("LINKED_FIRST_NAME", "Ada")
            // axios follows HTTP(S)_PROXY; the test server is local.
            .env("NO_PROXY", "127.0.0.1,localhost")
            .output()
            .expect("node runs")
    })
    .await
    .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the skill's tests failed:\n{report}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(report.contains("# pass 3"), "all three ran against linkbroker:\n{report}");
}
