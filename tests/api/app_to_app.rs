//! Linking from the vendor's side (docs/app-to-app.md), black-box against
//! an Amazon that behaves like Amazon (`app_to_app_support`): the account
//! page, "Link with Alexa" through the Skill Enablement API, every way it
//! can fail leaving nothing behind, and unlinks that reach Alexa from every
//! door.

use crate::admin_support::{admin_browser, api_token, post_form};
use crate::app_to_app_support::*;
use crate::both_backends;
use crate::helpers::{browser, location, manager, AmazonUser, Backend, ADA};
use linkbroker::domain::Actor;
use linkbroker::manage::UserKey;

both_backends!(
    a_user_links_with_alexa_from_the_website,
    every_failure_leaves_no_link_and_a_dead_code,
    a_wrong_state_or_another_session_is_refused,
    unlinking_on_the_page_tells_alexa,
    every_door_that_ends_a_link_tells_alexa,
    the_queue_outlives_an_outage_and_a_restart,
    skill_disabled_drops_the_amazon_token,
    the_page_guards_its_forms_and_other_users_links,
    a_disabled_user_cannot_sign_in,
    app_to_app_settings_from_the_admin_api_and_ui,
);

async fn a_user_links_with_alexa_from_the_website(backend: Backend) {
    let Some(w) = website(backend, &[]).await else { return };
    let b = signed_in(&w.app).await;
    let authorize = to_amazon(&w, &b).await;
    // What Amazon's authorize endpoint is asked for.
    assert!(authorize.starts_with(&format!("{}/ap/oa?", w.app.lwa.uri())), "{authorize}");
    let param = |k: &str| crate::helpers::query_param(&authorize, k);
    assert_eq!(param("client_id").as_deref(), Some(APP_ID));
    assert_eq!(param("scope").as_deref(), Some("alexa::skills:account_linking"));
    assert_eq!(param("response_type").as_deref(), Some("code"));
    assert_eq!(param("code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(param("redirect_uri"), Some(w.app.url("/account/alexa/callback")));

    let (status, page) = {
        let code = w.amazon.approve(&authorize);
        let state = param("state").unwrap();
        let resp =
            b.get(w.app.url(&format!("/account/alexa/callback?code={code}&state={state}"))).send().await.unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    };
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("linked to your account"), "{page}");

    // Alexa's tokens from linkbroker work, and the link says how it was made.
    let links = live_links(&w.app).await;
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].1, "app");
    let tokens = w.amazon.with(|s| s.linked.clone()).expect("Alexa redeemed the code");
    let (status, profile) = w.app.userinfo(tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{profile}");
    assert!(w.app.audit_actions().await.contains(&"alexa.app_linked".to_string()));

    // The page shows Alexa's view, asked once a minute at most.
    let (html, _) = account_page(&w.app, &b).await;
    assert!(html.contains("Alexa: enabled and linked"), "{html}");
    assert!(html.contains("Linked from this website"), "{html}");
    assert!(!html.contains("/account/alexa/link"), "no second offer for a linked client: {html}");
    account_page(&w.app, &b).await;
    assert_eq!(w.amazon.with(|s| s.view_calls), 1, "cached for a minute");

    // Our code was single-use: Alexa cannot redeem it again.
    let code = w.amazon.with(|s| s.our_codes[0].clone());
    let (status, body) = w.app.exchange(&w.client, &code).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
}

