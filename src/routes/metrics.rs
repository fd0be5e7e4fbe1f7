//! `GET /metrics`: Prometheus text format. It shows counts, not secrets, but
//! operators should still keep it off the public internet (see the README's
//! proxy examples).

use actix_web::{web, HttpResponse};

use super::AppState;

pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(state.metrics.render(&state.auth.store))
}
