//! Real headless Chromium driven over WebDriver (chromedriver started here on
//! a free port): an end user links through the dev identity provider and the
//! consent page; an admin signs in, finds the user, grants a permission,
//! disables them and sees it in the audit log, and fills in a client with
//! the Alexa preset. Screenshots of each page go to docs/screenshots/ for the
//! README (see `screenshot_path`). SQLite only: the browser adds nothing
//! a second backend would test.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

use crate::admin_support::{ADMIN_EMAIL, ADMIN_PASSWORD};
use crate::helpers::{DevApp, TempDir};

/// chromedriver and the browser profile, cleaned up however the test ends.
struct Driver {
    child: Child,
    url: String,
    _profile: TempDir,
    profile_dir: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts chromedriver, or `None` (with a notice) when it is not installed
/// and `LINKBROKER_REQUIRE_BROWSER` is not `1`.
async fn start_driver() -> Option<Driver> {
    let required = std::env::var("LINKBROKER_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let port = free_port();
    let child = match Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) if !required => {
            eprintln!("SKIPPED: chromedriver is not installed ({e}); apt-get install chromium chromium-driver");
            return None;
        }
        Err(e) => panic!("chromedriver is required (LINKBROKER_REQUIRE_BROWSER=1): {e}"),
    };
    let profile_dir = std::env::temp_dir().join(format!("lb-chrome-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&profile_dir).unwrap();
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _profile: TempDir::new(profile_dir.clone()),
        profile_dir,
    };
    // Ready when it accepts connections; generous for a loaded machine.
    for _ in 0..300 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Some(driver);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not listen on port {port} within 30 s");
}

async fn browser(driver: &Driver) -> Client {
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--window-size=1280,900",
        &format!("--user-data-dir={}", driver.profile_dir.display()),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), serde_json::json!({ "args": args }));
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

/// docs/screenshots/ with `LINKBROKER_SCREENSHOTS=1` (to refresh the
/// pictures in docs/admin.md); a temporary folder otherwise, so test runs leave the
/// working tree clean.
fn screenshot_path(name: &str) -> PathBuf {
    let dir = if std::env::var("LINKBROKER_SCREENSHOTS").is_ok_and(|v| v == "1") {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots")
    } else {
        std::env::temp_dir().join("linkbroker-screenshots")
    };
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}.png"))
}

async fn shot(c: &Client, name: &str) -> R<()> {
    let png = c.screenshot().await.map_err(|e| e.to_string())?;
    std::fs::write(screenshot_path(name), png).map_err(|e| e.to_string())
}

type R<T> = Result<T, String>;

/// Waits (at most 20 s, so a broken page fails instead of hanging) for
/// `selector`.
async fn css(c: &Client, selector: &str) -> R<fantoccini::elements::Element> {
    let found = c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css(selector)).await;
    match found {
        Ok(e) => Ok(e),
        Err(e) => {
            let url = c.current_url().await.map(|u| u.to_string()).unwrap_or_default();
            let page = c.source().await.unwrap_or_default();
            Err(format!("{selector} not found on {url}: {e}\n{page}"))
        }
    }
}

fn check(ok: bool, what: &str) -> R<()> {
    if ok {
        Ok(())
    } else {
        Err(what.to_string())
    }
}

async fn page_contains(c: &Client, text: &str) -> bool {
    c.source().await.unwrap_or_default().contains(text)
}

