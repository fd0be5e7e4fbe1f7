//! Black-box tests: the real app on port 0, a fresh database per test, a
//! wiremock Login with Amazon. Every test runs on SQLite and on Postgres.

mod admin_support;
mod alexa_signing;
mod helpers;

mod admin_api;
mod admin_clients;
mod admin_login;
mod admin_users;
mod alexa;
mod alexa_startup;
mod alexa_verify;
mod authorize;
mod browser;
mod cli;
mod codes;
mod consent_origin;
mod dev;
mod doctor;
mod doors;
mod flood;
mod health;
mod http_properties;
mod lambda_relay;
mod languages;
mod lifecycle;
mod limits;
mod link_record;
mod login;
mod migrate_data;
mod observability;
mod parsers;
mod process;
mod proxy;
mod refresh;
mod resilience;
mod revocation;
mod scale_out;
mod sealing;
mod smart_home;
mod smart_home_events;
mod tls;
mod token;
mod upgrade;
mod userinfo;
