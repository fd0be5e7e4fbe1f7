//! PKCE (RFC 7636): the challenge a client sends to /authorize and the
//! verifier it later proves it holds at /token.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use sha2::{Digest, Sha256};

use super::{constant_time_eq, ParseError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeChallengeMethod {
    S256,
    Plain,
}

impl CodeChallengeMethod {
    /// RFC 7636 §4.3 says absent means `plain`; RFC 9700 §2.1.1 asks for
    /// S256, which Alexa and Google send, so absent means S256 here.
    pub fn parse(raw: Option<&str>) -> Result<Self, ParseError> {
        match raw {
            Some("plain") => Ok(Self::Plain),
            None | Some("S256") => Ok(Self::S256),
            Some(other) => Err(ParseError::new(format!("code_challenge_method {other:?} is not supported (use S256)"))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::S256 => "S256",
            Self::Plain => "plain",
        }
    }
}

/// RFC 7636 §4.1: 43 to 128 unreserved characters (the same shape for both).
fn check_shape(what: &str, raw: &str) -> Result<(), ParseError> {
    if !(43..=128).contains(&raw.len()) {
        return Err(ParseError::new(format!("{what} must be 43 to 128 characters")));
    }
    if !raw.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)) {
        return Err(ParseError::new(format!("{what} contains characters RFC 7636 does not allow")));
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeChallenge {
    value: String,
    method: CodeChallengeMethod,
}

impl CodeChallenge {
    pub fn parse(value: &str, method: CodeChallengeMethod) -> Result<Self, ParseError> {
        check_shape("code_challenge", value)?;
        Ok(Self { value: value.to_string(), method })
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn method(&self) -> CodeChallengeMethod {
        self.method
    }

    /// The S256 challenge of `verifier` (RFC 7636 §4.2), for requests we
    /// make ourselves.
    pub fn s256_of(verifier: &str) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
    }

    /// RFC 7636 §4.6, compared in constant time.
    pub fn is_satisfied_by(&self, verifier: &CodeVerifier) -> bool {
        match self.method {
            CodeChallengeMethod::Plain => constant_time_eq(self.value.as_bytes(), verifier.0.as_bytes()),
            CodeChallengeMethod::S256 => {
                let digest = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.0.as_bytes()));
                constant_time_eq(self.value.as_bytes(), digest.as_bytes())
            }
        }
    }
}

pub struct CodeVerifier(String);

impl CodeVerifier {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        check_shape("code_verifier", raw)?;
        Ok(Self(raw.to_string()))
    }
}

impl std::fmt::Debug for CodeVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeVerifier(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7636 Appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn s256_matches_the_rfc_example() {
        let c = CodeChallenge::parse(CHALLENGE, CodeChallengeMethod::S256).unwrap();
        assert!(c.is_satisfied_by(&CodeVerifier::parse(VERIFIER).unwrap()));
        let wrong = CodeVerifier::parse(&VERIFIER.replace('d', "e")).unwrap();
        assert!(!c.is_satisfied_by(&wrong));
    }

    #[test]
    fn plain_compares_verbatim() {
        let c = CodeChallenge::parse(VERIFIER, CodeChallengeMethod::Plain).unwrap();
        assert!(c.is_satisfied_by(&CodeVerifier::parse(VERIFIER).unwrap()));
        assert!(!c.is_satisfied_by(&CodeVerifier::parse(CHALLENGE).unwrap()));
    }

    #[test]
    fn method_defaults_to_plain_and_rejects_unknown() {
        assert_eq!(CodeChallengeMethod::parse(None).unwrap(), CodeChallengeMethod::S256);
        assert!(CodeChallengeMethod::parse(Some("S512")).is_err());
    }

    #[test]
    fn rejects_short_or_odd_verifiers() {
        assert!(CodeVerifier::parse("short").is_err());
        assert!(CodeVerifier::parse(&"a+".repeat(30)).is_err());
    }
}
