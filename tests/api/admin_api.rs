//! `/admin/api/`: token authentication, user operations, errors, OpenAPI.

use serde_json::Value;

use crate::admin_support::{admin_browser, create_admin, post_form, ADMIN_EMAIL};
use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};

both_backends!(
    the_api_refuses_missing_wrong_and_revoked_tokens,
    the_api_provisions_grants_disables_and_audits,
    the_openapi_document_describes_the_api,
    tokens_made_in_the_ui_work_until_revoked_there,
    the_api_manages_clients_and_erases_users,
);

async fn token(app: &TestApp) -> String {
    create_admin(app).await;
    crate::admin_support::api_token(app, "test").await
}

async fn call(app: &TestApp, method: reqwest::Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    crate::admin_support::api_call(app, token, method, path, body).await
}

async fn the_api_refuses_missing_wrong_and_revoked_tokens(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let good = token(&app).await;

    let none = app.api.get(app.url("/admin/api/users")).send().await.unwrap();
    assert_eq!(none.status(), 401);
    assert!(none.headers().get("www-authenticate").is_some());
    let body: Value = none.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized");
    assert!(body["message"].as_str().unwrap().contains("Bearer"));
    let (status, _) = call(&app, reqwest::Method::GET, "/admin/api/users", &"x".repeat(43), None).await;
    assert_eq!(status, 401);
    let (status, _) = call(&app, reqwest::Method::GET, "/admin/api/users", &good, None).await;
    assert_eq!(status, 200);

    let admin = app.store.admin_by_email(&linkbroker::domain::Email::parse(ADMIN_EMAIL).unwrap()).await.unwrap();
    let admin = admin.unwrap();
    let tokens = app.store.api_tokens_of(&admin.id).await.unwrap();
    assert!(tokens[0].last_used_at.is_some());
    assert!(app.store.revoke_api_token(&admin.id, &tokens[0].id, 1).await.unwrap());
    let (status, _) = call(&app, reqwest::Method::GET, "/admin/api/users", &good, None).await;
    assert_eq!(status, 401);
}

async fn the_api_provisions_grants_disables_and_audits(backend: Backend) {
    use reqwest::Method;
    let Some(app) = spawn_app(backend).await else { return };
    let t = token(&app).await;

    let (status, user) = call(
        &app,
        Method::POST,
        "/admin/api/users",
        &t,
        Some(serde_json::json!({ "email": "Grace@Example.com", "permissions": ["lights.on"] })),
    )
    .await;
    assert_eq!(status, 201, "{user}");
    let id = user["id"].as_str().unwrap().to_string();
    let (status, _) =
        call(&app, Method::PUT, &format!("/admin/api/users/{id}/permissions/rides:order"), &t, None).await;
    assert_eq!(status, 204);
    let (status, _) = call(&app, Method::POST, &format!("/admin/api/users/{id}/disable"), &t, None).await;
    assert_eq!(status, 204);

    assert_eq!(user["email_verified"], false, "not verified unless said");
    let (status, _) = call(&app, Method::POST, &format!("/admin/api/users/{id}/verify-email"), &t, None).await;
    assert_eq!(status, 204);

    let (_, detail) = call(&app, Method::GET, &format!("/admin/api/users/{id}"), &t, None).await;
    assert_eq!(detail["email_verified"], true);
    assert_eq!(detail["disabled"], true);
    assert_eq!(detail["permissions"], serde_json::json!(["lights.on", "rides:order"]));
    let (_, page) = call(&app, Method::GET, "/admin/api/users?q=GRACE&disabled=true", &t, None).await;
    assert_eq!(page["users"].as_array().unwrap().len(), 1);
    let (_, audit) = call(&app, Method::GET, &format!("/admin/api/audit?subject={id}"), &t, None).await;
    let actions: Vec<&str> = audit.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"permission_granted") && actions.contains(&"user_disabled"), "{actions:?}");
    assert!(actions.contains(&"user_email_verified"), "{actions:?}");
    assert!(audit.as_array().unwrap().iter().all(|e| e["actor"] == "admin:root@example.com"));

    let (status, err) = call(&app, Method::PUT, &format!("/admin/api/users/{id}/permissions/a%20b"), &t, None).await;
    assert_eq!((status, err["error"].as_str()), (400, Some("invalid_request")));
    let (status, err) = call(&app, Method::GET, "/admin/api/users/nope", &t, None).await;
    assert_eq!((status, err["error"].as_str()), (404, Some("not_found")));
    assert_eq!(err["message"], "no such user");
    let (status, err) = call(&app, Method::POST, &format!("/admin/api/users/{id}/frobnicate"), &t, None).await;
    assert_eq!(status, 404);
    assert!(err["message"].as_str().unwrap().contains("unknown operation \"frobnicate\""), "{err}");
    let body = serde_json::json!({ "email": "grace@example.com" });
    let (status, err) = call(&app, Method::POST, "/admin/api/users", &t, Some(body)).await;
    assert_eq!((status, err["error"].as_str()), (409, Some("conflict")));
    let (status, _) = call(&app, Method::GET, "/admin/api/users?limit=100000", &t, None).await;
    assert_eq!(status, 400);
    let (status, err) = call(&app, Method::GET, "/admin/api/users?disabled=perhaps", &t, None).await;
    assert_eq!((status, err["error"].as_str()), (400, Some("invalid_request")));
    let resp = app.api.post(app.url("/admin/api/users")).bearer_auth(&t).header("content-type", "application/json");
    let resp = resp.body("{not json").send().await.unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(resp.json::<Value>().await.unwrap()["error"], "invalid_request");
    let (status, err) = call(&app, Method::GET, "/admin/api/nothing-here", &t, None).await;
    assert_eq!((status, err["error"].as_str()), (404, Some("not_found")));
}

