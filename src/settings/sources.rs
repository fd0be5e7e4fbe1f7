//! Where settings come from: the TOML file and `LINKBROKER_*` variables
//! (the variable wins), each value with its origin for error messages, and
//! which keys were asked for, so a key nobody reads is refused.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::SettingsError;

/// Where one raw value came from, for error messages.
pub(super) struct Raw {
    pub value: String,
    pub from: String,
}

pub(super) struct Sources {
    pub file: Option<(PathBuf, toml::Table)>,
    pub env: BTreeMap<String, String>,
    /// Every key the settings asked for: what the file may hold.
    asked: RefCell<BTreeSet<String>>,
}

impl Sources {
    pub fn new(file: Option<(PathBuf, toml::Table)>, env: BTreeMap<String, String>) -> Self {
        Self { file, env, asked: RefCell::default() }
    }

    pub fn get(&self, key: &str) -> Option<Raw> {
        self.asked.borrow_mut().insert(key.to_string());
        let var = var_name(key);
        if let Some(value) = self.env.get(&var) {
            return Some(Raw { value: value.clone(), from: "environment".into() });
        }
        let (path, table) = self.file.as_ref()?;
        let value = table.get(key)?;
        let value = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string(),
        };
        Some(Raw { value, from: format!("{key} in {}", path.display()) })
    }
}

impl Sources {
    /// Marks a key (a table) as known without reading it as one value.
    pub fn knows(&self, key: &str) {
        self.asked.borrow_mut().insert(key.to_string());
    }

    /// After every setting was read: a key of the file nobody asked for is
    /// a typo (`lwa_client_idd`) that would otherwise be ignored in
    /// silence. The error names it and the nearest known key.
    pub fn refuse_unknown(&self) -> Result<(), SettingsError> {
        let Some((path, table)) = &self.file else { return Ok(()) };
        let asked = self.asked.borrow();
        let Some(key) = table.keys().find(|k| !asked.contains(k.as_str())) else { return Ok(()) };
        let nearest = asked
            .iter()
            .map(|known| (strsim::levenshtein(key, known), known))
            .min()
            .filter(|(distance, _)| *distance <= 3.max(key.len() / 3))
            .map(|(_, known)| format!("; did you mean `{known}`?"))
            .unwrap_or_default();
        Err(SettingsError::Unknown { key: key.clone(), path: path.clone(), nearest })
    }
}

pub(super) fn var_name(key: &str) -> String {
    format!("LINKBROKER_{}", key.to_uppercase())
}

pub(super) fn invalid(key: &str, raw: &Raw, message: impl Into<String>) -> SettingsError {
    SettingsError::Invalid { var: var_name(key), from: raw.from.clone(), message: message.into() }
}
