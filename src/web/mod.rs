//! HTTP plumbing shared by the OAuth routes (`routes`) and the admin UI and
//! API (`admin`): the handlers' state, page rendering, and the route table
//! helper that answers 405 with `Allow`. `startup` mounts both side by side.

pub mod endpoints;
pub mod header_limit;
pub mod pages;
mod state;

pub use pages::{error_page, page_words, redirect, render, render_in, same_origin};
pub use state::{AppState, PASSWORD_CHECKS};
