//! A client as an operator registers it: parsed once, with the same rules,
//! whether it came from `linkbroker client add`, the admin form or the
//! admin API.

use super::{ParseError, RedirectUri, ScopeSet};

/// How a client's access tokens look (refresh tokens are always opaque).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TokenFormat {
    /// `<link>.<generation>.<expiry>.<mac>`, resolved through the store.
    #[default]
    Opaque,
    /// A signed RFC 9068 JWT a resource server can verify from the JWKS.
    Jwt,
}

impl TokenFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Opaque => "opaque",
            Self::Jwt => "jwt",
        }
    }

    /// `opaque` or `jwt`; an empty value is the default, `opaque`.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        match raw.trim() {
            "" | "opaque" => Ok(Self::Opaque),
            "jwt" => Ok(Self::Jwt),
            _ => Err(ParseError::new("the token format is opaque or jwt")),
        }
    }
}

impl std::str::FromStr for TokenFormat {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl std::fmt::Display for TokenFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which consent wording the client's users see (README "Languages"):
/// Alexa's, or the one Google's account-linking guidelines ask for (the
/// account is linked "to Google"; "Agree and link" and "Cancel").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ConsentPreset {
    #[default]
    Alexa,
    Google,
}

impl ConsentPreset {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Alexa => "alexa",
            Self::Google => "google",
        }
    }

    /// `alexa` or `google`; an empty value is the default, `alexa`.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        match raw.trim() {
            "" | "alexa" => Ok(Self::Alexa),
            "google" => Ok(Self::Google),
            _ => Err(ParseError::new("the consent wording is alexa or google")),
        }
    }
}

impl std::str::FromStr for ConsentPreset {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A client as typed: raw strings from whichever door it came through.
#[derive(Debug, Clone, Default)]
pub struct ClientDraft {
    pub name: String,
    pub redirect_uris: Vec<String>,
    /// Scope names; an entry may hold several separated by spaces (RFC
    /// 6749 §3.3: a comma is part of a scope name).
    pub scopes: Vec<String>,
    pub skip_consent: bool,
    pub token_format: TokenFormat,
    pub allow_plain_pkce: bool,
    pub consent: ConsentPreset,
}

/// A client every rule has accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSpec {
    pub name: String,
    /// Exact, in the order given, each once.
    pub redirect_uris: Vec<RedirectUri>,
    pub scopes: ScopeSet,
    pub skip_consent: bool,
    pub token_format: TokenFormat,
    pub allow_plain_pkce: bool,
    pub consent: ConsentPreset,
}

pub const MAX_REDIRECT_URIS: usize = 20;
/// A JWT access token carries the scope, and the token response carries it
/// again: beyond this many characters of scopes it would pass 2 KB.
pub const MAX_JWT_SCOPE_CHARS: usize = 300;
pub const MAX_SCOPES: usize = 50;
const MAX_NAME_CHARS: usize = 200;

/// The scopes of a client registered without any.
pub const DEFAULT_SCOPE: &str = "profile";

