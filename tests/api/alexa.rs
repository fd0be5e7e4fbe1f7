//! `POST /alexa` answers, events and permissions (signature verification is
//! off here; `alexa_verify.rs` covers it).

use linkbroker::domain::Permission;
use linkbroker::oauth::access_cache::TTL;
use serde_json::Value;

use crate::alexa_signing::{now, Req, ALEXA_USER};
use crate::both_backends;
use crate::helpers::{spawn_app, spawn_app_custom, speech, Backend, TestApp};

both_backends!(
    linked_users_are_greeted_and_their_alexa_user_id_is_recorded,
    requests_without_a_usable_token_get_a_link_account_card,
    built_in_intents_answer_sensibly,
    what_can_i_do_lists_the_users_permissions,
    intents_need_their_mapped_permission,
    malformed_unknown_and_oversized_requests_are_refused,
    skill_disabled_revokes_the_link_of_its_token,
    skill_disabled_without_a_token_revokes_the_links_of_the_alexa_user,
    skill_events_are_audited,
    disabling_a_user_takes_effect_within_the_cache_bound,
);

async fn ask(app: &TestApp, req: Req<'_>) -> Value {
    let (status, answer) = app.alexa_raw(req.body(), None, None).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

/// An opaque access token names its link (`<link id>.<generation>.…`).
async fn grant_of(app: &TestApp, token: &str) -> String {
    let link = token.split('.').next().unwrap().to_string();
    assert!(app.store.grant(&link).await.unwrap().is_some(), "a live link");
    link
}

async fn give(app: &TestApp, permission: &str) {
    let user = app.store.list_users().await.unwrap().remove(0);
    app.store.grant_permission(&user.id, &Permission::parse(permission).unwrap(), 0).await.unwrap();
}

async fn linked_users_are_greeted_and_their_alexa_user_id_is_recorded(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (_, tokens) = app.linked().await;
    let token = tokens["access_token"].as_str().unwrap();

    let launch = ask(&app, Req::launch(Some(token))).await;
    let hello = ask(&app, Req::intent("HelloWorldIntent", Some(token))).await;

    assert_eq!(speech(&launch), "Hello, Ada.");
    assert_eq!(speech(&hello), "Hello, Ada.");
    assert_eq!(launch["version"], "1.0");
    assert!(launch["response"].get("card").is_none());
    let grant = grant_of(&app, token).await;
    assert_eq!(app.store.alexa_user_of_grant(&grant).await.unwrap().as_deref(), Some(ALEXA_USER));
}

async fn requests_without_a_usable_token_get_a_link_account_card(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    for token in [None, Some("not-a-token"), Some("a.b.c")] {
        let answer = ask(&app, Req::launch(token)).await;
        assert_eq!(answer["response"]["card"]["type"], "LinkAccount", "{token:?}");
        assert!(speech(&answer).contains("link your account"), "{token:?}");
    }
}

async fn built_in_intents_answer_sensibly(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (_, tokens) = app.linked().await;
    let token = tokens["access_token"].as_str().unwrap();

    let help = ask(&app, Req::intent("AMAZON.HelpIntent", Some(token))).await;
    assert!(speech(&help).contains("You can say hello"));
    assert_eq!(help["response"]["shouldEndSession"], false);
    assert!(help["response"]["reprompt"]["outputSpeech"]["text"].is_string());
    let fallback = ask(&app, Req::intent("AMAZON.FallbackIntent", Some(token))).await;
    assert!(speech(&fallback).starts_with("Sorry, I didn't get that."));
    for stop in ["AMAZON.StopIntent", "AMAZON.CancelIntent"] {
        // Ending a session needs no link.
        let bye = ask(&app, Req::intent(stop, None)).await;
        assert_eq!(speech(&bye), "Goodbye.", "{stop}");
        assert!(bye["response"].get("card").is_none());
        assert_eq!(bye["response"]["shouldEndSession"], true);
    }
    let ended = ask(&app, Req::event("SessionEndedRequest", Some(token))).await;
    assert!(ended["response"].get("outputSpeech").is_none(), "{ended}");
}

async fn what_can_i_do_lists_the_users_permissions(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (_, tokens) = app.linked().await;
    give(&app, "rides:order").await;
    give(&app, "music:play").await;

    let answer = ask(&app, Req::intent("WhatCanIDoIntent", tokens["access_token"].as_str())).await;

    assert_eq!(speech(&answer), "Your account has the permissions music:play and rides:order.");
}

async fn intents_need_their_mapped_permission(backend: Backend) {
    let toml = "[alexa.intent_permissions]\nOrderTaxiIntent = \"rides:order\"\n";
    let Some(app) = spawn_app_custom(backend, &[], Some(toml), None).await else { return };
    let (client, tokens) = app.linked().await;

    let refused = ask(&app, Req::intent("OrderTaxiIntent", tokens["access_token"].as_str())).await;

    assert!(speech(&refused).contains("not allowed"), "{refused}");
    assert!(refused["response"].get("card").is_none(), "a linked user gets no link card");
    assert!(app.audit_actions().await.contains(&"alexa.intent_denied".to_string()));

    give(&app, "rides:order").await;
    // A fresh access token is not in the resolution cache, so the new permission shows at once.
    let (status, fresh) = app.refresh(&client, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{fresh}");
    let allowed = ask(&app, Req::intent("OrderTaxiIntent", fresh["access_token"].as_str())).await;
    assert!(!speech(&allowed).contains("not allowed"), "{allowed}");
}

async fn malformed_unknown_and_oversized_requests_are_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (status, answer) = app.alexa_raw(b"{not json".to_vec(), None, None).await;
    assert_eq!(status, 400);
    assert!(answer["message"].as_str().unwrap().contains("not an Alexa request envelope"), "{answer}");

    let (status, answer) = app.alexa_raw(Req::event("Dialog.API.Invoked", None).body(), None, None).await;
    assert_eq!(status, 400);
    assert!(answer["message"].as_str().unwrap().contains("unsupported request type"), "{answer}");

    let mut huge = Req::launch(None).body();
    huge.truncate(huge.len() - 1);
    huge.extend_from_slice(format!(",\"padding\":\"{}\"}}", "x".repeat(70 * 1024)).as_bytes());
    let (status, _) = app.alexa_raw(huge, None, None).await;
    assert_eq!(status, 413);
}

async fn skill_disabled_revokes_the_link_of_its_token(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, tokens) = app.linked().await;
    let token = tokens["access_token"].as_str().unwrap();
    assert_eq!(app.userinfo(token).await.0, 200);

    ask(
        &app,
        Req { alexa_user: "amzn1.ask.account.UNRECORDED", ..Req::event("AlexaSkillEvent.SkillDisabled", Some(token)) },
    )
    .await;

    assert_eq!(app.userinfo(token).await.0, 401, "revoked at once on this instance");
    let (status, body) = app.refresh(&client, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    assert!(app.audit_actions().await.contains(&"alexa.skill_disabled".to_string()));
}

async fn skill_disabled_without_a_token_revokes_the_links_of_the_alexa_user(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (_, tokens) = app.linked().await;
    let token = tokens["access_token"].as_str().unwrap();
    ask(&app, Req::launch(Some(token))).await; // records the Alexa user id on the link

    ask(
        &app,
        Req { alexa_user: "amzn1.ask.account.SOMEONE_ELSE", ..Req::event("AlexaSkillEvent.SkillDisabled", None) },
    )
    .await;
    assert_eq!(app.userinfo(token).await.0, 200, "another Alexa user's links are untouched");
    ask(&app, Req::event("AlexaSkillEvent.SkillDisabled", None)).await;

    assert_eq!(app.userinfo(token).await.0, 401);
}

async fn skill_events_are_audited(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (_, tokens) = app.linked().await;
    let token = tokens["access_token"].as_str().unwrap();
    for kind in [
        "AlexaSkillEvent.SkillEnabled",
        "AlexaSkillEvent.SkillAccountLinked",
        "AlexaSkillEvent.SkillPermissionAccepted",
        "AlexaSkillEvent.SkillPermissionChanged",
    ] {
        let answer = ask(&app, Req::event(kind, Some(token))).await;
        assert!(answer["response"].get("outputSpeech").is_none(), "{kind}: {answer}");
    }
    let actions = app.audit_actions().await;
    for action in [
        "alexa.skill_enabled",
        "alexa.skill_account_linked",
        "alexa.skill_permission_accepted",
        "alexa.skill_permission_changed",
    ] {
        assert!(actions.contains(&action.to_string()), "{action} missing from {actions:?}");
    }
    let grant = grant_of(&app, token).await;
    assert_eq!(app.store.alexa_user_of_grant(&grant).await.unwrap().as_deref(), Some(ALEXA_USER));
}

async fn disabling_a_user_takes_effect_within_the_cache_bound(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (_, tokens) = app.linked().await;
    let token = tokens["access_token"].as_str().unwrap();
    assert_eq!(app.userinfo(token).await.0, 200); // now cached
    let user = app.store.list_users().await.unwrap().remove(0);

    app.store.set_user_disabled(&user.id, true, now()).await.unwrap();
    app.clock.advance(TTL.as_secs() as i64 + 1);

    assert_eq!(app.userinfo(token).await.0, 401);
    let answer = ask(&app, Req::launch(Some(token))).await;
    assert_eq!(answer["response"]["card"]["type"], "LinkAccount");
}
