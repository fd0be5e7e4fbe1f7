//! Redirect URIs, compared byte-for-byte (RFC 9700 §4.1.3: exact matching).

use super::ParseError;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RedirectUri(String);

const MAX_LEN: usize = 2000;

impl RedirectUri {
    /// Accepts absolute `https` URIs, or `http` only on a loopback host
    /// (RFC 8252 §7.3); never a fragment (RFC 6749 §3.1.2).
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        if raw.len() > MAX_LEN {
            return Err(ParseError::new("redirect_uri is too long"));
        }
        let url =
            url::Url::parse(raw).map_err(|e| ParseError::new(format!("redirect_uri is not an absolute URL: {e}")))?;
        if url.fragment().is_some() || raw.contains('#') {
            return Err(ParseError::new("redirect_uri must not contain a fragment"));
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback_host(url.host_str().unwrap_or("")) => {}
            "http" => return Err(ParseError::new("redirect_uri must use https (http is only allowed on loopback)")),
            other => return Err(ParseError::new(format!("redirect_uri scheme {other:?} is not allowed"))),
        }
        if url.host_str().unwrap_or("").is_empty() {
            return Err(ParseError::new("redirect_uri has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ParseError::new("redirect_uri must not carry credentials"));
        }
        Ok(Self(raw.to_string()))
    }

    /// For values that were validated when stored.
    pub fn from_trusted(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// This URI with `params` appended to its query (keeping any it has).
    pub fn with_params(&self, params: &[(&str, &str)]) -> String {
        let mut url = self.0.clone();
        if !params.is_empty() {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&serde_urlencoded::to_string(params).unwrap_or_default());
        }
        url
    }
}

pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().map(|ip| ip.is_loopback()).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_alexa_and_loopback_uris() {
        for ok in [
            "https://pitangui.amazon.com/api/skill/link/M2EXAMPLE",
            "https://oauth-redirect.googleusercontent.com/r/project?x=1",
            "http://127.0.0.1:8080/dev/callback",
            "http://localhost/cb",
        ] {
            assert!(RedirectUri::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_unsafe_uris() {
        for bad in [
            "pitangui.amazon.com/api",
            "http://pitangui.amazon.com/api",
            "https://a.example/cb#frag",
            "javascript:alert(1)",
            "https://user:pw@a.example/cb",
        ] {
            assert!(RedirectUri::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn appends_params_to_an_existing_query() {
        let uri = RedirectUri::parse("https://a.example/cb?x=1").unwrap();
        assert_eq!(
            uri.with_params(&[("code", "a b"), ("state", "s&t")]),
            "https://a.example/cb?x=1&code=a+b&state=s%26t"
        );
    }
}
