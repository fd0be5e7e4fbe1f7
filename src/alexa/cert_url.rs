//! The `SignatureCertChainUrl` rules of Amazon's "Host a custom skill as a web
//! service" (verifying that a request was sent by Alexa): `https`, host
//! `s3.amazonaws.com` (any case), path under `/echo.api/` (case-sensitive)
//! once `.` and `..` segments are resolved, and port 443 if one is given.

use url::Url;

/// A certificate-chain URL that passed every rule; only these are fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertChainUrl(Url);

impl CertChainUrl {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        // The WHATWG parser lowercases the host, resolves `.`/`..` (also
        // percent-encoded ones) and drops an explicit default port.
        let url = Url::parse(raw.trim()).map_err(|_| "certificate URL is not a URL")?;
        if url.scheme() != "https" {
            return Err("certificate URL is not https");
        }
        if url.host_str() != Some("s3.amazonaws.com") {
            return Err("certificate URL host is not s3.amazonaws.com");
        }
        if url.port().is_some() {
            return Err("certificate URL port is not 443");
        }
        if !url.path().starts_with("/echo.api/") {
            return Err("certificate URL path is not under /echo.api/");
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("certificate URL carries credentials");
        }
        // One chain per path: a query or fragment changes neither what
        // Amazon serves nor the cache key, so variants cannot force downloads.
        let mut url = url;
        url.set_query(None);
        url.set_fragment(None);
        Ok(Self(url))
    }

    pub fn url(&self) -> &Url {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amazon_documented_valid_urls_are_accepted() {
        for ok in [
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
            "HTTPS://s3.amazonaws.com/echo.api/echo-api-cert.pem",
            "https://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
        ] {
            assert!(CertChainUrl::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn amazon_documented_invalid_urls_are_refused() {
        for (bad, why) in [
            ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "not https"),
            ("https://notamazon.com/echo.api/echo-api-cert.pem", "host"),
            ("https://s3.amazonaws.com.evil.com/echo.api/echo-api-cert.pem", "host"),
            ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "path"),
            ("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem", "path"),
            ("https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem", "path"),
            ("https://s3.amazonaws.com/echo.api/%2e%2e/invalid.path/echo-api-cert.pem", "path"),
            ("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "port"),
            ("https://user@s3.amazonaws.com/echo.api/echo-api-cert.pem", "credentials"),
            ("not a url", "not a URL"),
        ] {
            let err = CertChainUrl::parse(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}
