//! Starting while the database is down. `serve` must not crash-loop when
//! Postgres is late (a fresh `docker compose up`, a failover): it binds its
//! port at once, answers `/healthz` 200 and everything else (`/readyz`
//! included) 503 with `Retry-After`, and retries the connection with
//! exponential backoff, logging each failure. When the database answers, the
//! standby server stops and the real application takes over the same socket;
//! connections that arrive in between wait in the kernel's accept queue.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::{web, App, HttpResponse, HttpServer};
use anyhow::Context;

use crate::settings::Settings;
use crate::store::{Store, StoreError};

/// First retry after this long, doubling up to `MAX_DELAY`.
pub const FIRST_DELAY: Duration = Duration::from_millis(500);
pub const MAX_DELAY: Duration = Duration::from_secs(15);

/// The next backoff step.
pub fn next_delay(delay: Duration) -> Duration {
    (delay * 2).min(MAX_DELAY)
}

/// Connects to the database, serving standby answers on `listener` for as
/// long as it is unreachable. Errors other than "unreachable" (a wrong
/// password, a malformed URL) fail at once: retrying cannot fix them.
pub async fn connect_patiently(
    settings: &Settings,
    listener: &TcpListener,
    tls: Option<rustls::ServerConfig>,
) -> anyhow::Result<Store> {
    let url = settings.database_url.as_str();
    let redacted = settings.database_url.redacted();
    let first_error = match Store::connect(url).await {
        Ok(store) => return Ok(store),
        Err(StoreError::Unavailable(e)) => e,
        Err(e) => {
            return Err(e).with_context(|| format!("cannot open the database (LINKBROKER_DATABASE_URL={redacted})"))
        }
    };
    let address = listener.local_addr()?;
    let standby =
        HttpServer::new(|| App::new().route("/healthz", web::get().to(healthz)).default_service(web::to(unavailable)))
            .workers(1)
            .shutdown_timeout(1);
    let shared = listener.try_clone().context("sharing the listener with the standby server")?;
    let standby = match tls {
        Some(config) => standby.listen_rustls_0_23(shared, config)?,
        None => standby.listen(shared)?,
    }
    .run();
    let handle = standby.handle();
    let mut standby = tokio::spawn(standby);
    let scheme = if settings.tls.is_some() { "https" } else { "http" };
    tracing::info!("listening on {scheme}://{address} (standby: waiting for the database, /readyz answers 503)");
    let mut delay = FIRST_DELAY;
    let mut error = first_error.to_string();
    let store = loop {
        tracing::warn!(
            database = %redacted,
            error = %error,
            retry_in_ms = delay.as_millis() as u64,
            "database unreachable at startup; retrying"
        );
        tokio::select! {
            // SIGTERM or Ctrl-C stopped the standby server: stop waiting.
            _ = &mut standby => anyhow::bail!("stopped while waiting for the database ({redacted})"),
            _ = tokio::time::sleep(delay) => {}
        }
        match Store::connect(url).await {
            Ok(store) => break store,
            Err(StoreError::Unavailable(e)) => error = e.to_string(),
            Err(e) => {
                handle.stop(false).await;
                return Err(e)
                    .with_context(|| format!("cannot open the database (LINKBROKER_DATABASE_URL={redacted})"));
            }
        }
        delay = next_delay(delay);
    };
    tracing::info!(database = %redacted, "database reachable; starting");
    handle.stop(true).await;
    Ok(store)
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

async fn unavailable() -> HttpResponse {
    HttpResponse::ServiceUnavailable()
        .insert_header(("Retry-After", "5"))
        .content_type("text/plain")
        .body("database unavailable; starting as soon as it answers")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        assert_eq!(next_delay(FIRST_DELAY), Duration::from_secs(1));
        let mut d = FIRST_DELAY;
        for _ in 0..20 {
            d = next_delay(d);
        }
        assert_eq!(d, MAX_DELAY);
    }
}
