//! The reference Smart Home relay (`examples/alexa-smart-home-lambda`) runs
//! under `node --test` against this real linkbroker with Amazon mocked.
//! Without Node.js the test is skipped with a notice; with
//! `LINKBROKER_REQUIRE_NODE=1` (set by `.ci/run`) it fails instead.

use crate::both_backends;
use crate::helpers::Backend;
use crate::smart_home_support::smart_home;

both_backends!(the_reference_lambda_relays_accept_grant_and_skill_events);

async fn the_reference_lambda_relays_accept_grant_and_skill_events(backend: Backend) {
    let node_present = std::process::Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !node_present {
        assert!(
            std::env::var("LINKBROKER_REQUIRE_NODE").map_or(true, |v| v != "1"),
            "LINKBROKER_REQUIRE_NODE=1 but `node` is not installed"
        );
        eprintln!("SKIPPED: node is not installed; the reference Lambda relay test needs Node.js 20");
        return;
    }
    let Some(sh) = smart_home(backend, &[], 3600).await else { return };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/alexa-smart-home-lambda");
    let (url, id, secret, token) =
        (sh.app.base.clone(), sh.client.id.clone(), sh.client.secret.clone(), sh.access_token.clone());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .args(["--test", "test/"])
            .current_dir(dir)
            .env("LINKBROKER_URL", url)
            .env("LINKBROKER_CLIENT_ID", id)
            .env("LINKBROKER_CLIENT_SECRET", secret)
            .env("RELAY_GRANTEE_TOKEN", token)
            .output()
            .expect("node runs")
    })
    .await
    .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "node --test failed:\n{report}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(report.contains("# pass 8"), "every relay test ran against linkbroker:\n{report}");
    let links = sh.app.store.user_links(&sh.app.store.list_users().await.unwrap()[0].id).await.unwrap();
    let grant = sh.app.store.alexa_grant(&links[0].id).await.unwrap().expect("the relayed AcceptGrant kept a grant");
    assert_eq!(grant.region, "eu", "the region the relay named");
}
