//! Who is who: turning an upstream login into a local user (README "How linking works",
//! "Who is who"), and admin passwords.

mod linking;
pub mod password;

pub use linking::{resolve_login, Refusal};
