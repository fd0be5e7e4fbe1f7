//! Per request: a request id (the caller's `X-Request-Id` when it is sane,
//! else a fresh one), echoed in the response and attached to every log line
//! of the request through a span; then one log line with method, route
//! pattern (never the path's query string, which carries codes and states),
//! status and latency, and the same numbers into `/metrics`.

use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::time::Instant;

use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{Error, HttpMessage};
use tracing::Instrument;

use crate::metrics::Metrics;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the current request, in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub struct RequestLog {
    metrics: Metrics,
}

impl RequestLog {
    pub fn new(metrics: Metrics) -> Self {
        Self { metrics }
    }
}

impl<S, B> Transform<S, ServiceRequest> for RequestLog
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Transform = RequestLogService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RequestLogService { service, metrics: self.metrics.clone() }))
    }
}

pub struct RequestLogService<S> {
    service: S,
    metrics: Metrics,
}

/// An incoming id is kept only if it is short and plain, so a caller cannot
/// inject log lines or huge values; anything else gets a fresh id.
pub fn accept_request_id(incoming: Option<&str>) -> String {
    match incoming {
        Some(id)
            if !id.is_empty()
                && id.len() <= 64
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) =>
        {
            id.to_string()
        }
        _ => uuid::Uuid::new_v4().simple().to_string(),
    }
}

impl<S, B> Service<ServiceRequest> for RequestLogService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>>>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let started = Instant::now();
        let method = req.method().to_string();
        let id = accept_request_id(req.headers().get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()));
        req.extensions_mut().insert(RequestId(id.clone()));
        let span = tracing::info_span!("request", request_id = %id);
        let fut = span.in_scope(|| self.service.call(req));
        let metrics = self.metrics.clone();
        Box::pin(
            async move {
                let result = fut.await;
                let (route, status) = match &result {
                    Ok(res) => (route_of(res.request()), res.status().as_u16()),
                    Err(e) => ("unmatched".to_string(), e.as_response_error().status_code().as_u16()),
                };
                let elapsed = started.elapsed();
                metrics.observe_request(&method, &route, status, elapsed);
                let ms = elapsed.as_secs_f64() * 1000.0;
                tracing::info!(method = %method, route = %route, status, latency_ms = format!("{ms:.2}"), "request");
                let mut res = result?;
                if let Ok(value) = HeaderValue::from_str(&id) {
                    res.headers_mut().insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
                }
                Ok(res)
            }
            .instrument(span),
        )
    }
}

/// The matched route pattern (`/oauth/token`), or `unmatched` for 404s, so
/// random paths cannot create new metric series.
fn route_of(req: &actix_web::HttpRequest) -> String {
    req.match_pattern().unwrap_or_else(|| "unmatched".to_string())
}

#[cfg(test)]
mod tests {
    use super::accept_request_id;

    #[test]
    fn sane_request_ids_are_kept_and_others_replaced() {
        assert_eq!(accept_request_id(Some("abc-123_X.9")), "abc-123_X.9");
        for bad in [Some(""), Some("has space"), Some("line\nbreak"), Some(&"a".repeat(65) as &str), None] {
            let id = accept_request_id(bad);
            assert_eq!(id.len(), 32, "a fresh uuid for {bad:?}");
            assert_ne!(Some(id.as_str()), bad);
        }
    }
}
