//! The client form: parsing what an admin typed into a validated client
//! spec, and the redirect-URI presets for Alexa's three regions and Google.

use serde::Deserialize;

use crate::domain::{RedirectUri, ScopeSet};

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
    #[serde(default)]
    pub alexa_vendor_id: String,
    #[serde(default)]
    pub google_project_id: String,
    /// `alexa` or `google`: add that preset's URIs and show the form again.
    #[serde(default)]
    pub preset: String,
}

/// A client as the admin wants it, every field checked.
#[derive(Debug, PartialEq, Eq)]
pub struct ClientSpec {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub scopes: ScopeSet,
    pub skip_consent: bool,
    pub jwt: bool,
}

fn id_like(raw: &str, what: &str, allowed: impl Fn(char) -> bool) -> Result<String, String> {
    let v = raw.trim();
    if v.is_empty() || v.len() > 64 || !v.chars().all(allowed) {
        return Err(format!("Enter the {what} (letters, digits and dashes, at most 64)."));
    }
    Ok(v.to_string())
}

impl ClientSpec {
    /// Replaces client `id`'s settings with this spec; false if no such client.
    pub async fn save(&self, store: &crate::store::Store, id: &str) -> Result<bool, crate::store::StoreError> {
        let update = crate::store::ClientUpdate {
            name: &self.name,
            scopes: &self.scopes.to_string(),
            skip_consent: self.skip_consent,
            token_format: if self.jwt { "jwt" } else { "opaque" },
            redirect_uris: &self.redirect_uris,
        };
        store.update_client(id, update, crate::clock::now()).await
    }
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

    pub fn parse(&self) -> Result<ClientSpec, String> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err("The name must be 1 to 200 characters.".into());
        }
        let mut redirect_uris = Vec::new();
        for line in self.uri_lines() {
            let uri = RedirectUri::parse(line).map_err(|e| format!("{line}: {e}"))?;
            if !redirect_uris.iter().any(|u| u == uri.as_str()) {
                redirect_uris.push(uri.as_str().to_string());
            }
        }
        if redirect_uris.is_empty() || redirect_uris.len() > 20 {
            return Err("Give 1 to 20 redirect URIs, one per line.".into());
        }
        let scopes = ScopeSet::parse(&self.scopes.replace(',', " ")).map_err(|e| e.to_string())?;
        let jwt = match self.token_format.as_str() {
            "" | "opaque" => false,
            "jwt" => true,
            _ => return Err("The token format is opaque or jwt.".into()),
        };
        Ok(ClientSpec {
            name: name.to_string(),
            redirect_uris,
            scopes,
            skip_consent: !self.skip_consent.is_empty(),
            jwt,
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
        assert_eq!(f.with_preset().unwrap().redirect_uris, "https://oauth-redirect.googleusercontent.com/r/my-proj-1");
        let bad = ClientForm { preset: "alexa".into(), alexa_vendor_id: "a/../b".into(), ..form("") };
        assert!(bad.with_preset().is_err());
    }

    #[test]
    fn parse_checks_uris_scopes_and_format() {
        let spec = ClientForm {
            scopes: "profile, rides:order".into(),
            ..form("https://a.example/cb\n\nhttps://a.example/cb")
        }
        .parse()
        .unwrap();
        assert_eq!(spec.redirect_uris, ["https://a.example/cb"]);
        assert_eq!(spec.scopes.to_string(), "profile rides:order");
        assert!(form("http://evil.example/cb").parse().is_err());
        assert!(form("").parse().is_err());
        assert!(ClientForm { token_format: "xml".into(), ..form("https://a.example/cb") }.parse().is_err());
    }
}
