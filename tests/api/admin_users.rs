//! The admin users list, the user page's actions, and the audit log page.

use linkbroker::domain::Email;
use linkbroker::store::{UserQuery, UserSort};

use crate::admin_support::{admin_browser, post_form};
use crate::both_backends;
use crate::helpers::{link_href, location, spawn_app, Backend, TestApp, ADA};

both_backends!(
    search_is_case_insensitive_substring_and_escapes_markup,
    filters_and_keyset_pages_cover_every_user_once,
    granting_a_permission_and_disabling_a_user_are_audited,
    revoking_links_from_the_user_page_ends_the_tokens,
    deleting_a_user_erases_personal_data_and_keeps_a_pseudonymous_trail,
    export_and_pre_provisioning_work_and_bad_input_is_a_400,
    users_list_is_served_by_indexes_at_scale,
    the_audit_log_pages_through_every_entry_once,
);

async fn user(app: &TestApp, email: &str, name: &str, created_at: i64) -> String {
    app.store.create_user(&Email::parse(email).unwrap(), name, &[], false, created_at).await.unwrap().id
}

async fn get(b: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = b.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn search_is_case_insensitive_substring_and_escapes_markup(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (b, _) = admin_browser(&app).await;
    user(&app, "ada@example.com", "<script>alert(1)</script> Ada", 1).await;
    user(&app, "bob@example.com", "Bob 100%", 2).await;

    let (status, page) = get(&b, &app, "/admin/users?q=ADA").await;

    assert_eq!(status, 200);
    assert!(page.contains("ada@example.com") && !page.contains("bob@example.com"));
    assert!(page.contains("&lt;script&gt;") && !page.contains("<script>alert"), "names are escaped");
    let (_, by_name) = get(&b, &app, "/admin/users?q=b+100%25").await;
    assert!(by_name.contains("bob@example.com") && !by_name.contains("ada@example.com"));
    let (_, wildcard) = get(&b, &app, "/admin/users?q=%25").await;
    assert!(wildcard.contains("bob@example.com") && !wildcard.contains("ada@example.com"), "% is literal");
    let (_, none) = get(&b, &app, "/admin/users?q=zzz").await;
    assert!(none.contains("No users match."));
}

async fn filters_and_keyset_pages_cover_every_user_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (b, _) = admin_browser(&app).await;
    let mut ids = Vec::new();
    for i in 0..60 {
        // Pairs share a creation time: the id must break the tie.
        ids.push(user(&app, &format!("u{i:02}@example.com"), "", 1000 + i / 2).await);
    }
    app.store.set_user_disabled(&ids[7], true, 5).await.unwrap();

    let (_, first) = get(&b, &app, "/admin/users").await;
    let next = link_href(&first, "next").expect("a next-page link");
    let (_, second) = get(&b, &app, &next.replace("&amp;", "&")).await;

    assert!(link_href(&second, "next").is_none());
    for i in 0..60 {
        let email = format!("u{i:02}@example.com");
        let on_first = first.contains(&email);
        assert!(on_first != second.contains(&email), "{email} must be on exactly one page");
    }
    assert!(first.contains("u59@example.com") && second.contains("u00@example.com"), "newest first");
    let (_, disabled) = get(&b, &app, "/admin/users?disabled=yes").await;
    assert!(disabled.contains("u07@example.com") && !disabled.contains("u08@example.com"));
    let (status, _) = get(&b, &app, "/admin/users?disabled=maybe").await;
    assert_eq!(status, 400);
    let (status, _) = get(&b, &app, "/admin/users?after=notakey").await;
    assert_eq!(status, 400);
}

async fn granting_a_permission_and_disabling_a_user_are_audited(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (b, csrf) = admin_browser(&app).await;
    let id = user(&app, "ada@example.com", "Ada", 1).await;
    let base = format!("/admin/users/{id}");

    let resp =
        post_form(&app, &b, &csrf, &format!("{base}/permissions"), &[("op", "add"), ("permission", "rides:order")])
            .await;
    assert_eq!(resp.status(), 303);
    let resp = post_form(&app, &b, &csrf, &format!("{base}/status"), &[("op", "disable")]).await;
    assert_eq!(resp.status(), 303);
    let (_, page) = get(&b, &app, &base).await;
    assert!(page.contains("Mark verified"), "not verified yet");
    let resp = post_form(&app, &b, &csrf, &format!("{base}/verify-email"), &[]).await;
    assert_eq!(resp.status(), 303);
    assert!(app.store.user_by_id(&id).await.unwrap().unwrap().email_verified);

    assert_eq!(app.store.user_permissions(&id).await.unwrap(), ["rides:order"]);
    assert!(app.store.user_by_id(&id).await.unwrap().unwrap().is_disabled());
    let (_, page) = get(&b, &app, &base).await;
    assert!(page.contains("rides:order") && page.contains("Enable user"));
    let (_, audit) = get(&b, &app, &format!("/admin/audit?subject={id}")).await;
    assert!(audit.contains("permission_granted") && audit.contains("user_disabled"));
    assert!(audit.contains("user_email_verified"));
    assert!(audit.contains("admin:root@example.com"));
    let (_, only_disable) = get(&b, &app, "/admin/audit?action=user_disabled").await;
    assert!(!only_disable.contains("permission_granted"));
    let resp =
        post_form(&app, &b, &csrf, &format!("{base}/permissions"), &[("op", "add"), ("permission", "<b>")]).await;
    assert_eq!(resp.status(), 400);
}

