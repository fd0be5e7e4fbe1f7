//! Settings: `linkbroker.toml` (or `--config PATH`) overlaid by `LINKBROKER_*`
//! environment variables. Every key of the file is the variable's name without
//! the prefix, lowercased (`LINKBROKER_CODE_TTL` is `code_ttl`). Errors name
//! the variable to fix.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use ipnet::IpNet;
use url::Url;

use crate::domain::{Permission, Secret};
use crate::rate_limit::Rate;

mod database_url;
mod region;
mod secrets;
mod sources;

pub use database_url::DatabaseUrl;
pub use region::LwaRegion;
pub use secrets::KeyBytes;
use sources::{invalid, Sources};

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} is not valid TOML: {message}")]
    Toml { path: PathBuf, message: String },
    #[error("{var} ({from}): {message}")]
    Invalid { var: String, from: String, message: String },
    #[error("{var} must be set: {message}")]
    Missing { var: &'static str, message: String },
    #[error(
        "unknown setting `{key}` in {path}{nearest} (each key is a LINKBROKER_* variable's name without the prefix, \
         lowercased; docs/settings.md lists them)"
    )]
    Unknown { key: String, path: PathBuf, nearest: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signup {
    Open,
    Existing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// The upstream Login with Amazon security profile and endpoints.
#[derive(Debug, Clone)]
pub struct LwaSettings {
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub region: LwaRegion,
    pub authorize_url: Url,
    pub token_url: Url,
    pub profile_url: Url,
    pub scope: String,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    pub bind: SocketAddr,
    /// As configured; `None` means "derive from the bound address".
    pub public_url: Option<Url>,
    pub lwa: LwaSettings,
    pub signup: Signup,
    pub default_permissions: Vec<Permission>,
    pub access_token_ttl: i64,
    pub refresh_token_ttl: i64,
    pub refresh_grace_seconds: i64,
    pub code_ttl: i64,
    /// Seconds between purges of expired rows (`housekeeping`).
    pub housekeeping_interval: i64,
    /// Seconds between reloads of the signing keys from the database.
    pub key_reload_seconds: i64,
    pub alexa_verify_signature: bool,
    pub alexa_application_ids: Vec<String>,
    pub alexa_intent_permissions: BTreeMap<String, Permission>,
    pub log: String,
    pub log_format: LogFormat,
    /// Abuse limits per instance (`LINKBROKER_RATE_LIMIT_*`); `None` is off.
    pub rate_limit_token_per_client: Option<Rate>,
    pub rate_limit_token_per_ip: Option<Rate>,
    pub rate_limit_authorize_per_ip: Option<Rate>,
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpNet>,
    /// TCP peers that may read `/metrics`.
    pub metrics_allow: Vec<IpNet>,
    /// Built-in HTTPS (`LINKBROKER_TLS_CERT`, `LINKBROKER_TLS_KEY`).
    pub tls: Option<TlsFiles>,
    /// Seals secrets at rest (`LINKBROKER_SECRETS_KEY` or `_FILE`).
    pub secrets_key: Option<KeyBytes>,
    /// Still open secrets sealed under these (`LINKBROKER_SECRETS_KEY_PREVIOUS`).
    pub secrets_key_previous: Vec<KeyBytes>,
    /// Where `secrets_key` came from, for errors (`None`: the settings,
    /// `LINKBROKER_SECRETS_KEY` or its `_FILE` form).
    pub secrets_key_origin: Option<String>,
    /// Each call to Amazon's token endpoint and event gateway, seconds.
    pub alexa_event_timeout_seconds: i64,
    /// Overrides every region's event gateway (`LINKBROKER_ALEXA_EVENT_GATEWAY_URL`).
    pub alexa_event_gateway_url: Option<Url>,
    /// Overrides the Alexa API host of every region and every host
    /// `/v1/alexaApiEndpoint` names (`LINKBROKER_ALEXA_API_URL`).
    pub alexa_api_url: Option<Url>,
}

/// PEM files for built-in HTTPS.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// `/metrics` default audience: loopback and private networks, where
/// Prometheus and the proxy live; never the open internet.
const PRIVATE_NETWORKS: &str = "127.0.0.0/8, ::1, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7";

impl Settings {
    /// Loads from `config` (or `./linkbroker.toml` when present) and the
    /// process environment: what the commands read.
    pub fn load(config: Option<&Path>) -> Result<Self, SettingsError> {
        let env = std::env::vars().filter(|(k, _)| k.starts_with("LINKBROKER_")).collect();
        let default = PathBuf::from("linkbroker.toml");
        let config = config.or_else(|| default.exists().then_some(default.as_path()));
        Self::from_sources(config, env)
    }

    /// Loads from `config` (if any) and the given variables only: nothing
    /// from the working directory or the process environment, so in-process
    /// tests depend on nothing outside them.
    pub fn from_sources(config: Option<&Path>, env: BTreeMap<String, String>) -> Result<Self, SettingsError> {
        let file = match config.map(Path::to_path_buf) {
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|source| SettingsError::Read { path: path.clone(), source })?;
                let table: toml::Table = text.parse().map_err(|e: toml::de::Error| SettingsError::Toml {
                    path: path.clone(),
                    message: e.message().to_string(),
                })?;
                Some((path, table))
            }
            None => None,
        };
        let src = Sources::new(file, env);
        let settings = Self::parse(&src)?;
        src.refuse_unknown()?;
        Ok(settings)
    }

    fn parse(src: &Sources) -> Result<Self, SettingsError> {
        let string = |key: &str, default: &str| src.get(key).map(|r| r.value).unwrap_or_else(|| default.to_string());
        let parse_url = |key: &str| -> Result<Option<Url>, SettingsError> {
            let Some(raw) = src.get(key) else { return Ok(None) };
            let url =
                Url::parse(raw.value.trim()).map_err(|e| invalid(key, &raw, format!("not an absolute URL: {e}")))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(invalid(key, &raw, "must be an http or https URL"));
            }
            Ok(Some(url))
        };
        let seconds = |key: &str, default: i64, min: i64| -> Result<i64, SettingsError> {
            let Some(raw) = src.get(key) else { return Ok(default) };
            let v: i64 =
                raw.value.trim().parse().map_err(|_| invalid(key, &raw, "must be a whole number of seconds"))?;
            if v < min || v > 10 * 365 * 86_400 {
                return Err(invalid(key, &raw, format!("must be between {min} and 315360000 seconds")));
            }
            Ok(v)
        };
        let boolean = |key: &str, default: bool| -> Result<bool, SettingsError> {
            let Some(raw) = src.get(key) else { return Ok(default) };
            match raw.value.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Ok(true),
                "false" | "0" | "no" | "off" => Ok(false),
                _ => Err(invalid(key, &raw, "must be true or false")),
            }
        };

        let database_url = string("database_url", "sqlite://linkbroker.db");
        if !["sqlite:", "postgres://", "postgresql://"].iter().any(|p| database_url.starts_with(p)) {
            let raw = src.get("database_url").expect("non-default value has a source");
            return Err(invalid("database_url", &raw, "must start with sqlite://, postgres:// or postgresql://"));
        }

        let bind = match src.get("bind") {
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
            Some(raw) => raw
                .value
                .trim()
                .parse()
                .map_err(|_| invalid("bind", &raw, "must be HOST:PORT with an IP address, e.g. 127.0.0.1:8080"))?,
        };
        let mut public_url = parse_url("public_url")?;
        if let Some(url) = &mut public_url {
            // The issuer must not end with a slash, so URLs join predictably.
            let trimmed = url.as_str().trim_end_matches('/').to_string();
            *url = Url::parse(&trimmed).expect("trimming a slash keeps a URL valid");
        }

        let region = match src.get("lwa_region") {
            None => LwaRegion::Na,
            Some(raw) => match raw.value.trim().to_ascii_lowercase().as_str() {
                "na" => LwaRegion::Na,
                "eu" => LwaRegion::Eu,
                "fe" => LwaRegion::Fe,
                _ => return Err(invalid("lwa_region", &raw, "must be na, eu or fe")),
            },
        };
        let preset = |path: &str| Url::parse(&format!("{}{}", region.api_host(), path)).expect("preset URLs are valid");
        let lwa = LwaSettings {
            client_id: src.get("lwa_client_id").map(|r| r.value.trim().to_string()).filter(|s| !s.is_empty()),
            client_secret: src
                .get("lwa_client_secret")
                .map(|r| Secret::new(r.value.trim()))
                .filter(|s| !s.expose().is_empty()),
            region,
            authorize_url: parse_url("lwa_authorize_url")?
                .unwrap_or_else(|| Url::parse(region.authorize_url()).expect("preset")),
            token_url: parse_url("lwa_token_url")?.unwrap_or_else(|| preset("/auth/o2/token")),
            profile_url: parse_url("lwa_profile_url")?.unwrap_or_else(|| preset("/user/profile")),
            scope: string("lwa_scope", "profile"),
        };

        let signup = match src.get("signup") {
            None => Signup::Open,
            Some(raw) => match raw.value.trim() {
                "open" => Signup::Open,
                "existing" => Signup::Existing,
                _ => return Err(invalid("signup", &raw, "must be open or existing")),
            },
        };
        let default_permissions = match src.get("default_permissions") {
            None => Vec::new(),
            Some(raw) => Permission::parse_list(&raw.value).map_err(|e| invalid("default_permissions", &raw, e.0))?,
        };
        let log_format = match src.get("log_format") {
            None => LogFormat::Text,
            Some(raw) => match raw.value.trim() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => return Err(invalid("log_format", &raw, "must be text or json")),
            },
        };
        let rate = |key: &str, default: Rate| -> Result<Option<Rate>, SettingsError> {
            let Some(raw) = src.get(key) else { return Ok(Some(default)) };
            Rate::parse(&raw.value).map_err(|e| invalid(key, &raw, e))
        };
        let trusted_proxies = match src.get("trusted_proxies") {
            None => Vec::new(),
            Some(raw) => {
                crate::client_ip::parse_trusted(&raw.value).map_err(|e| invalid("trusted_proxies", &raw, e))?
            }
        };
        let tls = match (src.get("tls_cert"), src.get("tls_key")) {
            (None, None) => None,
            (Some(cert), Some(key)) => Some(TlsFiles { cert: cert.value.trim().into(), key: key.value.trim().into() }),
            (Some(_), None) => {
                return Err(SettingsError::Missing {
                    var: "LINKBROKER_TLS_KEY",
                    message: "LINKBROKER_TLS_CERT is set; give the PEM private key too".into(),
                })
            }
            (None, Some(_)) => {
                return Err(SettingsError::Missing {
                    var: "LINKBROKER_TLS_CERT",
                    message: "LINKBROKER_TLS_KEY is set; give the PEM certificate chain too".into(),
                })
            }
        };
        let metrics_allow = match src.get("metrics_allow") {
            None => crate::client_ip::parse_trusted(PRIVATE_NETWORKS).expect("valid preset"),
            Some(raw) => crate::client_ip::parse_trusted(&raw.value).map_err(|e| invalid("metrics_allow", &raw, e))?,
        };
        let alexa_application_ids = string("alexa_application_ids", "")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();

        let (secrets_key, secrets_key_previous) = secrets::secrets_keys(src)?;
        let alexa_event_timeout_seconds = seconds("alexa_event_timeout_seconds", 5, 1)?;
        if alexa_event_timeout_seconds > 60 {
            let raw = src.get("alexa_event_timeout_seconds").expect("non-default value has a source");
            return Err(invalid("alexa_event_timeout_seconds", &raw, "must be 1 to 60 seconds"));
        }
        Ok(Self {
            database_url: DatabaseUrl::new(database_url),
            bind,
            public_url,
            lwa,
            signup,
            default_permissions,
            access_token_ttl: seconds("access_token_ttl", 3600, 60)?,
            refresh_token_ttl: seconds("refresh_token_ttl", 31_536_000, 60)?,
            refresh_grace_seconds: seconds("refresh_grace_seconds", 30, 0)?,
            code_ttl: seconds("code_ttl", 120, 1)?,
            housekeeping_interval: seconds("housekeeping_interval", 300, 1)?,
            key_reload_seconds: seconds("key_reload_seconds", 10, 1)?,
            alexa_verify_signature: boolean("alexa_verify_signature", true)?,
            alexa_application_ids,
            alexa_intent_permissions: intent_permissions(src)?,
            log: string("log", "info"),
            log_format,
            // Defaults sized so a skill with a million links never meets
            // them (docs/operations.md, "Abuse limits"): they only stop floods.
            rate_limit_token_per_client: rate("rate_limit_token_per_client", Rate::per_minute(60_000))?,
            rate_limit_token_per_ip: rate("rate_limit_token_per_ip", Rate::per_minute(60_000))?,
            rate_limit_authorize_per_ip: rate("rate_limit_authorize_per_ip", Rate::per_minute(120))?,
            trusted_proxies,
            metrics_allow,
            tls,
            secrets_key,
            secrets_key_previous,
            secrets_key_origin: secrets_key.map(|_| "LINKBROKER_SECRETS_KEY (or LINKBROKER_SECRETS_KEY_FILE)".into()),
            alexa_event_timeout_seconds,
            alexa_event_gateway_url: parse_url("alexa_event_gateway_url")?,
            alexa_api_url: parse_url("alexa_api_url")?,
        })
    }

    /// The LWA client credentials, or an error that says which variable to set.
    pub fn require_lwa(&self) -> Result<(String, Secret), SettingsError> {
        match (self.lwa.client_id.clone(), self.lwa.client_secret.clone()) {
            (Some(id), Some(secret)) => Ok((id, secret)),
            (None, None) => Err(SettingsError::Missing {
                var: "LINKBROKER_LWA_CLIENT_ID and LINKBROKER_LWA_CLIENT_SECRET",
                message: "the client id and secret of your Login with Amazon security profile (or run `serve --dev` \
                          to use the development login)"
                    .into(),
            }),
            (None, Some(_)) => Err(SettingsError::Missing {
                var: "LINKBROKER_LWA_CLIENT_ID",
                message: "the client id of your Login with Amazon security profile (or run `serve --dev` to use the \
                          development login)"
                    .into(),
            }),
            (Some(_), None) => Err(SettingsError::Missing {
                var: "LINKBROKER_LWA_CLIENT_SECRET",
                message: "the client secret of your Login with Amazon security profile".into(),
            }),
        }
    }
}

/// `[alexa.intent_permissions]` in the TOML file: intent name → permission.
fn intent_permissions(src: &Sources) -> Result<BTreeMap<String, Permission>, SettingsError> {
    let mut out = BTreeMap::new();
    src.knows("alexa");
    let Some((path, table)) = &src.file else { return Ok(out) };
    let bad = |message: String| SettingsError::Invalid {
        var: "[alexa.intent_permissions]".into(),
        from: path.display().to_string(),
        message,
    };
    let Some(alexa) = table.get("alexa") else { return Ok(out) };
    if let Some(other) = alexa.as_table().and_then(|t| t.keys().find(|k| *k != "intent_permissions")) {
        return Err(bad(format!("[alexa] holds only intent_permissions, not `{other}`")));
    }
    let Some(map) = alexa.get("intent_permissions") else { return Ok(out) };
    let map = map.as_table().ok_or_else(|| bad("must be a table of IntentName = \"permission\"".into()))?;
    for (intent, perm) in map {
        let perm = perm.as_str().ok_or_else(|| bad(format!("{intent} must map to a string")))?;
        out.insert(intent.clone(), Permission::parse(perm).map_err(|e| bad(format!("{intent}: {e}")))?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
