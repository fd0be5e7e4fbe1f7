//! `/admin/login`: uniform failures, throttling, sessions, CSRF.

use crate::admin_support::{admin_browser, create_admin, post_form, post_login, ADMIN_EMAIL, ADMIN_PASSWORD};
use crate::both_backends;
use crate::helpers::{browser, location, spawn_app, Backend};

both_backends!(
    sign_in_opens_the_dashboard_with_a_strict_http_only_cookie,
    unknown_email_and_wrong_password_get_the_same_answer,
    admin_pages_send_visitors_without_a_session_to_sign_in,
    posts_with_a_wrong_csrf_token_are_refused,
    repeated_failures_lock_the_account_even_for_the_right_password,
    sign_out_ends_the_session_everywhere,
    sessions_expire_after_idle_time_and_absolute_lifetime,
    sign_in_without_the_form_cookie_is_refused,
    parallel_wrong_passwords_do_not_get_past_the_throttle,
);

async fn sign_in_opens_the_dashboard_with_a_strict_http_only_cookie(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    create_admin(&app).await;
    let b = browser();

    let resp = post_login(&app, &b, "Root@Example.com ", ADMIN_PASSWORD).await;

    assert_eq!(resp.status(), 303);
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("lb_admin="))
        .expect("session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/admin"));
    assert!(!cookie.contains("Secure"), "loopback http gets no Secure flag: {cookie}");
    let dash = b.get(app.url("/admin")).send().await.unwrap();
    assert_eq!(dash.status(), 200);
    let csp = dash.headers().get("content-security-policy").unwrap().to_str().unwrap().to_string();
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{csp}");
    assert!(dash.text().await.unwrap().contains(ADMIN_EMAIL));
    assert!(app.audit_actions().await.contains(&"admin_login".to_string()));
}

async fn unknown_email_and_wrong_password_get_the_same_answer(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    create_admin(&app).await;

    let wrong = post_login(&app, &browser(), ADMIN_EMAIL, "not the password").await;
    let unknown = post_login(&app, &browser(), "nobody@example.com", "not the password").await;

    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    let (a, b) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    assert!(a.contains("Email or password is incorrect.") && b.contains("Email or password is incorrect."));
    // Same page apart from the echoed email and the fresh form token.
    let strip = |s: &str, email: &str| {
        s.replace(email, "").lines().filter(|l| !l.contains("name=\"csrf\"")).collect::<Vec<_>>().join("\n")
    };
    assert_eq!(strip(&a, ADMIN_EMAIL), strip(&b, "nobody@example.com"));
    let failures = app.audit_actions().await.iter().filter(|a| *a == "admin_login_failed").count();
    assert_eq!(failures, 2);
}

async fn admin_pages_send_visitors_without_a_session_to_sign_in(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let b = browser();
    for path in ["/admin", "/admin/users", "/admin/audit", "/admin/users/x", "/admin/users/x/export"] {
        let resp = b.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 303, "{path}");
        assert_eq!(location(&resp).as_deref(), Some("/admin/login"), "{path}");
    }
    let resp = b.post(app.url("/admin/users/x/status")).form(&[("csrf", "x"), ("op", "disable")]).send().await.unwrap();
    assert_eq!(resp.status(), 303);
}

async fn posts_with_a_wrong_csrf_token_are_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (b, _csrf) = admin_browser(&app).await;
    let email = linkbroker::domain::Email::parse("ada@example.com").unwrap();
    let user = app.store.create_user(&email, "Ada", &[], false, 1).await.unwrap();

    let path = format!("/admin/users/{}/status", user.id);
    let resp = post_form(&app, &b, "forged", &path, &[("op", "disable")]).await;

    assert_eq!(resp.status(), 403);
    assert!(!app.store.user_by_id(&user.id).await.unwrap().unwrap().is_disabled());
}

async fn repeated_failures_lock_the_account_even_for_the_right_password(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    create_admin(&app).await;
    let b = browser();
    let mut locked = false;
    for _ in 0..6 {
        if post_login(&app, &b, ADMIN_EMAIL, "guess").await.status() == 429 {
            locked = true;
            break;
        }
    }
    assert!(locked, "six failures in a row must lock the account");

    let resp = post_login(&app, &browser(), ADMIN_EMAIL, ADMIN_PASSWORD).await;

    assert_eq!(resp.status(), 429);
    assert!(resp.headers().get("retry-after").is_some());
    assert!(resp.text().await.unwrap().contains("Too many failed attempts"));

    // An hour without failures: the count starts over (the quiet row is purged by
    // the next failure of any key, or reset by its own).
    let far = linkbroker::clock::now() + 7200;
    let key = format!("email:{ADMIN_EMAIL}");
    app.store.reserve_login_attempt("email:other@example.com", 3600, |_| 0, far).await.unwrap();
    assert_eq!(app.store.login_locked_for(&key, far).await.unwrap(), 0);
    let n = app.store.reserve_login_attempt(&key, 3600, |_| 0, far).await.unwrap();
    assert_eq!(n, Some(1), "the count starts over after an hour without failures");
}

