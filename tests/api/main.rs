//! Black-box tests: the real app on port 0, a fresh database per test, a
//! wiremock Login with Amazon. Every test runs on SQLite and on Postgres.

mod admin_support;
mod helpers;

mod admin_api;
mod admin_clients;
mod admin_login;
mod admin_users;
mod authorize;
mod browser;
mod cli;
mod consent_origin;
mod dev;
mod health;
mod login;
mod refresh;
mod token;
mod userinfo;
