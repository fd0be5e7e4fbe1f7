//! A Google ID token (the `assertion` of Streamlined Linking), verified as
//! Google documents: RS256 only, signed by the key its `kid` names in
//! Google's JWKS, `iss` `accounts.google.com` or `https://accounts.google.com`,
//! `aud` one of the project's OAuth client ids, `exp` not passed and `iat`
//! not ahead (60 s leeway each, on the application's clock), `sub` present.

use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;

use super::keys::{GoogleKeys, KeyError};

/// Leeway for `exp` and `iat`, seconds.
pub const LEEWAY: i64 = 60;
const ISSUERS: [&str; 2] = ["accounts.google.com", "https://accounts.google.com"];
/// An assertion longer than this is not Google's.
pub const MAX_ASSERTION: usize = 8 * 1024;

/// What a verified token says of the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoogleIdentity {
    pub sub: String,
    pub email: Option<String>,
    pub email_verified: bool,
    /// The Google Workspace domain, when Google manages the account.
    pub hd: Option<String>,
    pub name: Option<String>,
}

impl GoogleIdentity {
    /// Google is authoritative for the email: a gmail address, or a
    /// Workspace account (`hd`).
    pub fn google_owns_email(&self) -> bool {
        let Some(email) = &self.email else { return false };
        email.to_ascii_lowercase().ends_with("@gmail.com") || self.hd.as_deref().is_some_and(|d| !d.is_empty())
    }
}

/// Why an assertion was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum AssertionError {
    /// Not a valid Google ID token for us (`invalid_grant`); the reason is
    /// for the log.
    Invalid(&'static str),
    /// Google's keys are unreachable and none is cached (a 503).
    KeysUnavailable(String),
}

#[derive(Deserialize)]
struct Claims {
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    exp: Option<i64>,
    #[serde(default)]
    iat: Option<i64>,
    #[serde(default)]
    email: Option<String>,
    /// A boolean, or the string "true" in older tokens.
    #[serde(default)]
    email_verified: Option<serde_json::Value>,
    #[serde(default)]
    hd: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// Verifies `assertion` for `audiences` at `now` (Unix seconds).
pub async fn verify(
    keys: &GoogleKeys,
    assertion: &str,
    audiences: &[String],
    now: i64,
) -> Result<GoogleIdentity, AssertionError> {
    use AssertionError::Invalid;
    if assertion.is_empty() || assertion.len() > MAX_ASSERTION {
        return Err(Invalid("the assertion is empty or too long"));
    }
    let header = jsonwebtoken::decode_header(assertion).map_err(|_| Invalid("the assertion is not a JWT"))?;
    if header.alg != Algorithm::RS256 {
        return Err(Invalid("the assertion is not signed with RS256"));
    }
    let kid = header.kid.filter(|k| !k.is_empty() && k.len() <= 128).ok_or(Invalid("the assertion names no key"))?;
    let key = keys.key(&kid).await.map_err(|e| match e {
        KeyError::Unknown => Invalid("the assertion's key is not one of Google's"),
        KeyError::Unavailable(why) => AssertionError::KeysUnavailable(why),
    })?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(audiences);
    validation.set_issuer(&ISSUERS);
    // Times are checked below on the application's clock.
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    let data = jsonwebtoken::decode::<Claims>(assertion, &key, &validation).map_err(|e| {
        use jsonwebtoken::errors::ErrorKind as K;
        Invalid(match e.kind() {
            K::InvalidAudience => "the assertion is for another audience",
            K::InvalidIssuer => "the assertion is not from Google",
            K::InvalidSignature => "the assertion's signature does not verify",
            _ => "the assertion is malformed",
        })
    })?;
    let claims = data.claims;
    match claims.exp {
        Some(exp) if exp + LEEWAY > now => {}
        Some(_) => return Err(Invalid("the assertion has expired")),
        None => return Err(Invalid("the assertion has no expiry")),
    }
    if claims.iat.is_some_and(|iat| iat > now + LEEWAY) {
        return Err(Invalid("the assertion was issued in the future"));
    }
    let sub = claims.sub.filter(|s| !s.is_empty() && s.len() <= 255).ok_or(Invalid("the assertion has no subject"))?;
    let email_verified = match claims.email_verified {
        Some(serde_json::Value::Bool(b)) => b,
        Some(serde_json::Value::String(s)) => s == "true",
        _ => false,
    };
    Ok(GoogleIdentity { sub, email: claims.email, email_verified, hd: claims.hd, name: claims.name })
}

#[cfg(test)]
mod tests {
    use super::GoogleIdentity;

    fn who(email: &str, hd: Option<&str>) -> GoogleIdentity {
        GoogleIdentity {
            sub: "1".into(),
            email: Some(email.into()),
            email_verified: true,
            hd: hd.map(str::to_string),
            name: None,
        }
    }

    #[test]
    fn google_owns_gmail_and_workspace_addresses_only() {
        assert!(who("ada@gmail.com", None).google_owns_email());
        assert!(who("Ada@GMAIL.com", None).google_owns_email());
        assert!(who("ada@example.com", Some("example.com")).google_owns_email());
        assert!(!who("ada@example.com", None).google_owns_email());
        assert!(!who("ada@gmail.com.evil.example", None).google_owns_email());
    }
}
