//! `GET /metrics`: Prometheus text format. It shows counts, not secrets,
//! but they are nobody else's business: only TCP peers in
//! `LINKBROKER_METRICS_ALLOW` (default: loopback and private networks) get
//! them. The peer, not `X-Forwarded-For`: a proxy in front must block the
//! path itself (see the README's proxy examples).

use actix_web::{web, HttpRequest, HttpResponse};

use crate::web::AppState;

pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let allowed = req.peer_addr().is_some_and(|peer| {
        let ip = peer.ip().to_canonical();
        state.auth.settings.metrics_allow.iter().any(|net| net.contains(&ip))
    });
    if !allowed {
        return HttpResponse::NotFound().finish();
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(state.metrics.render(&state.auth.store, state.auth.access_cache.counts()))
}