/// Waits (at most 20 s) until the page source contains `text`: after a
/// click, elements of the old page may still be found until the new one
/// has loaded, so steps wait for something only the new page has.
async fn wait_text(c: &Client, text: &str) -> R<()> {
    for _ in 0..200 {
        if page_contains(c, text).await {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("{text:?} never appeared on {}", c.current_url().await.map(|u| u.to_string()).unwrap_or_default()))
}

/// The demo client's authorization request, with `ui_locales` if given.
fn authorize_url(base: &str, client_id: &str, redirect: &str, lang: Option<&str>) -> String {
    let mut params =
        vec![("response_type", "code"), ("client_id", client_id), ("redirect_uri", redirect), ("state", "xyz")];
    params.push(("scope", "profile"));
    if let Some(lang) = lang {
        params.push(("ui_locales", lang));
    }
    format!("{base}/oauth/authorize?{}", serde_urlencoded::to_string(params).unwrap())
}

/// Signs `email` in with `ui_locales=lang` up to the consent page, checks
/// its `<html lang>` and that the approve button reads `allow`, takes the
/// screenshot `consent-<lang>`, and denies.
async fn consent_in(
    c: &Client,
    base: &str,
    client_id: &str,
    redirect: &str,
    lang: &str,
    email: &str,
    allow: &str,
) -> R<()> {
    c.goto(&authorize_url(base, client_id, redirect, Some(lang))).await.map_err(|e| e.to_string())?;
    let field = css(c, "#email").await?;
    check(page_contains(c, &format!("<html lang=\"{lang}\">")).await, "the sign-in page is in the asked language")?;
    field.clear().await.map_err(|e| e.to_string())?;
    field.send_keys(email).await.map_err(|e| e.to_string())?;
    css(c, "button[type=submit]").await?.click().await.map_err(|e| e.to_string())?;
    let approve = css(c, "button[value=approve]").await?;
    check(page_contains(c, &format!("<html lang=\"{lang}\">")).await, "the consent page is in the asked language")?;
    let label = approve.text().await.map_err(|e| e.to_string())?;
    check(label == allow, &format!("the {lang} approve button reads {allow:?}, not {label:?}"))?;
    shot(c, &format!("consent-{lang}")).await?;
    css(c, "button[value=deny]").await?.click().await.map_err(|e| e.to_string())?;
    for _ in 0..200 {
        if c.current_url().await.is_ok_and(|u| u.query().unwrap_or("").contains("error=access_denied")) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("denying the {lang} consent did not return access_denied"))
}

/// On a phone, a page that fits the screen does not scroll (a card of
/// `100vh` plus the footer used to scroll by the footer's height).
async fn no_scroll_for_nothing(c: &Client, what: &str) -> R<()> {
    let overflow: serde_json::Value = c
        .execute("return document.documentElement.scrollHeight - window.innerHeight;", vec![])
        .await
        .map_err(|e| e.to_string())?;
    check(overflow.as_i64().unwrap_or(i64::MAX) <= 0, &format!("{what} scrolls {overflow} px on a phone"))
}

async fn scenario(c: &Client, base: &str, client_id: &str, secret: &str, redirect: &str) -> R<()> {
    // The end user, on a phone-sized window as inside the Alexa app.
    c.set_window_size(412, 900).await.map_err(|e| e.to_string())?;
    c.goto(&authorize_url(base, client_id, redirect, None)).await.map_err(|e| e.to_string())?;
    let email = css(c, "#email").await?;
    shot(c, "dev-login").await?;
    no_scroll_for_nothing(c, "the sign-in page").await?;
    email.clear().await.map_err(|e| e.to_string())?;
    email.send_keys("grace@example.com").await.map_err(|e| e.to_string())?;
    let name = css(c, "#name").await?;
    name.clear().await.map_err(|e| e.to_string())?;
    name.send_keys("Grace <b>Hopper</b>").await.map_err(|e| e.to_string())?;
    css(c, "button[type=submit]").await?.click().await.map_err(|e| e.to_string())?;
    let allow = css(c, "button[value=approve]").await?;
    check(
        page_contains(c, "Ride Hailer").await && page_contains(c, "Grace &lt;b&gt;Hopper").await,
        "the consent page names the client and escapes the user's name",
    )?;
    shot(c, "consent").await?;
    no_scroll_for_nothing(c, "the consent page").await?;
    allow.click().await.map_err(|e| e.to_string())?;
    wait_text(c, "Account linked").await?;
    check(page_contains(c, "Account linked").await, "the dev callback page shows the linked account")?;
    let landed = c.current_url().await.map_err(|e| e.to_string())?;
    let code = landed.query_pairs().find(|(k, _)| k == "code").map(|(_, v)| v.to_string());
    let code = code.ok_or("the redirect carries a code")?;
    // The platform exchanges the code: that makes the link.
    let exchanged = reqwest::Client::new()
        .post(format!("{base}/oauth/token"))
        .basic_auth(client_id, Some(secret))
        .form(&[("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", redirect)])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    check(exchanged.status() == 200, "the code is exchanged")?;

    // Her own account page, on the phone: the link, how it was made, Unlink.
    c.goto(&format!("{base}/account")).await.map_err(|e| e.to_string())?;
    css(c, "a.button[href^='/account/login']").await?.click().await.map_err(|e| e.to_string())?;
    let email = css(c, "#email").await?;
    email.clear().await.map_err(|e| e.to_string())?;
    email.send_keys("grace@example.com").await.map_err(|e| e.to_string())?;
    css(c, "button[type=submit]").await?.click().await.map_err(|e| e.to_string())?;
    css(c, "li.link button").await?;
    check(
        page_contains(c, "Ride Hailer").await && page_contains(c, "Linked in the Alexa app").await,
        "the account page lists the link and how it was made",
    )?;
    shot(c, "account").await?;
    no_scroll_for_nothing(c, "the account page").await?;
    let wide: serde_json::Value = c
        .execute("return document.documentElement.scrollWidth - window.innerWidth;", vec![])
        .await
        .map_err(|e| e.to_string())?;
    check(wide.as_i64().unwrap_or(i64::MAX) <= 0, &format!("the account page scrolls sideways by {wide} px"))?;
    // Unlink, as the browser posts it (with whatever Origin it sends).
    css(c, "li.link button").await?.click().await.map_err(|e| e.to_string())?;
    wait_text(c, "is unlinked").await?;
    check(page_contains(c, "Nothing is linked").await, "the link is gone from the page")?;

    // The same consent page in German and in Japanese, still at phone width.
    consent_in(c, base, client_id, redirect, "de", "hans@example.com", "Zulassen").await?;
    consent_in(c, base, client_id, redirect, "ja", "hanako@example.com", "許可").await?;

    // The admin, on a desktop-sized window.
    c.set_window_size(1280, 900).await.map_err(|e| e.to_string())?;
    c.goto(&format!("{base}/admin/login")).await.map_err(|e| e.to_string())?;
    // The password field is styled like the email field, and a wrong
    // password is an alert that looks like one.
    css(c, "#email").await?.send_keys(ADMIN_EMAIL).await.map_err(|e| e.to_string())?;
    css(c, "#password").await?.send_keys("not the password").await.map_err(|e| e.to_string())?;
    css(c, "button[type=submit]").await?.click().await.map_err(|e| e.to_string())?;
    let alert = css(c, "[role=alert]").await?;
    check(alert.text().await.map_err(|e| e.to_string())?.contains("ncorrect"), "the refusal is the alert")?;
    let looks: serde_json::Value = c
        .execute(
            "const f = id => { const s = getComputedStyle(document.getElementById(id)); \
             return [document.getElementById(id).getBoundingClientRect().width, s.borderTopWidth, s.paddingTop]; }; \
             const a = getComputedStyle(document.querySelector('[role=alert]')); \
             return { email: f('email'), password: f('password'), alert: [a.color, a.backgroundColor] };",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    check(looks["email"] == looks["password"], &format!("the password field looks like the email field: {looks}"))?;
    check(looks["alert"][1] != "rgba(0, 0, 0, 0)", &format!("the alert has its own background: {looks}"))?;
    shot(c, "admin-login").await?;
    css(c, "#email").await?.clear().await.map_err(|e| e.to_string())?;
    css(c, "#email").await?.send_keys(ADMIN_EMAIL).await.map_err(|e| e.to_string())?;
    css(c, "#password").await?.send_keys(ADMIN_PASSWORD).await.map_err(|e| e.to_string())?;
    css(c, "button[type=submit]").await?.click().await.map_err(|e| e.to_string())?;
    css(c, "ul.stats").await?;
    shot(c, "admin-dashboard").await?;
    c.goto(&format!("{base}/admin/users")).await.map_err(|e| e.to_string())?;
    css(c, "#q").await?.send_keys("GRACE").await.map_err(|e| e.to_string())?;
    css(c, "form.filters button.primary").await?.click().await.map_err(|e| e.to_string())?;
    wait_text(c, "value=\"GRACE\"").await?;
    let link = css(c, "td a[href^='/admin/users/']").await?;
    shot(c, "admin-users").await?;
    link.click().await.map_err(|e| e.to_string())?;
    wait_text(c, "Add a permission").await?;
    css(c, "#permission").await?.send_keys("rides:order").await.map_err(|e| e.to_string())?;
    css(c, "form.filters button.primary").await?.click().await.map_err(|e| e.to_string())?;
    css(c, "ul.chips").await?;
    css(c, "form.inline button.danger").await?.click().await.map_err(|e| e.to_string())?;
    css(c, "form.inline button.primary").await?;
    check(
        page_contains(c, "rides:order").await && page_contains(c, "disabled").await,
        "the user page shows the permission and the disabled badge",
    )?;
    shot(c, "admin-user").await?;
    c.goto(&format!("{base}/admin/audit")).await.map_err(|e| e.to_string())?;
    wait_text(c, "<h1>Audit log</h1>").await?;
    check(
        page_contains(c, "user_disabled").await && page_contains(c, "permission_granted").await,
        "the audit log shows both admin actions",
    )?;
    shot(c, "admin-audit").await?;
    c.goto(&format!("{base}/admin/clients/new")).await.map_err(|e| e.to_string())?;
    css(c, "#alexa_vendor_id").await?.send_keys("M2VENDOR").await.map_err(|e| e.to_string())?;
    css(c, "button[value=alexa]").await?.click().await.map_err(|e| e.to_string())?;
    wait_text(c, "https://pitangui.amazon.com/api/skill/link/M2VENDOR").await?;
    check(
        page_contains(c, "https://layla.amazon.com/api/skill/link/M2VENDOR").await,
        "the Alexa preset filled in the EU redirect URI",
    )?;
    shot(c, "admin-client").await?;

    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_end_user_links_and_an_admin_manages_them_in_chromium() {
    let Some(driver) = start_driver().await else { return };
    let app = DevApp::spawn().await;
    let (base, redirect, store) = (app.base.clone(), app.redirect.clone(), app.store.clone());
    crate::helpers::manager(&store)
        .add_admin(&linkbroker::domain::Actor::cli(), ADMIN_EMAIL, ADMIN_PASSWORD.to_string())
        .await
        .unwrap();
    let client_id = app.client("Ride Hailer", false).await;
    let secret = crate::helpers::manager(&store)
        .rotate_client_secret(&linkbroker::domain::Actor::cli(), &client_id)
        .await
        .unwrap()
        .expose()
        .to_string();
    let c = browser(&driver).await;

    // Close the session even when a step fails, so Chromium does not linger.
    let outcome = scenario(&c, &base, &client_id, &secret, &redirect).await;
    c.close().await.unwrap();
    outcome.unwrap();
    let user = store.user_by_email(&linkbroker::domain::Email::parse("grace@example.com").unwrap()).await.unwrap();
    let user = user.expect("the linked user exists");
    assert!(user.is_disabled());
    assert_eq!(store.user_permissions(&user.id).await.unwrap(), ["rides:order"]);
}