async fn parallel_wrong_passwords_do_not_get_past_the_throttle(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    create_admin(&app).await;
    // One form cookie and CSRF token, reused by thirty posts at once (a
    // client without a cookie jar, so every post sends that same cookie).
    let page = app.api.get(app.url("/admin/login")).send().await.unwrap();
    let cookie = page.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let csrf = crate::helpers::hidden_field(&page.text().await.unwrap(), "csrf").unwrap();
    let posts: Vec<_> = (0..30)
        .map(|_| {
            let req = app.api.post(app.url("/admin/login")).header("Cookie", cookie.as_str()).form(&[
                ("email", ADMIN_EMAIL),
                ("password", "wrong-guess"),
                ("csrf", csrf.as_str()),
            ]);
            tokio::spawn(async move { req.send().await.unwrap().status().as_u16() })
        })
        .collect();
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for p in posts {
        *statuses.entry(p.await.unwrap()).or_default() += 1;
    }
    let verified = statuses.get(&401).copied().unwrap_or(0);
    assert!(verified <= 4, "only the free attempts are checked against the password: {statuses:?}");

    // The reservation itself is atomic, whatever the cap on verifications:
    // of thirty at once, exactly the free ones get through.
    let now = linkbroker::clock::now();
    let store = std::sync::Arc::new(app.store.clone());
    let reservations: Vec<_> = (0..30)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store.reserve_login_attempt("email:racer@example.com", 3600, |n| if n < 3 { 0 } else { 60 }, now).await
            })
        })
        .collect();
    let mut granted = 0;
    for r in reservations {
        granted += usize::from(r.await.unwrap().unwrap().is_some());
    }
    assert_eq!(granted, 3, "two free attempts, the third locks the key for the rest");
    assert_eq!(verified + statuses.get(&429).unwrap_or(&0) + statuses.get(&503).unwrap_or(&0), 30, "{statuses:?}");
}

async fn sign_out_ends_the_session_everywhere(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let (b, csrf) = admin_browser(&app).await;

    let resp = post_form(&app, &b, &csrf, "/admin/logout", &[]).await;

    assert_eq!(resp.status(), 303);
    assert_eq!(b.get(app.url("/admin")).send().await.unwrap().status(), 303);
}

async fn sessions_expire_after_idle_time_and_absolute_lifetime(backend: Backend) {
    use linkbroker::store::SessionLimits;
    let Some(app) = spawn_app(backend).await else { return };
    create_admin(&app).await;
    let admin = app.store.admin_by_email(&linkbroker::domain::Email::parse(ADMIN_EMAIL).unwrap()).await.unwrap();
    let admin = admin.unwrap();
    let limits = SessionLimits { idle: 100, absolute: 1000 };
    app.store.create_admin_session("h", &admin, 10_000).await.unwrap();

    // Active every 90 s: survives idle checks until the absolute limit.
    for t in [10_090, 10_180, 10_270] {
        assert!(app.store.touch_admin_session("h", limits, t).await.unwrap().is_some(), "at {t}");
    }
    assert!(app.store.touch_admin_session("h", limits, 10_371).await.unwrap().is_none(), "idle for 101 s");
    app.store.create_admin_session("k", &admin, 20_000).await.unwrap();
    for t in (20_090..21_000).step_by(90) {
        assert!(app.store.touch_admin_session("k", limits, t).await.unwrap().is_some());
    }
    assert!(app.store.touch_admin_session("k", limits, 21_000).await.unwrap().is_none(), "absolute limit");
    app.store.create_admin_session("live", &admin, 30_000).await.unwrap();
    assert_eq!(app.store.purge_admin_sessions(limits, 30_050).await.unwrap(), 2, "only the expired ones go");
    assert!(app.store.touch_admin_session("live", limits, 30_060).await.unwrap().is_some());
}

async fn sign_in_without_the_form_cookie_is_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    create_admin(&app).await;
    let resp = app
        .api
        .post(app.url("/admin/login"))
        .form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD), ("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}
