//! The wire form of the tokens we issue. A link is one database row and its
//! tokens name it, so every lookup is by primary key and nothing is stored
//! per token:
//!
//! - refresh token `<link id>.<generation>.<secret>`. Generation 0's secret
//!   is 256 random bits; each later one is derived from the token before it,
//!   `secret(n+1) = base64url(HMAC-SHA256(K_successor, R(n)))`, so any
//!   instance shown R(n) again hands back the very same R(n+1) (README refresh rule 2)
//!   and the database keeps only hashes. The link id and generation are not
//!   secret; the secret part is.
//! - opaque access token `<link id>.<generation>.<expiry>.<mac>` with
//!   `mac = HMAC-SHA256(K_access, "at1|link|generation|expiry")`. It proves
//!   itself without a database read; every use is still checked against the
//!   link row (revoked, user disabled, `access_min_generation`).
//! - tokens issued before the one-record schema (migration 0005) have no dot:
//!   43 random characters, found through the `legacy_tokens` table. Their
//!   successors keep that shape up to `LEGACY_LAST_GENERATION` so a retry of a
//!   migrated token still answers the successor the old release derived.
//!
//! All parts are URL-safe (`[A-Za-z0-9_-]` and `.`), and a token response
//! stays far under 2 KB.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ring::hmac;

use crate::domain::{constant_time_eq, Secret};

/// Migration 0005 numbers a migrated link's tokens 0 (older), 1 (previous)
/// and 2 (current); successors of generations below this keep the legacy
/// (dot-less) shape the first release derived.
pub const LEGACY_LAST_GENERATION: i64 = 2;

/// The keys that make tokens; both derive from the stored server secret.
pub struct TokenKeys {
    successor: hmac::Key,
    access: hmac::Key,
}

impl TokenKeys {
    pub fn new(successor: hmac::Key, access: hmac::Key) -> Self {
        Self { successor, access }
    }

    /// R(n+1) from R(n) (`raw`, of generation `generation` on `link_id`).
    pub fn successor(&self, raw: &str, link_id: &str, generation: i64) -> String {
        let tag = hmac::sign(&self.successor, raw.as_bytes());
        let secret = URL_SAFE_NO_PAD.encode(tag.as_ref());
        if is_legacy(raw) && generation < LEGACY_LAST_GENERATION {
            secret
        } else {
            format!("{link_id}.{}.{secret}", generation + 1)
        }
    }

    /// An opaque access token for generation `generation` of a link.
    pub fn access_token(&self, link_id: &str, generation: i64, expires_at: i64) -> String {
        let mac = self.access_mac(link_id, generation, expires_at);
        format!("{link_id}.{generation}.{expires_at}.{}", URL_SAFE_NO_PAD.encode(mac.as_ref()))
    }

    /// What an opaque access token says, if its MAC is ours. Expiry is the
    /// caller's to check: `SkillDisabled` names expired tokens too.
    pub fn open_access_token(&self, raw: &str) -> Option<AccessToken> {
        let mut parts = raw.split('.');
        let (link_id, generation, expires_at, mac) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || !valid_link_id(link_id) {
            return None;
        }
        let generation = parse_number(generation)?;
        let expires_at = parse_number(expires_at)?;
        let mac = URL_SAFE_NO_PAD.decode(mac).ok()?;
        let expected = self.access_mac(link_id, generation, expires_at);
        constant_time_eq(&mac, expected.as_ref()).then(|| AccessToken {
            link_id: link_id.to_string(),
            generation,
            expires_at,
        })
    }

    fn access_mac(&self, link_id: &str, generation: i64, expires_at: i64) -> hmac::Tag {
        hmac::sign(&self.access, format!("at1|{link_id}|{generation}|{expires_at}").as_bytes())
    }
}

/// A verified opaque access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub link_id: String,
    pub generation: i64,
    pub expires_at: i64,
}

/// A refresh token of the current shape, split into its public parts. Only
/// its hash can say whether it is genuine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken<'a> {
    pub raw: &'a str,
    pub link_id: &'a str,
    pub generation: i64,
}

