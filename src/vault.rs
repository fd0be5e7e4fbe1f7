//! Secrets at rest (`LINKBROKER_SECRETS_KEY`): the signing keys, the
//! refresh-successor key, Alexa event credentials and Amazon refresh tokens
//! are stored sealed with AES-256-GCM (ring), so a copy of the database
//! alone (a backup, a replica, a leaked dump) holds none of them.
//!
//! A sealed value is `sealed:v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`.
//! The key id (the first 8 bytes of SHA-256 of the key, hex) says which key
//! opens it, so a rotation (`LINKBROKER_SECRETS_KEY_PREVIOUS`) can tell old
//! values from new ones. Every value is bound to what it is (the additional
//! data names its table and row), so a sealed value copied into another row
//! does not open there. Values stored before a key was set are plain text
//! and are read as they are until startup seals them.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};

const PREFIX: &str = "sealed:v1:";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// A sealed value, but no configured key has its id; the second field
    /// says where the keys were looked for.
    #[error(
        "a secret in the database is sealed with key {0}, which is not configured ({1}): set \
         LINKBROKER_SECRETS_KEY (or LINKBROKER_SECRETS_KEY_FILE) to that key, or list it in \
         LINKBROKER_SECRETS_KEY_PREVIOUS"
    )]
    MissingKey(String, String),
    /// A plain value where a key is configured and the database was sealed:
    /// written around linkbroker (a downgrade), never trusted.
    #[error(
        "a secret in the database ({0}) is stored in plain text although LINKBROKER_SECRETS_KEY is set and the \
         database was sealed: linkbroker never writes it so. Restore the value from a backup, or start `serve` \
         once with the key to seal values stored before the key was set"
    )]
    Plain(String),
    /// The right key id, but the value does not open: tampered, or moved
    /// from another row.
    #[error("a sealed secret in the database does not open ({0}): it was altered or copied from another row")]
    Corrupt(String),
}

/// One 256-bit key.
struct SealKey {
    id: String,
    key: LessSafeKey,
}

impl SealKey {
    fn new(bytes: &[u8; 32]) -> Self {
        let digest = Sha256::digest(bytes);
        let id = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, bytes).expect("32 bytes is an AES-256 key"));
        Self { id, key }
    }
}

/// The configured keys: `current` seals; it and `previous` open.
pub struct Vault {
    current: Option<SealKey>,
    previous: Vec<SealKey>,
    /// Where the keys came from, for errors ("LINKBROKER_SECRETS_KEY",
    /// "the dev key file /x/linkbroker.db.secrets-key", ...).
    origin: String,
    /// Plain values are read as they are (before startup sealing, or with
    /// no key); once sealing ran with a key, a plain value is refused.
    plain_allowed: std::sync::atomic::AtomicBool,
}

impl Default for Vault {
    /// No key: values are stored and read as they are.
    fn default() -> Self {
        Self::new(None, &[])
    }
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("current", &self.current.as_ref().map(|k| &k.id))
            .field("previous", &self.previous.iter().map(|k| &k.id).collect::<Vec<_>>())
            .finish()
    }
}

/// Decodes a key as configured: 32 bytes, base64url (padding optional).
pub fn parse_key(raw: &str) -> Result<[u8; 32], String> {
    let raw = raw.trim().trim_end_matches('=');
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| "not base64url".to_string())?;
    bytes.try_into().map_err(|b: Vec<u8>| format!("{} bytes, but a key is 32 random bytes", b.len()))
}