async fn every_failure_leaves_no_link_and_a_dead_code(backend: Backend) {
    let Some(w) = website(backend, &[("LINKBROKER_ALEXA_EVENT_TIMEOUT_SECONDS", "1")]).await else { return };
    let b = signed_in(&w.app).await;
    for (mode, status, words) in [
        (Enable::Refuse, 502, "refused to enable"),
        (Enable::Fail, 502, "did not answer"),
        // Alexa redeemed the code, then failed: the link it made goes.
        (Enable::RedeemThenFail, 502, "Nothing was linked"),
        (Enable::Hang, 502, "did not answer"),
    ] {
        w.amazon.with(|s| s.enable = Some(mode));
        let (got, page) = website_link(&w, &b).await;
        assert_eq!(got, status, "{mode:?}: {page}");
        assert!(page.contains(words), "{mode:?}: {page}");
        assert!(live_links(&w.app).await.is_empty(), "{mode:?} left a live link");
        let code = w.amazon.with(|s| s.our_codes.last().cloned()).expect("a code was sent");
        let (status, body) = w.app.exchange(&w.client, &code).await;
        assert_eq!(status, 400, "{mode:?}: the code still works: {body}");
    }
    assert!(w.app.audit_actions().await.contains(&"alexa.app_link_failed".to_string()));

    // The user cancels at Amazon.
    let authorize = to_amazon(&w, &b).await;
    let state = crate::helpers::query_param(&authorize, "state").unwrap();
    let resp =
        b.get(w.app.url(&format!("/account/alexa/callback?error=access_denied&state={state}"))).send().await.unwrap();
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("cancelled"));

    // Amazon refuses its own code (a wrong one, say an expired one).
    let authorize = to_amazon(&w, &b).await;
    let state = crate::helpers::query_param(&authorize, "state").unwrap();
    let resp = b.get(w.app.url(&format!("/account/alexa/callback?code=ANexpired&state={state}"))).send().await.unwrap();
    assert_eq!(resp.status(), 502);
    assert!(resp.text().await.unwrap().contains("did not accept the sign-in"));
    assert!(live_links(&w.app).await.is_empty());

    // And then it works.
    w.amazon.with(|s| s.enable = Some(Enable::Link));
    let (got, page) = website_link(&w, &b).await;
    assert_eq!(got, 200, "{page}");
    assert_eq!(live_links(&w.app).await.len(), 1);
}

async fn a_wrong_state_or_another_session_is_refused(backend: Backend) {
    let Some(w) = website(backend, &[]).await else { return };
    let b = signed_in(&w.app).await;
    let authorize = to_amazon(&w, &b).await;
    let code = w.amazon.approve(&authorize);
    let state = crate::helpers::query_param(&authorize, "state").unwrap();

    let resp = b.get(w.app.url(&format!("/account/alexa/callback?code={code}&state=forged"))).send().await.unwrap();
    assert_eq!(resp.status(), 400, "a wrong state");
    // Another browser (another session) with the right state: refused, and
    // the attempt is spent.
    let other = signed_in(&w.app).await;
    let resp =
        other.get(w.app.url(&format!("/account/alexa/callback?code={code}&state={state}"))).send().await.unwrap();
    assert_eq!(resp.status(), 400);
    let resp = b.get(w.app.url(&format!("/account/alexa/callback?code={code}&state={state}"))).send().await.unwrap();
    assert_eq!(resp.status(), 400, "single use");
    assert!(live_links(&w.app).await.is_empty());
    assert_eq!(w.amazon.with(|s| s.enable_calls), 0);
    // Without parameters (what doctor asks): our page, not a 404.
    let resp = browser().get(w.app.url("/account/alexa/callback")).send().await.unwrap();
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("href=\"/account\""));
}

/// Links ADA from the website and returns her signed-in browser and link id.
async fn linked(w: &Website) -> (reqwest::Client, String) {
    let b = signed_in(&w.app).await;
    let (status, page) = website_link(w, &b).await;
    assert_eq!(status, 200, "{page}");
    let links = live_links(&w.app).await;
    (b, links[0].0.clone())
}

