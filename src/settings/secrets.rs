//! `LINKBROKER_SECRETS_KEY` (or `_FILE`) and `LINKBROKER_SECRETS_KEY_PREVIOUS`:
//! the keys that seal secrets at rest (see `vault`).

use super::{invalid, SettingsError, Sources};

/// 32 key bytes; `Debug` never shows them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct KeyBytes(pub [u8; 32]);

impl std::fmt::Debug for KeyBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyBytes(…)")
    }
}

/// The current key, if any, and the previous ones.
pub(super) fn secrets_keys(src: &Sources) -> Result<(Option<KeyBytes>, Vec<KeyBytes>), SettingsError> {
    let current = match (src.get("secrets_key"), src.get("secrets_key_file")) {
        (Some(_), Some(raw)) => {
            return Err(invalid("secrets_key_file", &raw, "set LINKBROKER_SECRETS_KEY or its _FILE form, not both"))
        }
        (Some(raw), None) => Some(crate::vault::parse_key(&raw.value).map_err(|e| invalid("secrets_key", &raw, e))?),
        (None, Some(raw)) => {
            let text = std::fs::read_to_string(raw.value.trim())
                .map_err(|e| invalid("secrets_key_file", &raw, format!("cannot read {}: {e}", raw.value.trim())))?;
            Some(crate::vault::parse_key(&text).map_err(|e| invalid("secrets_key_file", &raw, e))?)
        }
        (None, None) => None,
    };
    let mut previous = Vec::new();
    if let Some(raw) = src.get("secrets_key_previous") {
        for part in raw.value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            previous
                .push(KeyBytes(crate::vault::parse_key(part).map_err(|e| invalid("secrets_key_previous", &raw, e))?));
        }
        // Previous keys without a current one open sealed values and seal
        // nothing: the first phase of turning sealing on across instances.
    }
    Ok((current.map(KeyBytes), previous))
}