/// A new random key, base64url, as `serve --dev` writes it.
pub fn generate_key() -> String {
    let mut bytes = [0u8; 32];
    SystemRandom::new().fill(&mut bytes).expect("the system random source works");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether a stored value is sealed (under any key).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

impl Vault {
    pub fn new(current: Option<[u8; 32]>, previous: &[[u8; 32]]) -> Self {
        Self {
            current: current.as_ref().map(SealKey::new),
            previous: previous.iter().map(SealKey::new).collect(),
            origin: if current.is_some() { "LINKBROKER_SECRETS_KEY".into() } else { "no key is configured".into() },
            plain_allowed: std::sync::atomic::AtomicBool::new(true),
        }
    }

    /// Says where the keys were looked for, in errors.
    pub fn with_origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = origin.into();
        self
    }

    /// Every value is sealed now (startup sealing ran with a key): from here
    /// on a plain value is refused.
    pub fn refuse_plain(&self) {
        if self.current.is_some() {
            self.plain_allowed.store(false, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Whether a key is configured (values are sealed on write).
    pub fn seals(&self) -> bool {
        self.current.is_some()
    }

    /// The current key's id, for logs.
    pub fn key_id(&self) -> Option<&str> {
        self.current.as_ref().map(|k| k.id.as_str())
    }

    /// `plain` sealed under the current key and bound to `purpose`; plain
    /// text when no key is configured.
    pub fn seal(&self, purpose: &str, plain: &str) -> String {
        let Some(k) = &self.current else { return plain.to_string() };
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).expect("the system random source works");
        let mut data = plain.as_bytes().to_vec();
        k.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(purpose.as_bytes()), &mut data)
            .expect("AES-GCM sealing of a short value cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        format!("{PREFIX}{}:{}", k.id, URL_SAFE_NO_PAD.encode(out))
    }

    /// The plain value of `stored` (sealed for `purpose`, or plain text from
    /// before a key was set).
    pub fn open(&self, purpose: &str, stored: &str) -> Result<String, VaultError> {
        if !is_sealed(stored) && !self.plain_allowed.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(VaultError::Plain(purpose.to_string()));
        }
        self.open_any(purpose, stored)
    }

    /// `open`, plain values included (startup sealing reads them to seal them).
    fn open_any(&self, purpose: &str, stored: &str) -> Result<String, VaultError> {
        let Some(rest) = stored.strip_prefix(PREFIX) else { return Ok(stored.to_string()) };
        let (id, body) = rest.split_once(':').ok_or_else(|| VaultError::Corrupt("malformed".into()))?;
        let key = self
            .current
            .iter()
            .chain(self.previous.iter())
            .find(|k| k.id == id)
            .ok_or_else(|| VaultError::MissingKey(id.to_string(), self.origin.clone()))?;
        let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| VaultError::Corrupt("not base64url".into()))?;
        if bytes.len() < NONCE_LEN {
            return Err(VaultError::Corrupt("too short".into()));
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| VaultError::Corrupt("nonce".into()))?;
        let mut data = sealed.to_vec();
        let plain = key
            .key
            .open_in_place(nonce, Aad::from(purpose.as_bytes()), &mut data)
            .map_err(|_| VaultError::Corrupt(purpose.to_string()))?;
        String::from_utf8(plain.to_vec()).map_err(|_| VaultError::Corrupt("not text".into()))
    }

    /// Whether `stored` is sealed under the current key (nothing to do at
    /// startup; it is opened when used).
    pub fn is_current(&self, stored: &str) -> bool {
        let Some(k) = &self.current else { return false };
        stored.strip_prefix(PREFIX).and_then(|r| r.split_once(':')).is_some_and(|(id, _)| id == k.id)
    }

    /// Whether `stored` should be rewritten under the current key: plain
    /// text while a key is set, or sealed under an older key.
    pub fn needs_reseal(&self, stored: &str) -> bool {
        let Some(k) = &self.current else { return false };
        match stored.strip_prefix(PREFIX).and_then(|r| r.split_once(':')) {
            Some((id, _)) => id != k.id,
            None => true,
        }
    }

    /// `stored` rewritten under the current key, if it needs it.
    pub fn reseal(&self, purpose: &str, stored: &str) -> Result<Option<String>, VaultError> {
        if !self.needs_reseal(stored) {
            return Ok(None);
        }
        Ok(Some(self.seal(purpose, &self.open_any(purpose, stored)?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: [u8; 32] = [7; 32];
    const B: [u8; 32] = [9; 32];

    #[test]
    fn sealed_values_open_only_for_their_purpose_and_key() {
        let v = Vault::new(Some(A), &[]);
        let sealed = v.seal("server_secret:k", "hunter2");
        assert!(is_sealed(&sealed) && !sealed.contains("hunter2"));
        assert_ne!(sealed, v.seal("server_secret:k", "hunter2"), "a fresh nonce each time");
        assert_eq!(v.open("server_secret:k", &sealed).unwrap(), "hunter2");
        assert!(matches!(v.open("server_secret:other", &sealed), Err(VaultError::Corrupt(_))), "bound to its row");
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(v.open("server_secret:k", &tampered).is_err());
        let other = Vault::new(Some(B), &[]);
        assert!(matches!(other.open("server_secret:k", &sealed), Err(VaultError::MissingKey(..))));
        let e = Vault::default().with_origin("no key, and no /x.db.secrets-key").open("server_secret:k", &sealed);
        assert!(e.unwrap_err().to_string().contains("no /x.db.secrets-key"), "says where it looked");
    }

    #[test]
    fn plain_values_pass_and_rotation_reseals() {
        let none = Vault::default();
        assert_eq!(none.seal("p", "x"), "x", "no key: stored as before, with a startup warning");
        assert!(!none.needs_reseal("x"));
        let old = Vault::new(Some(A), &[]);
        let sealed_a = old.seal("p", "x");
        let rotated = Vault::new(Some(B), &[A]);
        assert_eq!(rotated.open("p", &sealed_a).unwrap(), "x", "the previous key still opens");
        assert!(rotated.needs_reseal(&sealed_a) && rotated.needs_reseal("plain"));
        let resealed = rotated.reseal("p", &sealed_a).unwrap().unwrap();
        assert!(!rotated.needs_reseal(&resealed));
        assert_eq!(Vault::new(Some(B), &[]).open("p", &resealed).unwrap(), "x");
        assert_eq!(rotated.reseal("p", &resealed).unwrap(), None);
    }

    #[test]
    fn plain_values_are_refused_once_the_database_is_sealed() {
        let v = Vault::new(Some(A), &[]);
        assert_eq!(v.open("p", "plain").unwrap(), "plain", "before startup sealing ran");
        v.refuse_plain();
        assert_eq!(v.open("p", "plain"), Err(VaultError::Plain("p".into())), "a downgrade is refused");
        assert_eq!(v.open("p", &v.seal("p", "x")).unwrap(), "x");
        let none = Vault::default();
        none.refuse_plain();
        assert_eq!(none.open("p", "plain").unwrap(), "plain", "without a key nothing is sealed");
    }

    #[test]
    fn keys_parse_from_base64url() {
        let k = generate_key();
        assert_eq!(parse_key(&k).unwrap().len(), 32);
        assert!(parse_key("short").is_err());
        assert!(parse_key("!!!").is_err());
        assert_ne!(generate_key(), k);
    }
}
