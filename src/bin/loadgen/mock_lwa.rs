//! An in-process mock Login with Amazon: every code names a distinct Amazon
//! user (`u<n>`), so each benchmarked link creates a new user and shows a
//! consent page. It also plays the Alexa event gateway (`/v3/events`: 202),
//! and its token endpoint answers AcceptGrant codes the same way.

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

pub struct MockLwa {
    pub base: String,
}

async fn token(form: web::Form<std::collections::HashMap<String, String>>) -> HttpResponse {
    let code = form.get("code").cloned().unwrap_or_default();
    HttpResponse::Ok().json(serde_json::json!({
        "access_token": format!("Atza|{code}"), "refresh_token": "Atzr|x", "token_type": "bearer", "expires_in": 3600
    }))
}

async fn profile(req: HttpRequest) -> HttpResponse {
    let auth = req.headers().get("Authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
    let who = auth.rsplit('|').next().unwrap_or("anon");
    HttpResponse::Ok().json(serde_json::json!({
        "user_id": format!("amzn1.account.BENCH{who}"), "name": format!("Bench {who}"), "email": format!("{who}@bench.example")
    }))
}

pub async fn start() -> anyhow::Result<MockLwa> {
    let server = HttpServer::new(|| {
        App::new()
            .route("/auth/o2/token", web::post().to(token))
            .route("/user/profile", web::get().to(profile))
            // The body is read, as Amazon's gateway reads it: a handler that
            // leaves it unread makes actix close the connection, so every
            // caller would open a new one per event.
            .route("/v3/events", web::post().to(|_body: web::Bytes| async { HttpResponse::Accepted().finish() }))
    })
    .workers(1)
    // Idle connections stay open longer than linkbroker's pool keeps them
    // (30 s), as a real gateway's do: with actix's default of 5 s, an
    // event sent on a connection the mock was closing failed the soak.
    .keep_alive(std::time::Duration::from_secs(75))
    .bind(("127.0.0.1", 0))?;
    let addr = server.addrs()[0];
    tokio::spawn(server.run());
    Ok(MockLwa { base: format!("http://{addr}") })
}
