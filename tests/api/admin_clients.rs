//! Admin pages for OAuth clients.

use linkbroker::domain::TokenHash;

use crate::admin_support::{admin_browser, post_form};
use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};

both_backends!(creating_a_client_with_the_alexa_preset_shows_the_secret_once, editing_rotating_and_deleting_a_client,);

fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = html.find(start)? + start.len();
    let j = html[i..].find(end)?;
    Some(&html[i..i + j])
}

async fn create(app: &TestApp, b: &reqwest::Client, csrf: &str, uris: &str) -> (String, String) {
    let resp = post_form(
        app,
        b,
        csrf,
        "/admin/clients",
        &[("name", "My Skill"), ("redirect_uris", uris), ("scopes", "profile")],
    )
    .await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    let id = between(&html, "id=\"client-id\">", "<").expect("client id shown").to_string();
    let secret = between(&html, "id=\"client-secret\">", "<").expect("secret shown").to_string();
    (id, secret)
}

async fn creating_a_client_with_the_alexa_preset_shows_the_secret_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (b, csrf) = admin_browser(&app).await;

    let preset = post_form(
        &app,
        &b,
        &csrf,
        "/admin/clients",
        &[("name", "My Skill"), ("alexa_vendor_id", "M2VENDOR"), ("preset", "alexa")],
    )
    .await;

    assert_eq!(preset.status(), 200);
    let form = preset.text().await.unwrap();
    let uris = between(&form, "name=\"redirect_uris\" rows=\"4\">", "</textarea>").unwrap().to_string();
    assert_eq!(uris.lines().count(), 3, "{uris}");
    assert!(uris.contains("https://layla.amazon.com/api/skill/link/M2VENDOR"));
    assert!(app.store.list_clients().await.unwrap().is_empty(), "a preset does not save");
    let (id, secret) = create(&app, &b, &csrf, &uris).await;
    let stored = app.store.client(&id).await.unwrap().expect("client saved");
    assert_eq!(stored.secret_hash, TokenHash::of(&secret).as_str());
    assert_eq!(stored.redirect_uris.len(), 3);
    let list = b.get(app.url("/admin/clients")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("My Skill") && !list.contains(&secret), "the secret is never shown again");
    assert!(list.contains("asked, alexa wording"), "the list says which consent wording");
}

async fn editing_rotating_and_deleting_a_client(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, tokens) = app.linked().await;
    let (b, csrf) = admin_browser(&app).await;
    let base = format!("/admin/clients/{}", client.id);

    let bad = post_form(&app, &b, &csrf, &base, &[("name", "X"), ("redirect_uris", "http://evil.example/cb")]).await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("https"));
    let ok = post_form(
        &app,
        &b,
        &csrf,
        &base,
        &[("name", "<i>Renamed</i>"), ("redirect_uris", crate::helpers::ALEXA_REDIRECT), ("token_format", "jwt")],
    )
    .await;
    assert_eq!(ok.status(), 303);
    let c = app.store.client(&client.id).await.unwrap().unwrap();
    assert_eq!((c.name.as_str(), c.token_format.as_str(), c.skip_consent), ("<i>Renamed</i>", "jwt", false));
    let list = b.get(app.url("/admin/clients")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("&lt;i&gt;Renamed") && !list.contains("<i>Renamed"));

    let rotated = post_form(&app, &b, &csrf, &format!("{base}/rotate"), &[]).await;
    assert_eq!(rotated.status(), 200);
    let (status, _) = app.refresh(&client, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 401, "the old secret no longer authenticates");

    let status = b.get(app.url(&format!("{base}/confirm?action=delete"))).send().await.unwrap().status();
    assert_eq!(status, 200);
    let deleted = post_form(&app, &b, &csrf, &format!("{base}/delete"), &[]).await;
    assert_eq!(deleted.status(), 303);
    assert!(app.store.client(&client.id).await.unwrap().is_none());
    let (status, _) = app.userinfo(tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 401, "links of a deleted client stop working");
    assert!(app.audit_actions().await.contains(&"client_deleted".to_string()));
}