async fn unlinking_on_the_page_tells_alexa(backend: Backend) {
    let Some(w) = website(backend, &[]).await else { return };
    let (b, link) = linked(&w).await;
    let (_, csrf) = account_page(&w.app, &b).await;
    // Under our no-referrer policy browsers send `Origin: null`: no origin.
    let resp = b
        .post(w.app.url(&format!("/account/links/{link}/unlink")))
        .header("Origin", "null")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let back = location(&resp).unwrap();
    let page = b.get(w.app.url(&back)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Alexa is being told"), "{page}");
    eventually(&w.amazon, "the DELETE", |s| s.disable_ok == 1).await;
    assert!(live_links(&w.app).await.is_empty());
    let tokens = w.amazon.with(|s| s.linked.clone()).unwrap();
    let (status, _) = w.app.refresh(&w.client, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 400, "the link is dead on our side too");
    wait_for_audit(&w.app, "alexa.unlink_delivered").await;
}

/// Waits (up to 15 s) until `user` has `n` finished unlinks; returns them.
async fn finished(store: &linkbroker::store::Store, user: &str, n: usize) -> Vec<linkbroker::store::UnlinkStatus> {
    for _ in 0..150 {
        let all = store.unlinks_of_user(user).await.unwrap();
        if all.iter().filter(|u| u.finished_at.is_some()).count() >= n {
            return all;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{n} unlinks of {user} did not finish");
}

async fn wait_for_audit(app: &crate::helpers::TestApp, action: &str) {
    for _ in 0..100 {
        if app.audit_actions().await.iter().any(|a| a == action) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no {action} audit entry");
}

async fn every_door_that_ends_a_link_tells_alexa(backend: Backend) {
    let Some(mut w) = website(backend, &[]).await else { return };
    let m = manager(&w.app.store);
    let ada = UserKey::Email(ADA.email.into());
    let (admin, admin_csrf) = admin_browser(&w.app).await;
    let token = api_token(&w.app, "test").await;
    let mut expected = 0;
    for door in ["cli", "api", "ui", "disable", "client removal"] {
        if door == "client removal" {
            // A fresh client for this one: removing it ends its links.
            let client = w.app.alexa_client().await;
            let draft = linkbroker::manage::AlexaAppDraft {
                skill_id: SKILL.into(),
                stage: None,
                alexa_client_id: APP_ID.into(),
                alexa_client_secret: APP_SECRET.into(),
            };
            m.set_alexa_app(&Actor::cli(), &client.id, Some(&draft)).await.unwrap();
            w.amazon.with(|s| s.client = Some((client.id.clone(), client.secret.clone())));
            w.client = client;
            linked(&w).await;
            m.delete_client(&Actor::cli(), &w.client.id).await.unwrap();
            expected += 1;
            eventually(&w.amazon, door, |s| s.disable_ok == expected).await;
            continue;
        }
        let (_, link) = linked(&w).await;
        let user = m.user(&ada).await.unwrap();
        match door {
            "cli" => m.revoke_link_by_id(&Actor::cli(), &link).await.unwrap(),
            "api" => {
                let resp = w
                    .app
                    .api
                    .delete(w.app.url(&format!("/admin/api/users/{}/links/{link}", user.id)))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), 204);
            }
            "ui" => {
                let path = format!("/admin/users/{}/links/revoke", user.id);
                let resp = post_form(&w.app, &admin, &admin_csrf, &path, &[("link", link.as_str())]).await;
                assert!(resp.status().is_redirection(), "{}", resp.status());
            }
            _ => {
                m.set_disabled(&Actor::cli(), &ada, true).await.unwrap();
                m.set_disabled(&Actor::cli(), &ada, false).await.unwrap();
            }
        }
        expected += 1;
        eventually(&w.amazon, door, |s| s.disable_ok == expected).await;
        assert!(live_links(&w.app).await.is_empty(), "{door}");
    }
}

async fn the_queue_outlives_an_outage_and_a_restart(backend: Backend) {
    let Some(w) = website(backend, &[]).await else { return };
    let (_, link) = linked(&w).await;
    w.amazon.with(|s| s.disable = Some(Disable::Down));
    manager(&w.app.store).revoke_link_by_id(&Actor::cli(), &link).await.unwrap();
    eventually(&w.amazon, "a first attempt", |s| s.disable_calls >= 1).await;
    let user = w.app.store.user_by_email(&linkbroker::domain::Email::parse(ADA.email).unwrap()).await.unwrap().unwrap();
    let queued = w.app.store.unlinks_of_user(&user.id).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert!(queued[0].finished_at.is_none(), "kept for a retry");
    assert!(queued[0].next_attempt_at > w.app.clock.now(), "retried later, with backoff");
    assert!(queued[0].next_attempt_at <= w.app.clock.now() + 10, "the first retry within 10 seconds");

    // A new instance on the database (as after a restart) finds it; Amazon is back.
    let restarted = w.app.spawn_sibling_with(&[("LINKBROKER_ALEXA_API_URL", w.amazon.api_url.as_str())]).await;
    w.amazon.with(|s| s.disable = Some(Disable::Ok));
    w.app.clock.advance(11);
    let done = finished(&restarted.store, &user.id, 1).await;
    assert_eq!(done[0].outcome.as_deref(), Some("delivered"));
    // A finished unlink can no longer be claimed: refused while Amazon was
    // down, then delivered once, each attempt one call.
    assert!(done[0].attempts >= 2, "{:?}", done[0]);
    assert_eq!(w.amazon.with(|s| (s.disable_calls as i64, s.disable_ok)), (done[0].attempts, 1), "delivered once");

    // Given up after 24 hours, audited.
    let (_, link) = linked(&w).await;
    w.amazon.with(|s| s.disable = Some(Disable::Down));
    manager(&w.app.store).revoke_link_by_id(&Actor::cli(), &link).await.unwrap();
    eventually(&w.amazon, "an attempt", |s| s.disable_calls >= 3).await;
    w.app.clock.advance(24 * 3600 + 1);
    wait_for_audit(&w.app, "alexa.unlink_abandoned").await;

    // Alexa no longer has the skill (404): finished, nothing to retry.
    w.amazon.with(|s| s.disable = Some(Disable::Gone));
    let (_, link) = linked(&w).await;
    manager(&w.app.store).revoke_link_by_id(&Actor::cli(), &link).await.unwrap();
    wait_for_audit(&w.app, "alexa.unlink_already_gone").await;
}

async fn skill_disabled_drops_the_amazon_token(backend: Backend) {
    let Some(w) = website(backend, &[]).await else { return };
    let (_, link) = linked(&w).await;
    let tokens = w.amazon.with(|s| s.linked.clone()).unwrap();
    let token = tokens["access_token"].as_str().unwrap();
    let event = crate::alexa_signing::Req::event("AlexaSkillEvent.SkillDisabled", Some(token)).body();
    let (status, _) = w.app.alexa_raw(event, None, None).await;
    assert_eq!(status, 200);
    assert!(live_links(&w.app).await.is_empty(), "the link {link} ended");
    let user = w.app.store.link_owner(&link).await.unwrap().unwrap();
    assert!(w.app.store.unlinks_of_user(&user).await.unwrap().is_empty(), "Alexa already disabled it: nothing queued");
    assert_eq!(w.amazon.with(|s| s.disable_calls), 0);
    assert!(w.app.store.alexa_app_link(&link).await.unwrap().is_none_or(|l| l.refresh_token.is_none()));
}

async fn the_page_guards_its_forms_and_other_users_links(backend: Backend) {
    let Some(w) = website(backend, &[]).await else { return };
    let (ada, link) = linked(&w).await;
    const BOB: AmazonUser<'static> = AmazonUser { user_id: "amzn1.account.BOB", name: "Bob", email: "bob@example.com" };
    signs_in_at_amazon(&w.app, &w.amazon, &BOB).await;
    let bob = signed_in(&w.app).await;
    let (_, bob_csrf) = account_page(&w.app, &bob).await;
    let (_, ada_csrf) = account_page(&w.app, &ada).await;
    let unlink = w.app.url(&format!("/account/links/{link}/unlink"));

    let resp = bob.post(&unlink).form(&[("csrf", bob_csrf.as_str())]).send().await.unwrap();
    assert_eq!(resp.status(), 404, "another user's link");
    let resp = ada.post(&unlink).form(&[("csrf", "forged")]).send().await.unwrap();
    assert_eq!(resp.status(), 403, "no CSRF token");
    let resp = ada.post(&unlink).form(&[("csrf", bob_csrf.as_str())]).send().await.unwrap();
    assert_eq!(resp.status(), 403, "another session's CSRF token");
    let resp = ada
        .post(&unlink)
        .header("Origin", "https://evil.example")
        .form(&[("csrf", ada_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403, "another site");
    let resp = browser().post(&unlink).form(&[("csrf", ada_csrf.as_str())]).send().await.unwrap();
    assert_eq!(resp.status(), 401, "signed out");
    assert_eq!(live_links(&w.app).await.len(), 1);

    // Sign-out ends the session.
    let resp = ada.post(w.app.url("/account/logout")).form(&[("csrf", ada_csrf.as_str())]).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    let html = ada.get(w.app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("/account/login"), "{html}");
    let resp = ada.post(&unlink).form(&[("csrf", ada_csrf.as_str())]).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    // Sessions last 12 hours.
    w.app.clock.advance(12 * 3600 + 1);
    let html = bob.get(w.app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("/account/login"), "expired: {html}");
}

async fn a_disabled_user_cannot_sign_in(backend: Backend) {
    let Some(w) = website(backend, &[]).await else { return };
    let b = signed_in(&w.app).await;
    let m = manager(&w.app.store);
    m.set_disabled(&Actor::cli(), &UserKey::Email(ADA.email.into()), true).await.unwrap();
    let html = b.get(w.app.url("/account")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("/account/login"), "a disabled user's session stops: {html}");
    let resp = b.get(w.app.url("/account/login")).send().await.unwrap();
    let state = crate::helpers::query_param(&location(&resp).unwrap(), "state").unwrap();
    let back = b.get(w.app.url(&format!("/oauth/callback?code=amazon-code&state={state}"))).send().await.unwrap();
    assert_eq!(back.status(), 403);
    assert!(back.text().await.unwrap().contains("disabled"));
}

async fn app_to_app_settings_from_the_admin_api_and_ui(backend: Backend) {
    let Some(app) = crate::helpers::spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    let (b, csrf) = admin_browser(&app).await;
    let t = api_token(&app, "app").await;
    let path = format!("/admin/api/clients/{}/alexa-app", client.id);
    let put = |body: serde_json::Value| app.api.put(app.url(&path)).bearer_auth(&t).json(&body).send();
    let bad = put(serde_json::json!({ "skill_id": "nope", "alexa_client_id": "x", "alexa_client_secret": "y" }))
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("amzn1.ask.skill"), "says what a skill id looks like");
    let ok = put(serde_json::json!({
        "skill_id": SKILL, "stage": "development", "alexa_client_id": APP_ID, "alexa_client_secret": "api-app-secret"
    }))
    .await
    .unwrap();
    assert_eq!(ok.status(), 204);
    let list = app.api.get(app.url("/admin/api/clients")).bearer_auth(&t).send().await.unwrap().text().await.unwrap();
    assert!(list.contains(SKILL) && list.contains("development") && !list.contains("api-app-secret"), "{list}");
    let openapi = app.api.get(app.url("/admin/api/openapi.json")).send().await.unwrap().text().await.unwrap();
    assert!(openapi.contains("/admin/api/clients/{id}/alexa-app"));
    let cleared = app.api.delete(app.url(&path)).bearer_auth(&t).send().await.unwrap();
    assert_eq!(cleared.status(), 204);
    assert!(app.store.alexa_app(&client.id).await.unwrap().is_none());
    // The client page's form.
    let form =
        [("skill_id", SKILL), ("stage", "live"), ("alexa_client_id", APP_ID), ("alexa_client_secret", "ui-app-secret")];
    let resp = post_form(&app, &b, &csrf, &format!("/admin/clients/{}/alexa-app", client.id), &form).await;
    assert_eq!(resp.status(), 303);
    let page = b.get(app.url(&format!("/admin/clients/{}", client.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(SKILL) && !page.contains("ui-app-secret"), "write-only");
    assert_eq!(app.store.alexa_app(&client.id).await.unwrap().unwrap().alexa_client_secret, "ui-app-secret");
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"client_alexa_app_set".to_string()));
    assert!(actions.contains(&"client_alexa_app_cleared".to_string()));
}

/// Two instances on one Postgres, as behind a load balancer: every unlink
/// reaches Alexa exactly once (the lease on the queue row), whichever
/// instance ended the link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_postgres_send_each_unlink_once() {
    let Some(w) = website(Backend::Postgres, &[]).await else { return };
    let other = w.app.spawn_sibling_with(&[("LINKBROKER_ALEXA_API_URL", w.amazon.api_url.as_str())]).await;
    let people: Vec<(String, String)> =
        (0..6).map(|i| (format!("amzn1.account.P{i}"), format!("person{i}@example.com"))).collect();
    for (id, email) in &people {
        let user = AmazonUser { user_id: id, name: "Person", email };
        signs_in_at_amazon(&w.app, &w.amazon, &user).await;
        let b = signed_in(&w.app).await;
        let (status, page) = website_link(&w, &b).await;
        assert_eq!(status, 200, "{page}");
    }
    // Half the links end on each instance (the admin API of each).
    let m = manager(&w.app.store);
    for (i, (_, email)) in people.iter().enumerate() {
        let key = UserKey::Email(email.clone());
        let user = m.user(&key).await.unwrap();
        let link = w.app.store.user_links(&user.id).await.unwrap()[0].id.clone();
        let instance = if i % 2 == 0 { &w.app } else { &other };
        linkbroker::manage::Manager::offline(instance.store.clone(), instance.clock.clone())
            .revoke_link(&Actor::cli(), &key, &link)
            .await
            .unwrap();
    }
    // Once every row is finished none can be claimed again, so the calls
    // counted now are all there will be.
    for (_, email) in &people {
        let user = m.user(&UserKey::Email(email.clone())).await.unwrap();
        let done = finished(&w.app.store, &user.id, 1).await;
        assert_eq!(done[0].attempts, 1, "sent by one instance, once");
    }
    assert_eq!(w.amazon.with(|s| (s.disable_calls, s.disable_ok)), (6, 6), "each unlink sent once");
}