async fn the_openapi_document_describes_the_api(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let doc: Value = app.api.get(app.url("/admin/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/admin/api/users", "/admin/api/users/{id}", "/admin/api/audit", "/admin/api/clients"] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
}

async fn tokens_made_in_the_ui_work_until_revoked_there(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (b, csrf) = admin_browser(&app).await;

    let resp = post_form(&app, &b, &csrf, "/admin/tokens", &[("name", "nightly <sync>")]).await;

    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    let start = html.find("id=\"new-token\">").expect("token shown once") + "id=\"new-token\">".len();
    let token = html[start..start + 43].to_string();
    assert!(html.contains("nightly &lt;sync&gt;"));
    let (status, _) = call(&app, reqwest::Method::GET, "/admin/api/clients", &token, None).await;
    assert_eq!(status, 200);
    let list = b.get(app.url("/admin/tokens")).send().await.unwrap().text().await.unwrap();
    assert!(!list.contains(&token), "the token is never shown again");
    let href = list.split("href=\"").find(|s| s.starts_with("/admin/tokens/")).unwrap();
    let path = &href[..href.find('"').unwrap()];
    assert_eq!(b.get(app.url(path)).send().await.unwrap().status(), 200, "a confirmation page first");
    let revoked = post_form(&app, &b, &csrf, path, &[]).await;
    assert_eq!(revoked.status(), 303);
    let (status, _) = call(&app, reqwest::Method::GET, "/admin/api/clients", &token, None).await;
    assert_eq!(status, 401);
}

async fn the_api_manages_clients_and_erases_users(backend: Backend) {
    use reqwest::Method;
    let Some(app) = spawn_app(backend).await else { return };
    let (client, tokens) = app.linked().await;
    let t = token(&app).await;
    let ada = app.store.user_by_email(&linkbroker::domain::Email::parse(crate::helpers::ADA.email).unwrap()).await;
    let ada = ada.unwrap().unwrap();

    let body = serde_json::json!({ "name": "API Skill", "redirect_uris": [crate::helpers::ALEXA_REDIRECT], "scopes": ["profile"] });
    let (status, created) = call(&app, Method::POST, "/admin/api/clients", &t, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let new_id = created["client_id"].as_str().unwrap().to_string();
    assert_eq!(created["client_secret"].as_str().unwrap().len(), 43);
    let bad = serde_json::json!({ "name": "X", "redirect_uris": ["http://evil.example/cb"] });
    let (status, err) = call(&app, Method::POST, "/admin/api/clients", &t, Some(bad)).await;
    assert_eq!((status, err["error"].as_str()), (400, Some("invalid_request")));
    let (status, rotated) =
        call(&app, Method::POST, &format!("/admin/api/clients/{new_id}/rotate-secret"), &t, None).await;
    assert_eq!(status, 200);
    assert_ne!(rotated["client_secret"], created["client_secret"]);
    let (status, _) = call(&app, Method::DELETE, &format!("/admin/api/clients/{new_id}"), &t, None).await;
    assert_eq!(status, 204);
    let (status, _) = call(&app, Method::DELETE, &format!("/admin/api/clients/{new_id}"), &t, None).await;
    assert_eq!(status, 404);

    let eu = "https://layla.amazon.com/api/skill/link/M2EXAMPLEVENDOR";
    let edit = serde_json::json!({ "name": "Renamed", "redirect_uris": [crate::helpers::ALEXA_REDIRECT, eu], "token_format": "jwt", "skip_consent": true });
    let (status, _) = call(&app, Method::PUT, &format!("/admin/api/clients/{}", client.id), &t, Some(edit)).await;
    assert_eq!(status, 204);
    let c = app.store.client(&client.id).await.unwrap().unwrap();
    assert_eq!((c.name.as_str(), c.token_format.as_str()), ("Renamed", "jwt"));
    // The audit entry says what changed, and nothing secret.
    let (_, audit) = call(&app, Method::GET, &format!("/admin/api/audit?subject={}", client.id), &t, None).await;
    let updated = audit.as_array().unwrap().iter().find(|e| e["action"] == "client_updated").unwrap().clone();
    let detail = &updated["detail"];
    assert_eq!(detail["redirect_uris"]["added"], serde_json::json!([eu]), "{updated}");
    assert_eq!(detail["token_format"], serde_json::json!({ "from": "opaque", "to": "jwt" }));
    assert_eq!(detail["skip_consent"], serde_json::json!({ "from": false, "to": true }));
    assert_eq!(detail["name"]["to"], "Renamed");
    assert!(detail.get("scopes").is_none() && detail.get("consent").is_none(), "unchanged fields are not listed");
    assert!(!updated.to_string().contains(&client.secret), "no secret");
    let bad = serde_json::json!({ "name": "", "redirect_uris": [crate::helpers::ALEXA_REDIRECT] });
    let (status, _) = call(&app, Method::PUT, &format!("/admin/api/clients/{}", client.id), &t, Some(bad)).await;
    assert_eq!(status, 400);
    let unlink = format!("/admin/api/users/{}/identities/lwa/amzn1.account.ADA", ada.id);
    let (status, _) = call(&app, Method::DELETE, &unlink, &t, None).await;
    assert_eq!(status, 204);
    assert!(app.store.user_identities(&ada.id).await.unwrap().is_empty());
    let (status, _) = call(&app, Method::DELETE, &unlink, &t, None).await;
    assert_eq!(status, 404);
    let (status, _) = call(&app, Method::DELETE, &format!("/admin/api/users/{}/links", ada.id), &t, None).await;
    assert_eq!(status, 204);
    let (status, body) = app.refresh(&client, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    let (status, _) = call(&app, Method::DELETE, &format!("/admin/api/users/{}", ada.id), &t, None).await;
    assert_eq!(status, 204);
    assert!(app.store.user_by_id(&ada.id).await.unwrap().is_none());
    let actions = app.audit_actions().await;
    for a in [
        "client_created",
        "client_secret_rotated",
        "client_deleted",
        "client_updated",
        "identity_unlinked",
        "links_revoked",
        "user_deleted",
    ] {
        assert!(actions.contains(&a.to_string()), "{a} missing from {actions:?}");
    }
}

/// Generated clients build from the OpenAPI document: a real validator
/// accepts it (every templated path declares its parameters), and refuses
/// it with a parameter taken away, so the check can fail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_passes_a_real_validator() {
    let Some(app) = crate::helpers::spawn_app(Backend::Sqlite).await else { return };
    let doc: serde_json::Value =
        app.api.get(app.url("/admin/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let Some(verdict) = crate::helpers::validate_openapi(&doc) else { return };
    assert_eq!(verdict, Ok(()), "the document is valid");
    let ops = &doc["paths"]["/admin/api/users/{id}/{op}"]["post"]["parameters"];
    let op = ops.as_array().unwrap().iter().find(|p| p["name"] == "op").expect("op is declared");
    let schema = serde_json::to_string(&doc["components"]["schemas"]["UserOperation"]).unwrap() + &op.to_string();
    assert!(
        schema.contains("disable") && schema.contains("enable") && schema.contains("verify-email"),
        "the operations are enumerated: {schema}"
    );
    let mut broken = doc.clone();
    broken["paths"]["/admin/api/users/{id}"]["get"]["parameters"] = serde_json::json!([]);
    assert!(crate::helpers::validate_openapi(&broken).unwrap().is_err(), "the validator can refuse");
}
