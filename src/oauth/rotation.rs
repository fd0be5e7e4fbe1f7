//! README "Refresh tokens", rules 1–6, over one link record. Pure: the
//! caller loads the row and carries out the verdict.
//!
//! The row holds the hashes of the current token R(n), the previous R(n-1)
//! and the one before, R(n-2), and `rotated_at`: when R(n-1) was used, which
//! is when R(n-2)'s successor was first used. Presenting R(k):
//! - k = n, hash matches: rotate (rule 1).
//! - k = n-1, hash matches: its successor R(n) is unused, so answer R(n)
//!   again, however long ago (rules 2 and 5). If the derivation no longer
//!   gives the stored hash, the server key changed: re-derive R(n) under the
//!   current key and accept it as an alternative current token (rule 6),
//!   never theft. The original stays valid too: a parallel response may
//!   already have carried it to the client.
//! - k = n-2, genuine: R(n-1) was used; inside the grace window answer
//!   R(n-1) again (its own successor R(n) is unused, so the chain
//!   converges); after it, theft (rule 3).
//! - k < n-2: theft only if deriving forward proves it is ours; otherwise
//!   it is forged and nothing is revoked (a link id is not a secret).
//! - anything else (k > n, a wrong hash): unknown, nothing is revoked.

use crate::domain::{constant_time_eq, TokenHash};

/// How far back a presented token is traced (an hourly refresh for a year
/// is under 9,000 steps; each is one HMAC).
pub const MAX_PROOF_STEPS: i64 = 10_000;

/// The token chain of one link, as stored.
#[derive(Debug, Clone, Default)]
pub struct Chain<'a> {
    pub generation: i64,
    pub current: Option<&'a str>,
    /// R(n) as derived under a changed key (rule 6); either form rotates.
    pub current_alt: Option<&'a str>,
    pub previous: Option<&'a str>,
    pub older: Option<&'a str>,
    pub rotated_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The presented token is current: rotate it.
    Rotate,
    /// An honest retry: answer `token` (of `generation`) again. `repair`:
    /// this token's hash must first be stored as the alternative current
    /// one (rule 6).
    Replay { token: String, generation: i64, repair: bool },
    /// A genuine token presented too late: revoke the link (rule 3).
    Theft,
    /// Forged, from the future, or not this chain's: `invalid_grant`, and
    /// nothing is revoked.
    Unknown,
    /// Genuine and inside the grace window, but the successor cannot be
    /// re-derived (the server key changed): our fault, so 503 (rule 6).
    KeyMismatch,
}

fn matches(stored: Option<&str>, hash: &TokenHash) -> bool {
    stored.is_some_and(|s| constant_time_eq(s.as_bytes(), hash.as_str().as_bytes()))
}

/// `derive(raw, generation)` gives the successor of token `raw`.
pub fn judge(
    chain: &Chain<'_>,
    raw: &str,
    k: i64,
    now: i64,
    grace: i64,
    derive: impl Fn(&str, i64) -> String,
) -> Verdict {
    let n = chain.generation;
    let presented = TokenHash::of(raw);
    if k > n {
        return Verdict::Unknown;
    }
    if k == n {
        let current = matches(chain.current, &presented) || matches(chain.current_alt, &presented);
        return if current { Verdict::Rotate } else { Verdict::Unknown };
    }
    if k == n - 1 {
        if !matches(chain.previous, &presented) {
            return Verdict::Unknown;
        }
        let token = derive(raw, k);
        let hash = TokenHash::of(&token);
        let repair = !matches(chain.current, &hash) && !matches(chain.current_alt, &hash);
        return Verdict::Replay { token, generation: n, repair };
    }
    let genuine = (k == n - 2 && matches(chain.older, &presented)) || proves_chain(chain, raw, k, &derive);
    if !genuine {
        return Verdict::Unknown;
    }
    let in_grace = k == n - 2 && chain.rotated_at.is_some_and(|at| now - at <= grace);
    if !in_grace {
        return Verdict::Theft;
    }
    let token = derive(raw, k);
    if matches(chain.previous, &TokenHash::of(&token)) {
        Verdict::Replay { token, generation: n - 1, repair: false }
    } else {
        Verdict::KeyMismatch
    }
}

/// Is `raw`, of generation `k`, an ancestor of the current token?
fn proves_chain(chain: &Chain<'_>, raw: &str, k: i64, derive: &impl Fn(&str, i64) -> String) -> bool {
    if k < 0 || chain.generation - k > MAX_PROOF_STEPS {
        return false;
    }
    let mut token = raw.to_string();
    for generation in k..chain.generation {
        token = derive(&token, generation);
    }
    matches(chain.current, &TokenHash::of(&token))
}