async fn revoking_links_from_the_user_page_ends_the_tokens(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (client, tokens) = app.linked().await;
    let (b, csrf) = admin_browser(&app).await;
    let ada = app.store.user_by_email(&Email::parse(ADA.email).unwrap()).await.unwrap().unwrap();
    let links = app.store.user_links(&ada.id).await.unwrap();
    assert_eq!(links.len(), 1);
    let base = format!("/admin/users/{}", ada.id);
    let (_, page) = get(&b, &app, &base).await;
    assert!(page.contains("Test Skill") && page.contains("amzn1.account.ADA"));
    let (status, confirm) = get(&b, &app, &format!("{base}/confirm?action=revoke&link={}", links[0].id)).await;
    assert_eq!(status, 200);
    assert!(confirm.contains("Revoke this link?"));

    let resp = post_form(&app, &b, &csrf, &format!("{base}/links/revoke"), &[("link", &links[0].id)]).await;

    assert_eq!(resp.status(), 303);
    let (status, _) = app.userinfo(tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 401);
    let (status, body) = app.refresh(&client, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
}

async fn deleting_a_user_erases_personal_data_and_keeps_a_pseudonymous_trail(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (_client, tokens) = app.linked().await;
    let (b, csrf) = admin_browser(&app).await;
    let ada = app.store.user_by_email(&Email::parse(ADA.email).unwrap()).await.unwrap().unwrap();
    let base = format!("/admin/users/{}", ada.id);
    let (status, _) = get(&b, &app, &format!("{base}/confirm?action=delete")).await;
    assert_eq!(status, 200);

    let resp = post_form(&app, &b, &csrf, &format!("{base}/delete"), &[]).await;

    assert_eq!(resp.status(), 303);
    assert!(app.store.user_by_id(&ada.id).await.unwrap().is_none());
    let (status, _) = app.userinfo(tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 401);
    let (_, audit) = get(&b, &app, "/admin/audit").await;
    assert!(audit.contains("user_deleted") && audit.contains(&ada.id));
    assert!(!audit.to_lowercase().contains("ada@example.com"), "no email left in the audit log");
    assert!(!audit.contains("amzn1.account.ADA"), "no upstream account id left in the audit log");
}

async fn export_and_pre_provisioning_work_and_bad_input_is_a_400(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (b, csrf) = admin_browser(&app).await;

    let resp = post_form(
        &app,
        &b,
        &csrf,
        "/admin/users",
        &[("email", " Grace@Example.com"), ("name", "Grace"), ("permissions", "lights.on, rides:order")],
    )
    .await;

    assert_eq!(resp.status(), 303);
    let path = location(&resp).unwrap();
    let export: serde_json::Value =
        b.get(app.url(&format!("{path}/export"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(export["email"], "grace@example.com");
    assert_eq!(export["permissions"], serde_json::json!(["lights.on", "rides:order"]));
    let again = post_form(&app, &b, &csrf, "/admin/users", &[("email", "grace@example.com")]).await;
    assert_eq!(again.status(), 409);
    let bad = post_form(&app, &b, &csrf, "/admin/users", &[("email", "not-an-email")]).await;
    assert_eq!(bad.status(), 400);
    let (status, _) = get(&b, &app, "/admin/users/no-such-user").await;
    assert_eq!(status, 404);
    let (status, _) = get(&b, &app, &format!("{path}/confirm?action=explode")).await;
    assert_eq!(status, 400);
}

/// 200,000 users: the plans must read the keyset index (and, on Postgres,
/// the trigram indexes for a search) instead of sorting the whole table.
async fn users_list_is_served_by_indexes_at_scale(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    app.store.insert_synthetic_users(200_000, 1_700_000_000).await.unwrap();
    let page = UserQuery { limit: 51, ..Default::default() };

    let plain = app.store.explain_search_users(&page).await.unwrap();
    let active =
        app.store.explain_search_users(&UserQuery { sort: UserSort::LastActive, ..page.clone() }).await.unwrap();
    let search = app
        .store
        .explain_search_users(&UserQuery { search: Some("user123456@".into()), ..page.clone() })
        .await
        .unwrap();

    assert!(plain.contains("users_created"), "{plain}");
    assert!(active.contains("users_last_active"), "{active}");
    assert!(!plain.to_uppercase().contains("TEMP B-TREE") && !plain.contains("Sort "), "{plain}");
    if backend == Backend::Postgres {
        assert!(search.contains("users_email_trgm"), "{search}");
    }
    let found = app.store.search_users(&UserQuery { search: Some("USER123456@".into()), ..page }).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].email, "user123456@example.com");
}

async fn the_audit_log_pages_through_every_entry_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (b, _) = admin_browser(&app).await;
    for i in 0..130 {
        let target = format!("t{i:03}");
        // Several entries per second: the id breaks ties between pages.
        let event = linkbroker::store::AuditEvent {
            actor: "test",
            action: "probe",
            target: &target,
            detail: serde_json::json!({}),
        };
        app.store.audit(event, 1_000 + i / 7).await.unwrap();
    }

    let (_, first) = get(&b, &app, "/admin/audit?action=probe").await;
    let next = link_href(&first, "next").expect("an older-entries link").replace("&amp;", "&");
    let (_, second) = get(&b, &app, &next).await;

    assert!(link_href(&second, "next").is_none());
    for i in 0..130 {
        let cell = format!(">t{i:03}<");
        assert!(first.contains(&cell) != second.contains(&cell), "t{i:03} must be on exactly one page");
    }
    let (status, _) = get(&b, &app, "/admin/audit?before=junk").await;
    assert_eq!(status, 400);
}
