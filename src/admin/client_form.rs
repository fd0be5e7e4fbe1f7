//! The client form: what an admin typed, as a `ClientDraft` for the client
//! use cases (which hold the rules), and the redirect-URI presets for
//! Alexa's three regions and Google.

use serde::Deserialize;

use crate::domain::{ClientDraft, ConsentPreset, TokenFormat};
use crate::store::ClientRow;

/// Alexa's account-linking redirect hosts, one per region (NA, EU, FE).
const ALEXA_HOSTS: [&str; 3] = ["pitangui.amazon.com", "layla.amazon.com", "alexa.amazon.co.jp"];

#[derive(Deserialize, Default, Clone)]
pub struct ClientForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    /// One URI per line.
    #[serde(default)]
    pub redirect_uris: String,
    #[serde(default)]
    pub scopes: String,
    /// A checkbox: present ("1") when ticked.
    #[serde(default)]
    pub skip_consent: String,
    #[serde(default)]
    pub token_format: String,
    /// A checkbox: accept PKCE `plain` from this client.
    #[serde(default)]
    pub allow_plain_pkce: String,
    /// `alexa` or `google`: the consent page's wording.
    #[serde(default)]
    pub consent: String,
    #[serde(default)]
    pub alexa_vendor_id: String,
    #[serde(default)]
    pub google_project_id: String,
    /// `alexa` or `google`: add that preset's URIs and show the form again.
    #[serde(default)]
    pub preset: String,
    /// Shown, never submitted: the stored "Send Alexa Events" client id.
    #[serde(skip)]
    pub alexa_events_client_id: Option<String>,
    /// Shown, never submitted: the stored app-to-app settings.
    #[serde(skip)]
    pub alexa_app: Option<crate::store::AlexaAppSummary>,
}

fn id_like(raw: &str, what: &str, allowed: impl Fn(char) -> bool) -> Result<String, String> {
    let v = raw.trim();
    if v.is_empty() || v.len() > 64 || !v.chars().all(allowed) {
        return Err(format!("Enter the {what} (letters, digits and dashes, at most 64)."));
    }
    Ok(v.to_string())
}

impl ClientForm {
    /// The form with the chosen preset's URIs appended (once each).
    pub fn with_preset(mut self) -> Result<Self, String> {
        let extra: Vec<String> = match self.preset.as_str() {
            "alexa" => {
                let v = id_like(&self.alexa_vendor_id, "Alexa vendor id", |c| c.is_ascii_alphanumeric())?;
                ALEXA_HOSTS.iter().map(|h| format!("https://{h}/api/skill/link/{v}")).collect()
            }
            "google" => {
                let p = id_like(&self.google_project_id, "Google project id", |c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
                })?;
                // Google's guidelines ask for their consent wording.
                self.consent = ConsentPreset::Google.as_str().to_string();
                vec![format!("https://oauth-redirect.googleusercontent.com/r/{p}")]
            }
            _ => return Err("Unknown preset.".into()),
        };
        let mut lines: Vec<String> = self.uri_lines().map(str::to_string).collect();
        for uri in extra {
            if !lines.contains(&uri) {
                lines.push(uri);
            }
        }
        self.redirect_uris = lines.join("\n");
        self.preset.clear();
        Ok(self)
    }

    fn uri_lines(&self) -> impl Iterator<Item = &str> {
        self.redirect_uris.lines().map(str::trim).filter(|l| !l.is_empty())
    }

    /// The form of an existing client.
    pub fn of(c: &ClientRow) -> Self {
        let tick = |on: bool| if on { "1".to_string() } else { String::new() };
        Self {
            name: c.name.clone(),
            redirect_uris: c.redirect_uris.join("\n"),
            scopes: c.scopes.clone(),
            skip_consent: tick(c.skip_consent),
            token_format: c.token_format.as_str().to_string(),
            allow_plain_pkce: tick(c.allow_plain_pkce),
            consent: c.consent.as_str().to_string(),
            alexa_events_client_id: c.alexa_events_client_id.clone(),
            alexa_app: c.alexa_app.clone(),
            ..Default::default()
        }
    }

    /// The draft the client use cases check (one URI per line; the form's
    /// scope field takes commas as separators too, as its hint says).
    pub fn draft(&self) -> Result<ClientDraft, String> {
        let token_format = TokenFormat::parse(&self.token_format).map_err(|_| "The token format is opaque or jwt.")?;
        let consent = ConsentPreset::parse(&self.consent).map_err(|_| "The consent wording is Alexa or Google.")?;
        Ok(ClientDraft {
            name: self.name.clone(),
            redirect_uris: self.uri_lines().map(str::to_string).collect(),
            scopes: vec![self.scopes.replace(',', " ")],
            skip_consent: !self.skip_consent.is_empty(),
            token_format,
            allow_plain_pkce: !self.allow_plain_pkce.is_empty(),
            consent,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(uris: &str) -> ClientForm {
        ClientForm { name: "Skill".into(), redirect_uris: uris.into(), ..Default::default() }
    }

    #[test]
    fn alexa_preset_adds_the_three_regions_once() {
        let f = ClientForm { preset: "alexa".into(), alexa_vendor_id: " M2ABC ".into(), ..form("") };
        let f = f.with_preset().unwrap();
        let again = ClientForm { preset: "alexa".into(), ..f.clone() }.with_preset().unwrap();
        assert_eq!(
            again.redirect_uris,
            "https://pitangui.amazon.com/api/skill/link/M2ABC\nhttps://layla.amazon.com/api/skill/link/M2ABC\nhttps://alexa.amazon.co.jp/api/skill/link/M2ABC"
        );
    }

    #[test]
    fn google_preset_and_bad_ids() {
        let f = ClientForm { preset: "google".into(), google_project_id: "my-proj-1".into(), ..form("") };
        let f = f.with_preset().unwrap();
        assert_eq!(f.redirect_uris, "https://oauth-redirect.googleusercontent.com/r/my-proj-1");
        assert_eq!(f.draft().unwrap().consent, ConsentPreset::Google, "Google's wording comes with its URL");
        assert_eq!(form("https://a.example/cb").draft().unwrap().consent, ConsentPreset::Alexa);
        assert!(ClientForm { consent: "siri".into(), ..form("https://a.example/cb") }.draft().is_err());
        let bad = ClientForm { preset: "alexa".into(), alexa_vendor_id: "a/../b".into(), ..form("") };
        assert!(bad.with_preset().is_err());
    }

    #[test]
    fn drafts_take_lines_checkboxes_and_format() {
        let d = ClientForm {
            scopes: "profile, rides:order".into(),
            allow_plain_pkce: "1".into(),
            ..form("https://a.example/cb\n\n https://b.example/cb ")
        }
        .draft()
        .unwrap();
        assert_eq!(d.redirect_uris, ["https://a.example/cb", "https://b.example/cb"]);
        assert!(d.allow_plain_pkce && !d.skip_consent);
        let spec = crate::domain::ClientSpec::parse(&d).unwrap();
        assert_eq!(spec.scopes.to_string(), "profile rides:order");
        assert!(ClientForm { token_format: "xml".into(), ..form("https://a.example/cb") }.draft().is_err());
    }
}
