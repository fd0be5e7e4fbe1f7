//! Spawns the real app on port 0 with a fresh database (SQLite file or a new
//! Postgres database) and a wiremock Login with Amazon, and drives it over
//! HTTP like Alexa and a browser would. Split by job: databases (`db`),
//! spawning (`spawn`), driving the flows (`flow`) and reading HTML (`html`).

mod contracts;
mod db;
mod flow;
mod html;
mod spawn;

pub use contracts::*;
pub use db::*;
pub use flow::*;
pub use html::*;
pub use spawn::*;
