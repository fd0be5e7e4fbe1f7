//! Pages and speech in the user's language (README "Languages"): every
//! person-facing page in every catalog, `ui_locales` kept with the request
//! over the browser's `Accept-Language`, the Google consent wording, and
//! `/alexa` speech by `request.locale`.

use linkbroker::domain::{Actor, ClientDraft, ConsentPreset};
use linkbroker::i18n::Lang;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT_LANGUAGE};
use serde_json::{json, Value};

use crate::alexa_signing::Req;
use crate::both_backends;
use crate::helpers::{
    hidden_field, location, manager, query_param, spawn_app, spawn_app_with, speech, Backend, Client, DevApp, TestApp,
    ADA, ALEXA_REDIRECT,
};

both_backends!(
    every_page_renders_in_every_language,
    ui_locales_is_kept_with_the_request_over_the_browser_language,
    the_browser_language_is_used_when_ui_locales_names_none_we_speak,
    google_clients_get_googles_consent_wording,
    skill_speech_follows_the_request_locale,
    the_consent_wording_is_set_through_the_api,
    a_request_found_in_another_browser_keeps_its_language,
    the_limit_page_and_unreadable_forms_speak_the_language_too,
);

/// A cookie-keeping browser that does not follow redirects and sends
/// `Accept-Language: accept` (none when empty).
fn browser_speaking(accept: &str) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    if !accept.is_empty() {
        headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_str(accept).unwrap());
    }
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap()
}

async fn client_with_consent(app: &TestApp, consent: ConsentPreset) -> Client {
    let draft = ClientDraft {
        name: "Acme <Home>".into(),
        redirect_uris: vec![ALEXA_REDIRECT.into()],
        scopes: vec!["profile".into(), "rides:order".into()],
        consent,
        ..Default::default()
    };
    let (id, secret) = manager(&app.store).create_client(&Actor::cli(), &draft).await.unwrap();
    Client { id: id.as_str().to_string(), secret: secret.expose().to_string() }
}

/// A page in `lang`: it says so in `<html lang>` and `Content-Language`,
/// and no message fell through to its `[id]`.
async fn page_in(resp: reqwest::Response, lang: Lang, what: &str) -> String {
    let header = resp.headers().get("content-language").map(|v| v.to_str().unwrap().to_string());
    assert_eq!(header.as_deref(), Some(lang.tag()), "{what}: Content-Language");
    let html = resp.text().await.unwrap();
    assert!(html.contains(&format!("<html lang=\"{}\">", lang.tag())), "{what} in {}: {html}", lang.tag());
    assert!(!html.contains('['), "{what} in {}: a message is missing: {html}", lang.tag());
    html
}

/// The text of the first `<h1>`.
fn heading(html: &str) -> String {
    let start = html.find("<h1>").expect("a heading") + 4;
    html[start..start + html[start..].find("</h1>").unwrap()].to_string()
}

/// Runs the authorization up to the consent page in `lang` (chosen with
/// `ui_locales`), checking the hand-off page on the way; returns the
/// browser and the consent page.
async fn consent_page(app: &TestApp, client: &Client, lang: Lang) -> (reqwest::Client, String) {
    let b = browser_speaking("");
    let mut params = TestApp::alexa_params(client, "st");
    params.push(("ui_locales", lang.tag()));
    let handoff = app.authorize(&b, &params).await;
    assert_eq!(handoff.status(), 302);
    let to_amazon = location(&handoff).unwrap();
    let html = page_in(handoff, lang, "hand-off").await;
    assert!(html.contains(&to_amazon.replace('&', "&amp;")), "the hand-off links to Amazon");
    let state = query_param(&to_amazon, "state").unwrap();
    let resp = b.get(app.url(&format!("/oauth/callback?code=c&state={state}"))).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    let page = b.get(app.url(&location(&resp).unwrap())).send().await.unwrap();
    assert_eq!(page.status(), 200);
    (b.clone(), page_in(page, lang, "consent").await)
}

