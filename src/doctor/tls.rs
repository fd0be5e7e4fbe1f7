//! The TLS checks: the chain and the host, a private CA given with
//! `--ca-file`, and how long the certificate has left.

use std::time::Duration;

use super::{check, Check, Verdict};

/// A certificate expiring sooner than this is a warning.
const RENEW_WITHIN: i64 = 14 * 86_400;

/// Whether `url`'s certificate chain verifies with the public roots alone
/// (the ones Alexa and Google trust), without `--ca-file`.
pub(super) async fn publicly_trusted(url: &str) -> bool {
    let Ok(http) =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(Duration::from_secs(10)).build()
    else {
        return false;
    };
    http.get(url).send().await.is_ok()
}

/// The plain reason in a TLS failure's error chain.
pub(super) fn tls_reason(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = s.to_string();
        source = s.source();
    }
    text
}

/// With `--ca-file`: whether the chain also verifies with the public roots
/// alone. Alexa and Google trust only those.
pub(super) fn public_ca(publicly_trusted: bool) -> Check {
    if publicly_trusted {
        return check("tls-public-ca", Verdict::Pass, "the chain verifies with the public roots alone", "");
    }
    check(
        "tls-public-ca",
        Verdict::Fail,
        "the chain verifies only with --ca-file: the certificate comes from a private CA",
        "Alexa and Google accept only certificates from a public CA: use one (Let's Encrypt through Caddy or certbot is free) before you press Link.",
    )
}

/// A certificate that verified: how long until it expires (a warning
/// inside `RENEW_WITHIN`, when renewal has evidently stalled).
pub(super) fn certificate_lifetime(resp: &reqwest::Response) -> Check {
    use x509_cert::der::Decode;
    let leaf = resp.extensions().get::<reqwest::tls::TlsInfo>().and_then(|i| i.peer_certificate());
    let not_after = leaf
        .and_then(|der| x509_cert::Certificate::from_der(der).ok())
        .map(|c| c.tbs_certificate.validity.not_after.to_unix_duration().as_secs() as i64);
    let Some(not_after) = not_after else {
        return check("tls", Verdict::Pass, "the certificate chain verifies and names the host", "");
    };
    let days = (not_after - crate::clock::now()) / 86_400;
    if not_after - crate::clock::now() < RENEW_WITHIN {
        return check(
            "tls",
            Verdict::Warn,
            format!("the certificate expires in {days} days"),
            "Renew the certificate now and check its automatic renewal (Alexa refuses expired ones).",
        );
    }
    check("tls", Verdict::Pass, format!("the chain verifies and names the host; {days} days left"), "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_from_a_public_ca_passes_and_a_private_one_fails() {
        assert_eq!(public_ca(true).verdict, Verdict::Pass);
        assert_eq!(public_ca(false).verdict, Verdict::Fail);
    }
}
