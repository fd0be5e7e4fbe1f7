//! RFC 6749 §4.1.1 authorization requests: validation in the order that
//! keeps redirects safe, and code issuance (§4.1.2) with RFC 9207 `iss`.

use std::collections::HashMap;

use super::{AuthServer, ErrorCode, OAuthError};
use crate::domain::{ClientId, CodeChallenge, CodeChallengeMethod, RedirectUri, ScopeSet, Secret};
use crate::i18n::Lang;
use crate::store::{ClientRow, NewCode, StoreError};

/// README "How linking works": a request over 8 KB is refused with a page.
pub const MAX_QUERY_LEN: usize = 8192;

/// A request that passed every check.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub client: ClientRow,
    pub redirect_uri: RedirectUri,
    pub scope: ScopeSet,
    pub state: Option<String>,
    pub challenge: Option<CodeChallenge>,
}

/// Why a request cannot be answered at its redirect URI; its page says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Untrusted {
    TooLarge,
    Malformed,
    /// `client_id` or `redirect_uri` given twice.
    Repeats,
    NoClient,
    UnknownClient,
    NoRedirect,
    RedirectNotRegistered,
}

/// The language `ui_locales` asks for (README "Languages"), read even from
/// a request that is refused, so that its page speaks it too.
pub fn ui_locales(query: &str) -> Option<Lang> {
    if query.len() > MAX_QUERY_LEN {
        return None;
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    pairs.iter().find(|(k, _)| k == "ui_locales").and_then(|(_, v)| Lang::from_ui_locales(v))
}

/// How a refused request is answered.
#[derive(Debug)]
pub enum Rejection {
    /// The client or redirect URI cannot be trusted: show a page, never
    /// redirect (RFC 6749 §4.1.2.1).
    Page(Untrusted),
    /// Everything else goes back to the (verified) client.
    Redirect {
        location: String,
    },
    Unavailable(StoreError),
}

impl AuthServer {
    pub async fn validate_authorize(&self, query: &str) -> Result<AuthorizeRequest, Rejection> {
        let page = Rejection::Page;
        if query.len() > MAX_QUERY_LEN {
            tracing::warn!(bytes = query.len(), "authorize refused (an error page): the request is over 8 KB");
            return Err(page(Untrusted::TooLarge));
        }
        let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(query) else {
            tracing::warn!("authorize refused (an error page): the query string does not parse");
            return Err(page(Untrusted::Malformed));
        };
        let mut params: HashMap<&str, &str> = HashMap::new();
        let mut repeated = None;
        for (k, v) in &pairs {
            if params.insert(k.as_str(), v.as_str()).is_some() {
                repeated = Some(k.as_str());
            }
        }
        let get = |k: &str| params.get(k).copied().filter(|v| !v.is_empty());

        // 1. Client and redirect URI first: until both are verified, nothing
        //    may be sent to the redirect URI.
        if let Some(k @ ("client_id" | "redirect_uri")) = repeated {
            tracing::warn!("authorize refused (an error page): {k} is given twice");
            return Err(page(Untrusted::Repeats));
        }
        let Some(client_id) = get("client_id") else {
            tracing::warn!("authorize refused (an error page): the request has no client_id");
            return Err(page(Untrusted::NoClient));
        };
        let client = match ClientId::parse(client_id) {
            Ok(id) => self.store.client(id.as_str()).await.map_err(Rejection::Unavailable)?,
            Err(_) => None,
        };
        let Some(client) = client else {
            // Client ids are public (the Alexa console shows them): safe to log.
            tracing::warn!(
                client_id = %client_id.chars().take(64).collect::<String>(),
                "authorize refused (an error page): no such client; check Your Client ID in the Alexa console"
            );
            return Err(page(Untrusted::UnknownClient));
        };
        let Some(redirect_raw) = get("redirect_uri") else {
            tracing::warn!(client_id = %client.id, "authorize refused (an error page): the request has no redirect_uri");
            return Err(page(Untrusted::NoRedirect));
        };
        // Exact, byte-for-byte comparison with a registered URI (RFC 9700 §4.1.3).
        if !client.redirect_uris.iter().any(|u| u == redirect_raw) {
            let shown: String = redirect_raw.chars().take(300).collect();
            let near = client.redirect_uris.iter().find(|u| {
                u.trim_end_matches('/') == redirect_raw.trim_end_matches('/') || u.eq_ignore_ascii_case(redirect_raw)
            });
            let why = match near {
                Some(u) => format!("it differs from the registered {u} only by a trailing slash or letter case"),
                None => format!("the client's redirect URIs are {}", client.redirect_uris.join(", ")),
            };
            tracing::warn!(
                client_id = %client.id, redirect_uri = %shown,
                "authorize refused (an error page): the redirect_uri is not registered for this client; {why}"
            );
            return Err(page(Untrusted::RedirectNotRegistered));
        }
        let redirect_uri = RedirectUri::from_trusted(redirect_raw.to_string());
        let state = params.get("state").map(|s| s.to_string());

        // 2. From here on, errors go back to the client.
        let back = |code: ErrorCode, description: &str| Rejection::Redirect {
            location: self.error_redirect(&redirect_uri, state.as_deref(), &OAuthError::new(code, description)),
        };
        if let Some(k) = repeated {
            return Err(back(ErrorCode::InvalidRequest, &format!("parameter {k} is repeated")));
        }
        match get("response_type") {
            Some("code") => {}
            None => return Err(back(ErrorCode::InvalidRequest, "response_type is required")),
            Some(_) => return Err(back(ErrorCode::UnsupportedResponseType, "only response_type=code is supported")),
        }
        let allowed = ScopeSet::parse(&client.scopes).unwrap_or_default();
        let scope = match get("scope") {
            // No scope asked: the client's registered scopes (RFC 6749 §3.3 default).
            None => allowed.clone(),
            Some(raw) => ScopeSet::parse(raw).map_err(|e| back(ErrorCode::InvalidScope, &e.0))?,
        };
        let outside = scope.not_in(&allowed);
        if !outside.is_empty() {
            return Err(back(
                ErrorCode::InvalidScope,
                &format!("scope not allowed for this client: {}", outside.join(" ")),
            ));
        }
        let challenge = match (get("code_challenge"), get("code_challenge_method")) {
            (None, None) => None,
            (None, Some(_)) => {
                return Err(back(ErrorCode::InvalidRequest, "code_challenge_method without code_challenge"))
            }
            (Some(c), m) => {
                let method = CodeChallengeMethod::parse(m).map_err(|e| back(ErrorCode::InvalidRequest, &e.0))?;
                if method == CodeChallengeMethod::Plain && !client.allow_plain_pkce {
                    return Err(back(
                        ErrorCode::InvalidRequest,
                        "code_challenge_method plain is not allowed for this client; use S256",
                    ));
                }
                Some(CodeChallenge::parse(c, method).map_err(|e| back(ErrorCode::InvalidRequest, &e.0))?)
            }
        };
        Ok(AuthorizeRequest { client, redirect_uri, scope, state, challenge })
    }

    /// `redirect_uri?error=...&state=...&iss=...`
    pub fn error_redirect(&self, redirect_uri: &RedirectUri, state: Option<&str>, error: &OAuthError) -> String {
        let mut params = vec![("error", error.code.as_str()), ("error_description", error.description.as_str())];
        if let Some(s) = state {
            params.push(("state", s));
        }
        params.push(("iss", &self.issuer));
        redirect_uri.with_params(&params)
    }

    /// Issues a single-use code bound to client, redirect URI, scope and
    /// PKCE challenge, and returns the success redirect.
    #[allow(clippy::too_many_arguments)]
    pub async fn issue_code(
        &self,
        client_id: &str,
        user_id: &str,
        redirect_uri: &RedirectUri,
        scope: &str,
        state: Option<&str>,
        challenge: Option<(&str, &str)>,
        now: i64,
    ) -> Result<String, StoreError> {
        let code = Secret::generate();
        self.store
            .insert_code(
                NewCode {
                    code_hash: code.hash().as_str(),
                    client_id,
                    user_id,
                    redirect_uri: redirect_uri.as_str(),
                    scope,
                    code_challenge: challenge.map(|c| c.0),
                    code_challenge_method: challenge.map(|c| c.1),
                    expires_at: now + self.settings.code_ttl,
                    made_by: None,
                },
                now,
            )
            .await?;
        let mut params = vec![("code", code.expose())];
        if let Some(s) = state {
            params.push(("state", s));
        }
        params.push(("iss", &self.issuer));
        Ok(redirect_uri.with_params(&params))
    }
}
