//! `POST /oauth/revoke` (RFC 7009) and `POST /oauth/introspect` (RFC 7662),
//! both authenticated like the token endpoint.

use actix_web::{web, HttpRequest, HttpResponse};

use super::token::{authenticated_client, error_response};
use crate::web::AppState;

pub async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Result<web::Bytes, actix_web::Error>,
) -> HttpResponse {
    let body = match super::token::oauth_body(body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let (client, params, via_basic) = match authenticated_client(&req, &state, &body).await {
        Ok(x) => x,
        Err(response) => return response,
    };
    match state.auth.revoke(&client, &params, state.auth.clock.now()).await {
        Ok(()) => HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).finish(),
        Err(e) => error_response(&e, via_basic),
    }
}

pub async fn introspect(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Result<web::Bytes, actix_web::Error>,
) -> HttpResponse {
    let body = match super::token::oauth_body(body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let (client, params, via_basic) = match authenticated_client(&req, &state, &body).await {
        Ok(x) => x,
        Err(response) => return response,
    };
    match state.auth.introspect(&client, &params, state.auth.clock.now()).await {
        Ok(answer) => HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(answer),
        Err(e) => error_response(&e, via_basic),
    }
}
