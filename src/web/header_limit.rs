//! Requests with oversized headers get a 431 that says why (RFC 6585 §5),
//! not the empty answer the HTTP parser gives past its own, larger buffer.
//! Browsers send a few KB; 16 KB leaves room for long cookies of other
//! apps on the same host.

use std::future::{ready, Ready};

use actix_web::body::EitherBody;
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::StatusCode;
use actix_web::{Error, HttpResponse};
use futures_util::future::LocalBoxFuture;

/// The most header bytes (names and values) a request may carry.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// The most header lines a request may carry.
pub const MAX_HEADERS: usize = 64;

pub struct HeaderLimit;

impl<S, B> Transform<S, ServiceRequest> for HeaderLimit
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = HeaderLimitService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(HeaderLimitService { service }))
    }
}

pub struct HeaderLimitService<S> {
    service: S,
}

impl<S, B> Service<ServiceRequest> for HeaderLimitService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let headers = req.headers();
        let bytes: usize = headers.iter().map(|(k, v)| k.as_str().len() + v.len()).sum();
        if bytes > MAX_HEADER_BYTES || headers.len() > MAX_HEADERS {
            let message = format!(
                "Request header fields too large: send at most {MAX_HEADERS} headers and {} KB of them \
                 (this request had {} headers, {bytes} bytes).",
                MAX_HEADER_BYTES / 1024,
                headers.len()
            );
            let response = HttpResponse::build(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
                .content_type("text/plain; charset=utf-8")
                .body(message);
            return Box::pin(ready(Ok(req.into_response(response).map_into_right_body())));
        }
        let fut = self.service.call(req);
        Box::pin(async move { Ok(fut.await?.map_into_left_body()) })
    }
}