async fn every_page_renders_in_every_language(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    app.amazon_user(&ADA).await;
    let alexa = client_with_consent(&app, ConsentPreset::Alexa).await;
    let google = client_with_consent(&app, ConsentPreset::Google).await;
    let mut english = Vec::new();
    for lang in Lang::ALL {
        // Consent, in both wordings; the client's name is escaped.
        let (b, alexa_page) = consent_page(&app, &alexa, lang).await;
        assert!(alexa_page.contains("<strong>Acme &lt;Home&gt;</strong>"), "{}", lang.tag());
        let (_, google_page) = consent_page(&app, &google, lang).await;

        // An answer without a decision: the error page in the page's language.
        let request = hidden_field(&alexa_page, "request").unwrap();
        let csrf = hidden_field(&alexa_page, "csrf").unwrap();
        let form = [("request", request.as_str()), ("csrf", csrf.as_str()), ("lang", lang.tag())];
        let no_decision = b.post(app.url("/oauth/consent")).form(&form).send().await.unwrap();
        assert_eq!(no_decision.status(), 400);
        let no_decision = page_in(no_decision, lang, "no decision").await;

        // An untrusted request: its page, never a redirect.
        let unknown = b
            .get(app.url(&format!("/oauth/authorize?client_id=nobody&ui_locales={}", lang.tag())))
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), 400);
        let unknown = page_in(unknown, lang, "unknown client").await;

        // A stale sign-in, where only the browser's language is known.
        let stale =
            browser_speaking(lang.tag()).get(app.url("/oauth/callback?code=c&state=stale")).send().await.unwrap();
        assert_eq!(stale.status(), 400);
        let stale = page_in(stale, lang, "expired sign-in").await;

        // Cancelled at Amazon: the language kept from ui_locales, and a way back.
        let b = browser_speaking("");
        let mut params = TestApp::alexa_params(&alexa, "st");
        params.push(("ui_locales", lang.tag()));
        let state = query_param(&location(&app.authorize(&b, &params).await).unwrap(), "state").unwrap();
        let url = app.url(&format!("/oauth/callback?error=access_denied&state={state}"));
        let cancelled = b.get(url).send().await.unwrap();
        assert_eq!(cancelled.status(), 400);
        let cancelled = page_in(cancelled, lang, "cancelled").await;
        assert!(cancelled.contains("error=access_denied"), "the way back tells the client");

        let headings: Vec<String> = [&alexa_page, &google_page, &no_decision, &unknown, &stale, &cancelled]
            .iter()
            .map(|h| heading(h))
            .collect();
        if lang == Lang::En {
            english = headings;
        } else {
            // Translated, not English left in place.
            for (h, en) in headings.iter().zip(&english) {
                assert_ne!(h, en, "{} still says {en:?}", lang.tag());
            }
        }
    }
}

async fn ui_locales_is_kept_with_the_request_over_the_browser_language(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    app.amazon_user(&ADA).await;
    let client = app.alexa_client().await;
    // A German browser, but the platform asked for Japanese (after a
    // language we lack): every page after the sign-in speaks Japanese.
    let b = browser_speaking("de-DE,de;q=0.9");
    let mut params = TestApp::alexa_params(&client, "st");
    params.push(("ui_locales", "zz-ZZ ja-JP"));
    let resp = app.login_until_callback(&b, &params).await;
    let page = b.get(app.url(&location(&resp).unwrap())).send().await.unwrap();
    let html = page_in(page, Lang::Ja, "consent").await;
    assert!(html.contains("name=\"lang\" value=\"ja\""), "the form carries the language");
    let request = hidden_field(&html, "request").unwrap();
    let csrf = hidden_field(&html, "csrf").unwrap();
    let form = [("request", request.as_str()), ("csrf", csrf.as_str()), ("decision", "approve"), ("lang", "ja")];
    let done = b.post(app.url("/oauth/consent")).form(&form).send().await.unwrap();
    assert_eq!(done.status(), 303);
    assert!(query_param(&location(&done).unwrap(), "code").is_some());
}

async fn the_browser_language_is_used_when_ui_locales_names_none_we_speak(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    app.amazon_user(&ADA).await;
    let client = app.alexa_client().await;
    for (ui_locales, accept, expected) in [
        (None, "de-DE,de;q=0.9,en;q=0.5", Lang::De),
        (Some("zh-TW"), "fr-CA,fr;q=0.9", Lang::Fr),
        (None, "pt-PT", Lang::PtBr),
        (None, "en;q=0.2, hi;q=0.8", Lang::Hi),
        (None, "ko-KR", Lang::En),
        (None, "", Lang::En),
    ] {
        let b = browser_speaking(accept);
        let mut params = TestApp::alexa_params(&client, "st");
        if let Some(u) = ui_locales {
            params.push(("ui_locales", u));
        }
        let resp = app.login_until_callback(&b, &params).await;
        let page = b.get(app.url(&location(&resp).unwrap())).send().await.unwrap();
        page_in(page, expected, &format!("consent for {accept:?}")).await;
    }
}

