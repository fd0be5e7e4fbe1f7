//! RFC 8414 metadata and the JWKS.

use actix_web::{web, HttpResponse};

use crate::i18n::Lang;
use crate::web::AppState;

pub async fn metadata(state: web::Data<AppState>) -> HttpResponse {
    let iss = &state.auth.issuer;
    let ui_locales: Vec<&str> = Lang::ALL.iter().map(|l| l.tag()).collect();
    HttpResponse::Ok().insert_header(("Cache-Control", "public, max-age=300")).json(serde_json::json!({
        "issuer": iss.as_ref(),
        "authorization_endpoint": format!("{iss}/oauth/authorize"),
        "token_endpoint": format!("{iss}/oauth/token"),
        "revocation_endpoint": format!("{iss}/oauth/revoke"),
        "introspection_endpoint": format!("{iss}/oauth/introspect"),
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "userinfo_endpoint": format!("{iss}/oauth/userinfo"),
        "jwks_uri": format!("{iss}/oauth/jwks"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
        // The languages `ui_locales` can ask the pages for (README "Languages").
        "ui_locales_supported": ui_locales,
    }))
}

pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(state.auth.keys.jwks(state.auth.clock.now(), state.auth.settings.access_token_ttl))
}
