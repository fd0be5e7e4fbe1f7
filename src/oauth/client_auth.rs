//! Client authentication at the token endpoint (RFC 6749 §2.3.1): HTTP Basic
//! with form-encoded id and secret, or both in the form body; never both.

use base64::{engine::general_purpose::STANDARD, Engine};

use super::{AuthServer, OAuthError};
use crate::domain::{constant_time_eq, ClientId, TokenHash};
use crate::store::ClientRow;

/// Credentials as presented; `Debug` hides the secret.
pub struct ClientCredentials {
    pub client_id: String,
    secret: Option<String>,
    pub via_basic: bool,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("via_basic", &self.via_basic)
            .finish()
    }
}

/// Why the credentials could not even be read; `via_basic` says whether
/// the answer needs `WWW-Authenticate`.
#[derive(Debug)]
pub struct CredentialsError {
    pub error: OAuthError,
    pub via_basic: bool,
}

impl ClientCredentials {
    /// `authorization` is the raw header value, `form_id`/`form_secret` the
    /// body fields.
    pub fn extract(
        authorization: Option<&str>,
        form_id: Option<&str>,
        form_secret: Option<&str>,
    ) -> Result<Self, CredentialsError> {
        let basic = authorization.and_then(|h| {
            let (scheme, rest) = h.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("basic").then(|| rest.trim().to_string())
        });
        if let Some(b64) = basic {
            let fail = |d: &str| CredentialsError {
                error: OAuthError::new(super::ErrorCode::InvalidClient, d),
                via_basic: true,
            };
            if form_secret.is_some() {
                return Err(CredentialsError {
                    error: OAuthError::invalid_request(
                        "use one client authentication method, not Basic and client_secret together",
                    ),
                    via_basic: true,
                });
            }
            let raw = STANDARD.decode(b64.as_bytes()).map_err(|_| fail("malformed Basic credentials"))?;
            let raw = String::from_utf8(raw).map_err(|_| fail("malformed Basic credentials"))?;
            let (id, secret) = raw.split_once(':').ok_or_else(|| fail("malformed Basic credentials"))?;
            let decode = |s: &str| -> Result<String, CredentialsError> {
                // RFC 6749 §2.3.1: both parts are application/x-www-form-urlencoded.
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8()
                    .map(|v| v.into_owned())
                    .map_err(|_| fail("malformed Basic credentials"))
            };
            let id = decode(id)?;
            if let Some(fid) = form_id {
                if fid != id {
                    return Err(CredentialsError {
                        error: OAuthError::invalid_request("client_id in the body differs from the Basic credentials"),
                        via_basic: true,
                    });
                }
            }
            return Ok(Self { client_id: id, secret: Some(decode(secret)?), via_basic: true });
        }
        match form_id {
            Some(id) if !id.is_empty() => {
                Ok(Self { client_id: id.to_string(), secret: form_secret.map(str::to_string), via_basic: false })
            }
            _ => Err(CredentialsError {
                error: OAuthError::new(
                    super::ErrorCode::InvalidClient,
                    "client authentication is required (HTTP Basic or client_id and client_secret)",
                ),
                via_basic: false,
            }),
        }
    }
}

impl AuthServer {
    /// Checks the secret against the stored hash in constant time. Unknown
    /// clients and wrong secrets fail the same way.
    pub async fn authenticate_client(&self, creds: &ClientCredentials) -> Result<ClientRow, OAuthError> {
        let presented = TokenHash::of(creds.secret.as_deref().unwrap_or(""));
        let key = (creds.client_id.clone(), presented.clone());
        if creds.secret.is_some() {
            if let Some(client) = self.client_cache.get_if(&key, |_| true) {
                return Ok(client);
            }
        }
        let client = match ClientId::parse(&creds.client_id) {
            Ok(id) => self.store.client_for_auth(id.as_str()).await?,
            Err(_) => None,
        };
        // Compare against something even for unknown clients so both paths cost the same.
        let stored = client
            .as_ref()
            .map(|c| c.secret_hash.as_str())
            .unwrap_or("0000000000000000000000000000000000000000000000000000000000000000");
        let ok = constant_time_eq(presented.as_str().as_bytes(), stored.as_bytes());
        match client {
            Some(c) if ok && creds.secret.is_some() => {
                // Only successes are cached: a wrong secret always costs a query.
                self.client_cache.insert(key, c.clone());
                Ok(c)
            }
            _ => Err(OAuthError::invalid_client()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(id: &str, secret: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let c = ClientCredentials::extract(Some(&basic("my%20client", "s%2Bt+x")), None, None).unwrap();
        assert_eq!(c.client_id, "my client");
        assert_eq!(c.secret.as_deref(), Some("s+t x"));
        assert!(c.via_basic);
    }

    #[test]
    fn body_credentials_are_accepted() {
        let c = ClientCredentials::extract(None, Some("abc"), Some("xyz")).unwrap();
        assert_eq!(c.client_id, "abc");
        assert!(!c.via_basic);
    }

    #[test]
    fn two_methods_at_once_are_refused() {
        let e = ClientCredentials::extract(Some(&basic("a", "b")), Some("a"), Some("b")).unwrap_err();
        assert_eq!(e.error.code, crate::oauth::ErrorCode::InvalidRequest);
    }

    #[test]
    fn missing_or_garbled_credentials_are_invalid_client() {
        assert_eq!(
            ClientCredentials::extract(None, None, None).unwrap_err().error.code,
            crate::oauth::ErrorCode::InvalidClient
        );
        let e = ClientCredentials::extract(Some("Basic !!!"), None, None).unwrap_err();
        assert!(e.via_basic);
    }

    #[test]
    fn debug_hides_the_secret() {
        let c = ClientCredentials::extract(None, Some("abc"), Some("hunter2")).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