async fn google_clients_get_googles_consent_wording(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    app.amazon_user(&ADA).await;
    let google = client_with_consent(&app, ConsentPreset::Google).await;
    let (b, html) = consent_page(&app, &google, Lang::En).await;
    assert_eq!(heading(&html), "Link your account to Google");
    assert!(html.contains("will link your account to Google."));
    assert!(html.contains("Once linked, Google will be able to:"));
    assert!(html.contains(">Agree and link</button>") && html.contains(">Cancel</button>"));
    assert!(html.contains("href=\"https://policies.google.com/privacy?hl=en\""));
    let (_, de) = consent_page(&app, &google, Lang::De).await;
    assert!(de.contains("policies.google.com/privacy?hl=de") && de.contains("Google"));

    let alexa = client_with_consent(&app, ConsentPreset::Alexa).await;
    let (_, alexa_html) = consent_page(&app, &alexa, Lang::En).await;
    assert!(alexa_html.contains(">Allow</button>") && alexa_html.contains(">Deny</button>"));
    assert!(!alexa_html.contains("Google"), "the Alexa wording does not mention Google");

    // The buttons' values stay `approve`/`deny` whatever they read.
    let request = hidden_field(&html, "request").unwrap();
    let csrf = hidden_field(&html, "csrf").unwrap();
    let form = [("request", request.as_str()), ("csrf", csrf.as_str()), ("decision", "approve")];
    let done = b.post(app.url("/oauth/consent")).form(&form).send().await.unwrap();
    assert!(query_param(&location(&done).unwrap(), "code").is_some());
}

async fn skill_speech_follows_the_request_locale(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let ask = |req: Req<'_>| {
        let body = req.body();
        let app = &app;
        async move {
            let (status, answer) = app.alexa_raw(body, None, None).await;
            assert_eq!(status, 200, "{answer}");
            answer
        }
    };
    let english = speech(&ask(Req::launch(None)).await).to_string();
    for (locale, expected) in [
        ("de-DE", "verknüpfen Sie Ihr Konto"),
        ("ja-JP", "アカウントをリンク"),
        ("es-MX", "vincula tu cuenta"),
        ("hi-IN", "अकाउंट लिंक"),
        ("ar-SA", "link your account"),
    ] {
        let answer = ask(Req { locale, ..Req::launch(None) }).await;
        assert!(speech(&answer).contains(expected), "{locale}: {answer}");
        assert_eq!(answer["response"]["card"]["type"], "LinkAccount");
        assert_eq!(speech(&answer) == english, locale == "ar-SA", "{locale}");
    }
    let (_, tokens) = app.linked().await;
    let token = tokens["access_token"].as_str().unwrap();
    let hello = ask(Req { locale: "ja-JP", ..Req::launch(Some(token)) }).await;
    assert_eq!(speech(&hello), "こんにちは、Ada さん。");
    let bye = ask(Req { locale: "fr-FR", ..Req::intent("AMAZON.StopIntent", None) }).await;
    assert_ne!(speech(&bye), "Goodbye.");
    let help = ask(Req { locale: "it-IT", ..Req::intent("AMAZON.HelpIntent", Some(token)) }).await;
    assert!(help["response"]["reprompt"]["outputSpeech"]["text"].as_str().is_some_and(|r| !r.is_empty()));
}

