//! linkbroker: an OAuth 2.0 authorization server for voice-platform account
//! linking. Layout (see the README's concept map):
//!
//! - `settings`  TOML + `LINKBROKER_*` variables
//! - `domain`    types that parse untrusted input (Email, RedirectUri, ...)
//! - `store`     every SQL statement, on SQLite and Postgres
//! - `oauth`     the protocol core: authorize, codes, token grants, JWTs
//! - `upstream`  the federated login (Login with Amazon, dev provider)
//! - `accounts`  who is who: linking upstream identities to local users
//! - `account_page` the end user's own page: sessions, their links, and
//!   linking with Alexa from the website (app-to-app)
//! - `alexa`     the companion skill endpoint's envelopes and answers
//! - `google`    Google ID tokens: the signing keys and their verification
//! - `manage`    management use cases (clients, users, links, admins) shared
//!   by the CLI, the admin UI and the admin API
//! - `web`       HTTP plumbing shared by `routes` and `admin`: state, pages
//! - `routes`    OAuth and skill handlers: parse, call the core, map to HTTP
//! - `admin`     the admin web UI and JSON API (sessions, users, audit log)
//! - `outbox`    the worker that tells Alexa of unlinks (app-to-app links)
//! - `metrics`   Prometheus counters and histograms behind `/metrics`
//! - `standby`   serving 503s while the database is unreachable at startup
//! - `tls`       built-in HTTPS with rustls
//! - `startup`   builds the app from settings and mounts `routes` and
//!   `admin` side by side; `cli` the commands
//!
//! Imports point one way: from the edges (`cli`, `routes`, `admin`) to
//! `manage` and the OAuth core, then to `store` and `domain`.

pub mod account_page;
pub mod accounts;
pub mod admin;
pub mod alexa;
pub mod cli;
pub mod client_ip;
pub mod clock;
pub mod doctor;
pub mod domain;
pub mod google;
pub mod housekeeping;
pub mod i18n;
pub mod manage;
pub mod metrics;
pub mod migrate_data;
pub mod oauth;
pub mod outbox;
pub mod rate_limit;
pub mod routes;
pub mod settings;
pub mod standby;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod telemetry_middleware;
pub mod tls;
pub mod upstream;
pub mod vault;
pub mod web;