impl ClientSpec {
    pub fn parse(draft: &ClientDraft) -> Result<Self, ParseError> {
        let name = draft.name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(ParseError::new("the name must be 1 to 200 characters"));
        }
        if draft.redirect_uris.len() > 4 * MAX_REDIRECT_URIS {
            return Err(ParseError::new("give 1 to 20 redirect URIs"));
        }
        let mut redirect_uris: Vec<RedirectUri> = Vec::new();
        for raw in draft.redirect_uris.iter().map(|u| u.trim()).filter(|u| !u.is_empty()) {
            let uri = RedirectUri::parse(raw).map_err(|e| ParseError(format!("redirect URI {raw}: {e}")))?;
            if !redirect_uris.contains(&uri) {
                redirect_uris.push(uri);
            }
        }
        if redirect_uris.is_empty() || redirect_uris.len() > MAX_REDIRECT_URIS {
            return Err(ParseError::new("give 1 to 20 redirect URIs"));
        }
        let joined = draft.scopes.join(" ");
        if joined.split_whitespace().count() > MAX_SCOPES {
            return Err(ParseError::new("give at most 50 scopes"));
        }
        let mut scopes = ScopeSet::parse(&joined).map_err(|e| ParseError(format!("scope: {e}")))?;
        if scopes.is_empty() {
            // Alexa's console asks for `profile` unless told otherwise; a
            // client without it refuses every such linking.
            scopes = ScopeSet::parse(DEFAULT_SCOPE).expect("a valid scope");
        }
        let scope_chars = scopes.to_string().len();
        if draft.token_format == TokenFormat::Jwt && scope_chars > MAX_JWT_SCOPE_CHARS {
            return Err(ParseError(format!(
                "a client with JWT access tokens may have at most {MAX_JWT_SCOPE_CHARS} characters of scopes (these \
                 have {scope_chars}): each token carries them, and token responses must stay under 2 KB for Alexa \
                 and Google. Use fewer scopes, or opaque tokens"
            )));
        }
        Ok(Self {
            name: name.to_string(),
            redirect_uris,
            scopes,
            skip_consent: draft.skip_consent,
            token_format: draft.token_format,
            allow_plain_pkce: draft.allow_plain_pkce,
            consent: draft.consent,
        })
    }

    pub fn redirect_uri_strings(&self) -> Vec<String> {
        self.redirect_uris.iter().map(|u| u.as_str().to_string()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(uris: &[&str]) -> ClientDraft {
        ClientDraft {
            name: " Skill ".into(),
            redirect_uris: uris.iter().map(|u| u.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn uris_are_exact_deduplicated_and_bounded() {
        let spec = ClientSpec::parse(&draft(&["https://a.example/cb", " ", "https://a.example/cb"])).unwrap();
        assert_eq!(spec.redirect_uri_strings(), ["https://a.example/cb"]);
        assert_eq!(spec.name, "Skill");
        assert!(ClientSpec::parse(&draft(&[])).is_err());
        assert!(ClientSpec::parse(&draft(&["http://evil.example/cb"])).is_err());
        let many: Vec<String> = (0..21).map(|i| format!("https://a.example/{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(ClientSpec::parse(&draft(&many)).is_err());
    }

    #[test]
    fn names_count_characters_not_bytes() {
        let ok = ClientDraft { name: "é".repeat(200), ..draft(&["https://a.example/cb"]) };
        assert!(ClientSpec::parse(&ok).is_ok(), "200 two-byte characters are 200 characters");
        let long = ClientDraft { name: "é".repeat(201), ..draft(&["https://a.example/cb"]) };
        assert!(ClientSpec::parse(&long).is_err());
        let blank = ClientDraft { name: "  ".into(), ..draft(&["https://a.example/cb"]) };
        assert!(ClientSpec::parse(&blank).is_err());
    }

    #[test]
    fn jwt_clients_keep_their_scopes_short_enough_for_2_kb_responses() {
        let many: Vec<String> = (0..40).map(|i| format!("orders:scope-number-{i:02}")).collect();
        let jwt =
            ClientDraft { scopes: many.clone(), token_format: TokenFormat::Jwt, ..draft(&["https://a.example/cb"]) };
        let err = ClientSpec::parse(&jwt).unwrap_err().0;
        assert!(err.contains("under 2 KB") && err.contains("opaque"), "{err}");
        let opaque = ClientDraft { scopes: many, ..draft(&["https://a.example/cb"]) };
        assert!(ClientSpec::parse(&opaque).is_ok(), "opaque tokens do not carry the scope");
    }

    #[test]
    fn no_scopes_means_profile() {
        let spec = ClientSpec::parse(&draft(&["https://a.example/cb"])).unwrap();
        assert_eq!(spec.scopes.to_string(), "profile");
    }

    #[test]
    fn scopes_split_on_spaces_only() {
        let d = ClientDraft { scopes: vec!["profile rides:order".into()], ..draft(&["https://a.example/cb"]) };
        assert_eq!(ClientSpec::parse(&d).unwrap().scopes.to_string(), "profile rides:order");
        let comma = ClientDraft { scopes: vec!["a,b".into()], ..draft(&["https://a.example/cb"]) };
        assert_eq!(ClientSpec::parse(&comma).unwrap().scopes.to_string(), "a,b", "RFC 6749 §3.3 allows commas");
        let bad = ClientDraft { scopes: vec!["a\"b".into()], ..draft(&["https://a.example/cb"]) };
        assert!(ClientSpec::parse(&bad).is_err());
    }

    #[test]
    fn token_formats() {
        assert_eq!(TokenFormat::parse("").unwrap(), TokenFormat::Opaque);
        assert_eq!("jwt".parse::<TokenFormat>().unwrap(), TokenFormat::Jwt);
        assert!(TokenFormat::parse("xml").is_err());
        assert_eq!(TokenFormat::Jwt.to_string(), "jwt");
    }
}
