//! Google Streamlined Linking's building blocks: Google's ID-token signing
//! keys (`keys`, cached per `Cache-Control`, an unknown `kid` refetched at
//! most once a minute) and the ID token's verification (`id_token`). The
//! `jwt-bearer` grant that uses them on `/oauth/token` (issue 22) is not
//! wired yet.

pub mod id_token;
pub mod keys;
