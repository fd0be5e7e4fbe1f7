//! Property tests for every parser of client input: any input is parsed or
//! refused, never a panic, and what parses keeps its invariants. A fixed
//! case budget keeps CI fast (`PROPTEST_CASES` raises it locally).

use linkbroker::alexa::{timestamp, CertChainUrl, Envelope};
use linkbroker::domain::{ClientId, CodeChallengeMethod, CodeVerifier, Email, Permission, RedirectUri, ScopeSet};
use linkbroker::oauth::client_auth::ClientCredentials;
use linkbroker::oauth::token_format::RefreshToken;
use linkbroker::oauth::tokens::FormParams;
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(512);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Strings built from the characters parsers care about, plus anything.
fn tricky() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9%=&+:/?#.@_~ \\-\\[\\]]{0,80}",
        any::<String>(),
        "https?://[a-z0-9.\\-]{0,20}(:[0-9]{0,6})?(/[a-z0-9.%]{0,10}){0,4}(\\?[a-z=&]{0,10})?(#.{0,5})?",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn token_forms_never_panic(body in proptest::collection::vec(any::<u8>(), 0..600), text in tricky()) {
        let _ = FormParams::parse(&body);
        if let Ok(p) = FormParams::parse(text.as_bytes()) {
            // No parameter may appear twice; what parsed can be read back.
            let _ = p.get("grant_type");
        }
    }

    #[test]
    fn client_credentials_never_panic(header in tricky(), id in proptest::option::of(tricky()), secret in proptest::option::of(tricky())) {
        let basic = format!("Basic {header}");
        for auth in [Some(header.as_str()), Some(basic.as_str()), None] {
            let _ = ClientCredentials::extract(auth, id.as_deref(), secret.as_deref());
        }
    }

    #[test]
    fn redirect_uris_parse_to_what_they_were(raw in tricky()) {
        if let Ok(uri) = RedirectUri::parse(&raw) {
            // Compared byte for byte: parsing never rewrites the URI.
            prop_assert_eq!(uri.as_str(), raw.as_str());
        }
    }

    #[test]
    fn scopes_and_ids_never_panic(raw in tricky()) {
        if let Ok(set) = ScopeSet::parse(&raw) {
            prop_assert!(ScopeSet::parse(&set.to_string()).is_ok(), "a parsed scope set prints as a valid one");
        }
        let _ = ClientId::parse(&raw);
        let _ = Permission::parse(&raw);
        let _ = CodeVerifier::parse(&raw);
        let _ = CodeChallengeMethod::parse(Some(&raw));
        if let Ok(email) = Email::parse(&raw) {
            prop_assert_eq!(email.as_str(), email.as_str().trim().to_lowercase());
        }
    }

    #[test]
    fn refresh_tokens_parse_only_when_url_safe(raw in tricky()) {
        if let Some(t) = RefreshToken::parse(&raw) {
            prop_assert!(raw.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
            prop_assert!(t.generation >= 0);
        }
    }

    #[test]
    fn alexa_envelopes_and_headers_never_panic(body in proptest::collection::vec(any::<u8>(), 0..800), text in tricky()) {
        let _ = Envelope::parse(&body);
        let _ = Envelope::parse(text.as_bytes());
        let _ = CertChainUrl::parse(&text);
        let _ = timestamp::parse_iso8601(&text);
    }

    #[test]
    fn mutated_envelopes_never_panic(cut in 0usize..400, at in 0usize..400, byte in any::<u8>()) {
        let mut body = br#"{"version":"1.0","session":{"new":true,"sessionId":"s","application":{"applicationId":"a"},"user":{"userId":"u","accessToken":"t"}},"context":{"System":{"application":{"applicationId":"a"},"user":{"userId":"u"}}},"request":{"type":"IntentRequest","requestId":"r","timestamp":"2024-01-01T00:00:00Z","locale":"en-US","intent":{"name":"HelloWorldIntent"}}}"#.to_vec();
        let at = at % body.len();
        body[at] = byte;
        body.truncate(cut.max(1).min(body.len()));
        let _ = Envelope::parse(&body);
    }
}
