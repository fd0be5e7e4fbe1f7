//! The settings' rules: defaults, the file and the variables, and errors
//! that name what to fix.

use super::*;

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// A stray `./linkbroker.toml` (a developer's, in the repository root)
/// must not change what in-process tests run with.
#[test]
fn from_sources_reads_no_file_from_the_working_directory() {
    struct Remove(&'static str);
    impl Drop for Remove {
        fn drop(&mut self) {
            std::fs::remove_file(self.0).ok();
        }
    }
    if Path::new("linkbroker.toml").exists() {
        return; // someone's real file: leave it alone
    }
    let _guard = Remove("linkbroker.toml");
    std::fs::write("linkbroker.toml", "code_ttl = \"not a number\"\n").unwrap();
    let s = Settings::from_sources(None, env(&[])).expect("the stray file is not read");
    assert_eq!(s.code_ttl, Settings::from_sources(None, BTreeMap::new()).unwrap().code_ttl);
    assert!(Settings::load(None).is_err(), "the commands do read it");
}

#[test]
fn defaults_match_the_spec() {
    let s = Settings::from_sources(None, env(&[])).unwrap();
    assert_eq!(s.database_url.as_str(), "sqlite://linkbroker.db");
    assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(s.lwa.authorize_url.as_str(), "https://www.amazon.com/ap/oa");
    assert_eq!(s.lwa.token_url.as_str(), "https://api.amazon.com/auth/o2/token");
    assert_eq!(s.access_token_ttl, 3600);
    assert_eq!(s.refresh_grace_seconds, 30);
    assert_eq!(s.code_ttl, 120);
    assert!(s.alexa_verify_signature);
    assert_eq!(s.signup, Signup::Open);
}

#[test]
fn region_presets_and_overrides() {
    let s = Settings::from_sources(None, env(&[("LINKBROKER_LWA_REGION", "eu")])).unwrap();
    assert_eq!(s.lwa.authorize_url.as_str(), "https://eu.account.amazon.com/ap/oa");
    assert_eq!(s.lwa.profile_url.as_str(), "https://api.amazon.co.uk/user/profile");
    let s = Settings::from_sources(
        None,
        env(&[("LINKBROKER_LWA_REGION", "fe"), ("LINKBROKER_LWA_TOKEN_URL", "http://127.0.0.1:9/t")]),
    )
    .unwrap();
    assert_eq!(s.lwa.token_url.as_str(), "http://127.0.0.1:9/t");
    assert_eq!(s.lwa.profile_url.as_str(), "https://api.amazon.co.jp/user/profile");
}

#[test]
fn errors_name_the_variable() {
    let err = Settings::from_sources(None, env(&[("LINKBROKER_CODE_TTL", "soon")])).unwrap_err();
    assert!(err.to_string().contains("LINKBROKER_CODE_TTL"), "{err}");
    let err = Settings::from_sources(None, env(&[("LINKBROKER_LWA_REGION", "mars")])).unwrap_err();
    assert!(err.to_string().contains("LINKBROKER_LWA_REGION"), "{err}");
    let err = Settings::from_sources(None, env(&[("LINKBROKER_RATE_LIMIT_TOKEN_PER_IP", "fast")])).unwrap_err();
    assert!(err.to_string().contains("LINKBROKER_RATE_LIMIT_TOKEN_PER_IP"), "{err}");
    let err = Settings::from_sources(None, env(&[("LINKBROKER_TLS_CERT", "/etc/lb/cert.pem")])).unwrap_err();
    assert!(err.to_string().contains("LINKBROKER_TLS_KEY"), "{err}");
    let err = Settings::from_sources(None, env(&[("LINKBROKER_TRUSTED_PROXIES", "10.0.0.0/99")])).unwrap_err();
    assert!(err.to_string().contains("LINKBROKER_TRUSTED_PROXIES"), "{err}");
    let s = Settings::from_sources(None, env(&[])).unwrap();
    assert!(s.require_lwa().unwrap_err().to_string().contains("LINKBROKER_LWA_CLIENT_ID"));
}

#[test]
fn toml_file_is_overlaid_by_environment() {
    let dir = std::env::temp_dir().join(format!("lb-settings-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("linkbroker.toml");
    std::fs::write(
        &path,
        "code_ttl = 60\naccess_token_ttl = 600\ndefault_permissions = [\"a:b\", \"c\"]\n[alexa.intent_permissions]\nOrderTaxiIntent = \"rides:order\"\n",
    )
    .unwrap();
    let s = Settings::from_sources(Some(&path), env(&[("LINKBROKER_CODE_TTL", "90")])).unwrap();
    assert_eq!(s.code_ttl, 90);
    assert_eq!(s.access_token_ttl, 600);
    assert_eq!(s.default_permissions.len(), 2);
    assert_eq!(s.alexa_intent_permissions["OrderTaxiIntent"].as_str(), "rides:order");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn secrets_are_redacted_in_debug() {
    let s = Settings::from_sources(
        None,
        env(&[
            ("LINKBROKER_LWA_CLIENT_SECRET", "topsecret"),
            ("LINKBROKER_DATABASE_URL", "postgres://lb:dbsecret@db/lb"),
        ]),
    )
    .unwrap();
    let debug = format!("{s:?}");
    assert!(!debug.contains("topsecret") && !debug.contains("dbsecret"), "{debug}");
}

fn toml_file(body: &str) -> tempfile_path::Path {
    tempfile_path::write(body)
}

/// A temporary file that is removed when dropped.
mod tempfile_path {
    pub struct Path(std::path::PathBuf);

    impl Path {
        pub fn get(&self) -> &std::path::Path {
            &self.0
        }
    }

    impl Drop for Path {
        fn drop(&mut self) {
            std::fs::remove_file(&self.0).ok();
        }
    }

    pub fn write(body: &str) -> Path {
        let path = std::env::temp_dir().join(format!("lb-settings-{}.toml", uuid::Uuid::new_v4().simple()));
        std::fs::write(&path, body).unwrap();
        Path(path)
    }
}

#[test]
fn an_unknown_key_in_the_file_is_refused_with_the_nearest_known_one() {
    let file = toml_file("lwa_client_idd = \"x\"\n");
    let err = Settings::from_sources(Some(file.get()), env(&[])).unwrap_err().to_string();
    assert!(err.contains("unknown setting `lwa_client_idd`"), "{err}");
    assert!(err.contains("did you mean `lwa_client_id`?"), "{err}");
    let file = toml_file("completely_unrelated_thing = 1\n");
    let err = Settings::from_sources(Some(file.get()), env(&[])).unwrap_err().to_string();
    assert!(err.contains("unknown setting `completely_unrelated_thing`") && !err.contains("did you mean"), "{err}");
    let file = toml_file("[alexa.intent_permisions]\nOrderIntent = \"rides:order\"\n");
    let err = Settings::from_sources(Some(file.get()), env(&[])).unwrap_err().to_string();
    assert!(err.contains("intent_permisions"), "{err}");
}

/// Every variable docs/settings.md documents is a key the file may hold
/// (the check above must never refuse a real setting).
#[test]
fn every_documented_setting_is_a_known_key() {
    let doc = include_str!("../../docs/settings.md");
    let mut vars: Vec<&str> = doc
        .split('`')
        .filter(|w| {
            w.starts_with("LINKBROKER_") && w.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        })
        .collect();
    vars.sort_unstable();
    vars.dedup();
    assert!(vars.len() > 20, "the settings table was found: {vars:?}");
    for var in vars {
        let key = var.trim_start_matches("LINKBROKER_").to_lowercase();
        let file = toml_file(&format!("{key} = \"x\"\n"));
        if let Err(e) = Settings::from_sources(Some(file.get()), env(&[])) {
            assert!(!e.to_string().contains("unknown setting"), "{var} is documented but refused: {e}");
        }
    }
}

#[test]
fn every_missing_lwa_variable_is_named() {
    let none = Settings::from_sources(None, env(&[])).unwrap();
    let err = none.require_lwa().unwrap_err().to_string();
    assert!(err.contains("LINKBROKER_LWA_CLIENT_ID and LINKBROKER_LWA_CLIENT_SECRET"), "{err}");
    let only_id = Settings::from_sources(None, env(&[("LINKBROKER_LWA_CLIENT_ID", "x")])).unwrap();
    let err = only_id.require_lwa().unwrap_err().to_string();
    assert!(err.starts_with("LINKBROKER_LWA_CLIENT_SECRET must be set"), "{err}");
}
