//! The route table's building blocks. Every endpoint is declared once, with
//! its method; endpoints are then grouped by path into one resource each,
//! whose default answers `405 Method Not Allowed` with an `Allow` header
//! listing what that path serves (RFC 9110 §15.5.6), instead of the 404 a
//! route-per-method table gives.

use actix_web::http::Method;
use actix_web::{web, FromRequest, Handler, HttpResponse, Resource, Responder};

pub struct Endpoint {
    path: &'static str,
    method: Method,
    route: actix_web::Route,
}

pub fn at<F, Args>(path: &'static str, method: Method, handler: F) -> Endpoint
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    Endpoint { path, method: method.clone(), route: web::route().method(method).to(handler) }
}

/// One resource per path, in the order paths first appear (earlier
/// patterns win, as in any actix route table). `configure` may adjust each
/// resource (body limits).
pub fn resources(endpoints: Vec<Endpoint>) -> Vec<Resource> {
    let mut order: Vec<&'static str> = Vec::new();
    let mut grouped: Vec<(Vec<Method>, Vec<actix_web::Route>)> = Vec::new();
    for e in endpoints {
        let i = order.iter().position(|p| *p == e.path).unwrap_or_else(|| {
            order.push(e.path);
            grouped.push((Vec::new(), Vec::new()));
            order.len() - 1
        });
        grouped[i].0.push(e.method);
        grouped[i].1.push(e.route);
    }
    order
        .into_iter()
        .zip(grouped)
        .map(|(path, (methods, routes))| {
            let allow = methods.iter().map(Method::as_str).collect::<Vec<_>>().join(", ");
            routes.into_iter().fold(web::resource(path), Resource::route).default_service(web::to(move || {
                let allow = allow.clone();
                async move { method_not_allowed(&allow) }
            }))
        })
        .collect()
}

pub fn mount(cfg: &mut web::ServiceConfig, endpoints: Vec<Endpoint>) {
    for r in resources(endpoints) {
        cfg.service(r);
    }
}

/// Registers `resources` on a scope (the admin API).
pub fn mount_on(scope: actix_web::Scope, endpoints: Vec<Endpoint>) -> actix_web::Scope {
    resources(endpoints).into_iter().fold(scope, |s, r| s.service(r))
}

/// The body carries both the OAuth (`error_description`) and the admin API
/// (`message`) field name, so either kind of client reads it.
fn method_not_allowed(allow: &str) -> HttpResponse {
    let text = format!("this path answers {allow}");
    HttpResponse::MethodNotAllowed().insert_header(("Allow", allow.to_string())).json(serde_json::json!({
        "error": "method_not_allowed",
        "error_description": text,
        "message": text,
    }))
}