async fn the_consent_wording_is_set_through_the_api(backend: Backend) {
    use reqwest::Method;
    let Some(app) = spawn_app(backend).await else { return };
    crate::admin_support::create_admin(&app).await;
    let token = crate::admin_support::api_token(&app, "test").await;
    let call = |method: Method, path: String, body: Option<Value>| {
        let (app, token) = (&app, token.clone());
        async move { crate::admin_support::api_call(app, &token, method, &path, body).await }
    };
    let body = json!({ "name": "Home", "redirect_uris": ["https://oauth-redirect.googleusercontent.com/r/p"],
                       "scopes": ["profile"], "consent": "google" });
    let (status, created) = call(Method::POST, "/admin/api/clients".into(), Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["client_id"].as_str().unwrap().to_string();
    let consent_of = |id: String| {
        let list = call(Method::GET, "/admin/api/clients".into(), None);
        async move {
            let (_, list) = list.await;
            let found = list.as_array().unwrap().iter().find(|c| c["id"] == id.as_str()).cloned();
            found.expect("the client is listed")["consent"].clone()
        }
    };
    assert_eq!(consent_of(id.clone()).await, "google");
    // An update that does not name it keeps it.
    let path = format!("/admin/api/clients/{id}");
    let update = json!({ "name": "Home 2", "redirect_uris": ["https://oauth-redirect.googleusercontent.com/r/p"] });
    assert_eq!(call(Method::PUT, path.clone(), Some(update)).await.0, 204);
    assert_eq!(consent_of(id.clone()).await, "google");
    let bad = json!({ "name": "Home", "redirect_uris": ["https://a.example/cb"], "consent": "siri" });
    let (status, err) = call(Method::PUT, path, Some(bad)).await;
    assert_eq!(status, 400);
    assert!(err["message"].as_str().unwrap().contains("alexa or google"), "{err}");
    let plain = json!({ "name": "Skill", "redirect_uris": [ALEXA_REDIRECT] });
    let (status, plain) = call(Method::POST, "/admin/api/clients".into(), Some(plain)).await;
    assert_eq!(status, 201);
    assert_eq!(consent_of(plain["client_id"].as_str().unwrap().to_string()).await, "alexa", "the default");
}

async fn a_request_found_in_another_browser_keeps_its_language(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let client = app.alexa_client().await;
    let mut params = TestApp::alexa_params(&client, "st");
    params.push(("ui_locales", "hi"));
    let started = app.authorize(&browser_speaking(""), &params).await;
    let state = query_param(&location(&started).unwrap(), "state").unwrap();
    // Finished in an English browser that never started it: refused, in
    // the language the request asked for.
    let other = browser_speaking("en-US");
    let resp = other.get(app.url(&format!("/oauth/callback?code=c&state={state}"))).send().await.unwrap();
    assert_eq!(resp.status(), 400);
    page_in(resp, Lang::Hi, "another browser").await;
}

async fn the_limit_page_and_unreadable_forms_speak_the_language_too(backend: Backend) {
    let env = [("LINKBROKER_RATE_LIMIT_AUTHORIZE_PER_IP", "1/min")];
    let Some(app) = spawn_app_with(backend, &env).await else { return };
    let client = app.alexa_client().await;
    let b = browser_speaking("");
    assert_eq!(app.authorize(&b, &TestApp::alexa_params(&client, "s")).await.status(), 302);
    for lang in Lang::ALL {
        let mut params = TestApp::alexa_params(&client, "s");
        params.push(("ui_locales", lang.tag()));
        let limited = app.authorize(&b, &params).await;
        assert_eq!(limited.status(), 429);
        page_in(limited, lang, "too many attempts").await;
        // A consent answer that does not parse (a field twice): a page.
        let body = format!("request=a&csrf=b&decision=approve&lang={0}&lang={0}", lang.tag());
        let resp = browser_speaking(lang.tag())
            .post(app.url("/oauth/consent"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403);
        page_in(resp, lang, "unreadable consent form").await;
    }
}

/// `serve --dev`'s sign-in page (language from `ui_locales`, carried in its
/// address), its error, and the code page (the browser's language).
#[tokio::test]
async fn the_development_pages_render_in_every_language() {
    let app = DevApp::spawn().await;
    let id = app.client("Demo", false).await;
    let mut english = Vec::new();
    for lang in Lang::ALL {
        let b = browser_speaking("");
        let query = serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", id.as_str()),
            ("redirect_uri", app.redirect.as_str()),
            ("state", "s"),
            ("ui_locales", lang.tag()),
        ])
        .unwrap();
        let to = location(&b.get(format!("{}/oauth/authorize?{query}", app.base)).send().await.unwrap()).unwrap();
        let sign_in = page_in(b.get(&to).send().await.unwrap(), lang, "dev sign-in").await;
        assert!(sign_in.contains(&format!("name=\"lang\" value=\"{}\"", lang.tag())));
        let state = query_param(&to, "state").unwrap();
        let form = [("state", state.as_str()), ("email", "not-an-email"), ("lang", lang.tag())];
        let bad = b.post(format!("{}/dev/login", app.base)).form(&form).send().await.unwrap();
        assert_eq!(bad.status(), 400);
        let bad = page_in(bad, lang, "dev sign-in error").await;
        let code_page = browser_speaking(lang.tag()).get(format!("{}/dev/callback?code=abc", app.base));
        let code_page = page_in(code_page.send().await.unwrap(), lang, "dev code page").await;
        let headings = [heading(&sign_in), heading(&bad), heading(&code_page)];
        if lang == Lang::En {
            english = headings.to_vec();
        } else {
            for (h, en) in headings.iter().zip(&english) {
                assert_ne!(h, en, "{} still says {en:?}", lang.tag());
            }
        }
    }
}