impl<'a> RefreshToken<'a> {
    pub fn parse(raw: &'a str) -> Option<Self> {
        let mut parts = raw.split('.');
        let (link_id, generation, secret) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || !valid_link_id(link_id) || !valid_secret(secret) {
            return None;
        }
        Some(Self { raw, link_id, generation: parse_number(generation)? })
    }

    /// A token whose link and generation are already known (parsed, or for
    /// a migrated token from `legacy_tokens`).
    pub fn new(raw: &'a str, link_id: &'a str, generation: i64) -> Self {
        Self { raw, link_id, generation }
    }
}

/// Generation 0 of a new link: random, 256 bits.
pub fn first_refresh_token(link_id: &str) -> Secret {
    Secret::new(format!("{link_id}.0.{}", Secret::generate().expose()))
}

/// A token of the first release: no dot, only URL-safe characters.
pub fn is_legacy(raw: &str) -> bool {
    !raw.contains('.') && valid_secret(raw)
}

/// Link ids are UUIDs today; accept what is URL-safe and short.
fn valid_link_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn valid_secret(s: &str) -> bool {
    (16..=128).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Plain decimal, no sign, no leading zeros, at most 12 digits.
fn parse_number(s: &str) -> Option<i64> {
    let ok =
        !s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    ok.then(|| s.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(hmac::Key::new(hmac::HMAC_SHA256, b"s"), hmac::Key::new(hmac::HMAC_SHA256, b"a"))
    }

    const LINK: &str = "0b7e0f1c-58a4-4b7e-9b53-2f1c8e7d6a10";

    #[test]
    fn refresh_tokens_carry_their_link_and_generation() {
        let first = first_refresh_token(LINK);
        let parsed = RefreshToken::parse(first.expose()).unwrap();
        assert_eq!((parsed.link_id, parsed.generation), (LINK, 0));
        assert!(first.expose().bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
        let next = keys().successor(first.expose(), LINK, 0);
        assert_eq!(RefreshToken::parse(&next).unwrap().generation, 1);
        assert_eq!(next, keys().successor(first.expose(), LINK, 0), "derivation is deterministic");
        assert!(next.len() < 100);
    }

    #[test]
    fn malformed_refresh_tokens_do_not_parse() {
        for bad in [
            "",
            "a.b",
            "link.01.secretsecretsecretsecret",
            "link.-1.secretsecretsecretsecret",
            "link.1.short",
            "li nk.1.secretsecretsecretsecret",
            "link.1.secretsecretsecretsecret.extra",
            "link.9999999999999.secretsecretsecretsecret",
        ] {
            assert!(RefreshToken::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn legacy_successors_keep_their_shape_until_the_last_legacy_generation() {
        let old = Secret::generate();
        let s1 = keys().successor(old.expose(), LINK, 0);
        assert!(is_legacy(&s1), "a first-release token's successor is what that release derived");
        let s3 = keys().successor(&s1, LINK, LEGACY_LAST_GENERATION);
        assert_eq!(RefreshToken::parse(&s3).unwrap().generation, LEGACY_LAST_GENERATION + 1);
    }

    #[test]
    fn access_tokens_verify_only_with_our_key_and_untouched() {
        let token = keys().access_token(LINK, 7, 1_900_000_000);
        let opened = keys().open_access_token(&token).unwrap();
        assert_eq!(opened, AccessToken { link_id: LINK.into(), generation: 7, expires_at: 1_900_000_000 });
        let other = TokenKeys::new(hmac::Key::new(hmac::HMAC_SHA256, b"s"), hmac::Key::new(hmac::HMAC_SHA256, b"x"));
        assert!(other.open_access_token(&token).is_none());
        let longer = token.replace(".1900000000.", ".1900000001.");
        assert!(keys().open_access_token(&longer).is_none(), "the expiry is covered by the MAC");
        let later_gen = token.replace(".7.", ".8.");
        assert!(keys().open_access_token(&later_gen).is_none());
        assert!(keys().open_access_token("a.b.c").is_none());
    }
}