/// Is `raw` one of the tokens this chain still knows by hash: current,
/// previous or older (for RFC 7009 revocation, which must not let a forged
/// token with a real link id revoke the link, and for introspection)? By
/// hash only: no derivation proof, so a forged token costs one SHA-256.
pub fn is_known(chain: &Chain<'_>, raw: &str, k: i64) -> bool {
    let presented = TokenHash::of(raw);
    let n = chain.generation;
    (k == n && (matches(chain.current, &presented) || matches(chain.current_alt, &presented)))
        || (k == n - 1 && matches(chain.previous, &presented))
        || (k == n - 2 && matches(chain.older, &presented))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy derivation: `t0` → `t0'` → `t0''` ...
    fn derive(raw: &str, _generation: i64) -> String {
        format!("{raw}'")
    }

    fn h(raw: &str) -> String {
        TokenHash::of(raw).as_str().to_string()
    }

    /// The chain after rotating `t0` to generation `n` at time 100.
    fn chain_at(n: i64) -> (Vec<String>, Vec<String>) {
        let tokens: Vec<String> = (0..=n).map(|i| format!("t0{}", "'".repeat(i as usize))).collect();
        let hashes = tokens.iter().map(|t| h(t)).collect();
        (tokens, hashes)
    }

    fn chain(hashes: &[String]) -> Chain<'_> {
        let n = hashes.len() as i64 - 1;
        let at = |i: i64| (i >= 0).then(|| hashes[i as usize].as_str());
        Chain {
            generation: n,
            current: at(n),
            current_alt: None,
            previous: at(n - 1),
            older: at(n - 2),
            rotated_at: Some(100),
        }
    }

    #[test]
    fn the_current_token_rotates() {
        let (t, hs) = chain_at(3);
        assert_eq!(judge(&chain(&hs), &t[3], 3, 100, 30, derive), Verdict::Rotate);
    }

    #[test]
    fn the_previous_token_answers_its_successor_however_late() {
        let (t, hs) = chain_at(3);
        let v = judge(&chain(&hs), &t[2], 2, 100 + 400 * 86_400, 30, derive);
        assert_eq!(v, Verdict::Replay { token: t[3].clone(), generation: 3, repair: false });
    }

    #[test]
    fn a_changed_key_repairs_instead_of_revoking() {
        let (t, hs) = chain_at(3);
        let other_key = |raw: &str, _| format!("{raw}*");
        let v = judge(&chain(&hs), &t[2], 2, 100, 30, other_key);
        assert_eq!(v, Verdict::Replay { token: format!("{}*", t[2]), generation: 3, repair: true });
        assert_eq!(judge(&chain(&hs), &t[1], 1, 100, 30, other_key), Verdict::KeyMismatch);
    }

    #[test]
    fn two_behind_converges_inside_the_grace_window_and_is_theft_after() {
        let (t, hs) = chain_at(3);
        let v = judge(&chain(&hs), &t[1], 1, 130, 30, derive);
        assert_eq!(v, Verdict::Replay { token: t[2].clone(), generation: 2, repair: false });
        assert_eq!(judge(&chain(&hs), &t[1], 1, 131, 30, derive), Verdict::Theft);
    }

    #[test]
    fn far_behind_is_theft_only_when_proven() {
        let (t, hs) = chain_at(6);
        assert_eq!(judge(&chain(&hs), &t[0], 0, 100, 30, derive), Verdict::Theft);
        assert_eq!(judge(&chain(&hs), "forged", 0, 100, 30, derive), Verdict::Unknown);
        assert_eq!(judge(&chain(&hs), "forged", 4, 100, 30, derive), Verdict::Unknown);
    }

    #[test]
    fn wrong_hashes_and_future_generations_are_unknown() {
        let (t, hs) = chain_at(3);
        assert_eq!(judge(&chain(&hs), "forged", 3, 100, 30, derive), Verdict::Unknown);
        assert_eq!(judge(&chain(&hs), "forged", 2, 100, 30, derive), Verdict::Unknown);
        assert_eq!(judge(&chain(&hs), &t[3], 4, 100, 30, derive), Verdict::Unknown);
    }

    #[test]
    fn known_tokens_for_revocation_are_checked_by_hash() {
        let (t, hs) = chain_at(5);
        for (k, token) in t.iter().enumerate().skip(3) {
            assert!(is_known(&chain(&hs), token, k as i64), "{k}");
        }
        assert!(!is_known(&chain(&hs), &t[0], 0), "an old token is already dead: nothing to revoke with it");
        assert!(!is_known(&chain(&hs), "forged", 5));
    }

    #[test]
    fn after_a_repair_both_forms_of_the_current_token_rotate() {
        let (t, hs) = chain_at(3);
        let alt = h("t0''*");
        let mut c = chain(&hs);
        c.current_alt = Some(&alt);
        assert_eq!(judge(&c, &t[3], 3, 100, 30, derive), Verdict::Rotate, "the original, perhaps already delivered");
        assert_eq!(judge(&c, "t0''*", 3, 100, 30, derive), Verdict::Rotate, "the re-derived one");
        let other_key = |raw: &str, _| format!("{raw}*");
        let v = judge(&c, &t[2], 2, 100, 30, other_key);
        assert_eq!(v, Verdict::Replay { token: "t0''*".into(), generation: 3, repair: false }, "no second repair");
    }
}
