//! JWT access tokens (RFC 9068) signed with ES256 keys kept in the database,
//! so every instance signs and verifies with the same keys.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use base64::{engine::general_purpose::STANDARD, engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde::{Deserialize, Serialize};

use crate::store::{SigningKeyRow, Store, StoreError};

/// RFC 9068 §2.2 claims, plus `lid`: the link (grant) id, checked against the
/// database on every use so revocation takes effect at once. The `jti` is an
/// identifier only: nothing accepts it as a credential.
#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub scope: String,
    pub lid: String,
    /// The link's token generation when issued (0 in tokens of the first
    /// schema); RFC 7009 revokes by it.
    #[serde(default)]
    pub gen: i64,
}

struct LoadedKey {
    kid: String,
    retired_at: Option<i64>,
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwk: serde_json::Value,
}

#[derive(Clone)]
pub struct KeyRing {
    store: Store,
    keys: Arc<RwLock<Vec<LoadedKey>>>,
    /// When a token's unknown `kid` last made us reload; held while that
    /// reload runs, so concurrent unknown kids share one (single flight).
    unknown_kid_reload: Arc<tokio::sync::Mutex<Option<Instant>>>,
    reloads: Arc<AtomicU64>,
}

/// An unknown `kid` reloads the keys at most this often: anyone can send
/// such a token, and it must not turn into database load.
pub const UNKNOWN_KID_RELOAD_INTERVAL: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("signing key {kid} is unusable: {reason}")]
    Corrupt { kid: String, reason: String },
}

/// A fresh ES256 key pair as a row to store.
pub fn generate_key(now: i64) -> SigningKeyRow {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).expect("the system RNG works");
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).expect("a fresh key parses");
    let point = pair.public_key().as_ref(); // 0x04 || X || Y
    let kid = uuid::Uuid::new_v4().simple().to_string();
    let jwk = serde_json::json!({
        "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
        "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
        "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
    });
    SigningKeyRow {
        kid,
        algorithm: "ES256".into(),
        private_der: STANDARD.encode(pkcs8.as_ref()),
        public_jwk: jwk.to_string(),
        created_at: now,
        retired_at: None,
    }
}

fn load(row: &SigningKeyRow) -> Result<LoadedKey, KeyError> {
    let corrupt = |reason: String| KeyError::Corrupt { kid: row.kid.clone(), reason };
    let der = STANDARD.decode(&row.private_der).map_err(|e| corrupt(e.to_string()))?;
    let jwk: serde_json::Value = serde_json::from_str(&row.public_jwk).map_err(|e| corrupt(e.to_string()))?;
    let (x, y) = (jwk["x"].as_str().unwrap_or_default(), jwk["y"].as_str().unwrap_or_default());
    Ok(LoadedKey {
        kid: row.kid.clone(),
        retired_at: row.retired_at,
        encoding: EncodingKey::from_ec_der(&der),
        decoding: DecodingKey::from_ec_components(x, y).map_err(|e| corrupt(e.to_string()))?,
        jwk,
    })
}

/// The `kid` in a JWT's header, unverified.
pub fn kid_of(token: &str) -> Option<String> {
    jsonwebtoken::decode_header(token).ok()?.kid
}

impl KeyRing {
    /// Loads the keys, creating the first one on a new deployment.
    pub async fn load(store: Store, now: i64) -> Result<Self, KeyError> {
        store.insert_first_signing_key(&generate_key(now)).await?;
        let ring = Self {
            store,
            keys: Arc::new(RwLock::new(Vec::new())),
            unknown_kid_reload: Arc::new(tokio::sync::Mutex::new(None)),
            reloads: Arc::new(AtomicU64::new(0)),
        };
        ring.reload().await?;
        Ok(ring)
    }

    pub async fn reload(&self) -> Result<(), KeyError> {
        self.reloads.fetch_add(1, Ordering::Relaxed);
        let rows = self.store.signing_keys().await?;
        let loaded = rows.iter().map(load).collect::<Result<Vec<_>, _>>()?;
        *self.keys.write().unwrap_or_else(|e| e.into_inner()) = loaded;
        Ok(())
    }

    pub fn sign(&self, claims: &AccessClaims) -> Result<String, jsonwebtoken::errors::Error> {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let key = keys
            .iter()
            .find(|k| k.retired_at.is_none())
            .or(keys.first())
            .expect("the key ring is never empty after load");
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(key.kid.clone());
        header.typ = Some("at+jwt".into());
        jsonwebtoken::encode(&header, claims, &key.encoding)
    }

    /// Verifies the type (RFC 9068 §4: `at+jwt`), signature, issuer and
    /// expiry. A key id we do not know may come from a rotation on another
    /// instance: reload (single flight, at most every
    /// `UNKNOWN_KID_RELOAD_INTERVAL`) and retry.
    pub async fn verify(&self, token: &str, issuer: &str) -> Option<AccessClaims> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.alg != Algorithm::ES256 || !header.typ.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("at+jwt")) {
            return None;
        }
        let kid = header.kid?;
        if !self.has_kid(&kid) {
            self.reload_for_unknown_kid(&kid).await;
        }
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let key = keys.iter().find(|k| k.kid == kid)?;
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_issuer(&[issuer]);
        validation.validate_aud = false;
        validation.leeway = 0;
        jsonwebtoken::decode::<AccessClaims>(token, &key.decoding, &validation).ok().map(|d| d.claims)
    }

    async fn reload_for_unknown_kid(&self, kid: &str) {
        let mut last = self.unknown_kid_reload.lock().await;
        // Another request may have reloaded while this one waited.
        if self.has_kid(kid) || last.is_some_and(|at| at.elapsed() < UNKNOWN_KID_RELOAD_INTERVAL) {
            return;
        }
        *last = Some(Instant::now());
        if let Err(e) = self.reload().await {
            tracing::warn!(error = %e, "could not reload signing keys");
        }
    }

    /// Key reloads so far (periodic and on demand), for tests and metrics.
    pub fn reload_count(&self) -> u64 {
        self.reloads.load(Ordering::Relaxed)
    }

    fn has_kid(&self, kid: &str) -> bool {
        self.keys.read().unwrap_or_else(|e| e.into_inner()).iter().any(|k| k.kid == kid)
    }

    /// The published keys: the signing key and every retired key that may
    /// still have signed an unexpired token (retired less than `max_token_age`
    /// seconds ago, plus a minute of clock skew).
    pub fn jwks(&self, now: i64, max_token_age: i64) -> serde_json::Value {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let published = keys.iter().filter(|k| k.retired_at.is_none_or(|at| at + max_token_age + 60 > now));
        serde_json::json!({ "keys": published.map(|k| k.jwk.clone()).collect::<Vec<_>>() })
    }

    /// Picks up keys rotated by `linkbroker keys rotate` or another instance.
    pub fn spawn_reloader(&self, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let ring = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = ring.reload().await {
                    tracing::warn!(error = %e, "could not reload signing keys");
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> AccessClaims {
        AccessClaims {
            iss: "http://i".into(),
            sub: "u".into(),
            aud: "c".into(),
            client_id: "c".into(),
            exp,
            iat: 0,
            jti: "j".into(),
            scope: "profile".into(),
            lid: "g".into(),
            gen: 0,
        }
    }

    async fn ring() -> (KeyRing, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("lb-jwt-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::connect(&format!("sqlite://{}/k.db", dir.display())).await.unwrap();
        store.migrate().await.unwrap();
        (KeyRing::load(store, 0).await.unwrap(), dir)
    }

    #[tokio::test]
    async fn unknown_key_ids_share_one_rate_limited_reload() {
        let (ring, dir) = ring().await;
        let stranger = load(&generate_key(0)).unwrap();
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(stranger.kid.clone());
        header.typ = Some("at+jwt".into());
        let token = jsonwebtoken::encode(&header, &claims(crate::clock::now() + 60), &stranger.encoding).unwrap();
        let before = ring.reload_count();
        let attempts: Vec<_> = (0..50)
            .map(|_| {
                let (ring, token) = (ring.clone(), token.clone());
                tokio::spawn(async move { ring.verify(&token, "http://i").await.is_none() })
            })
            .collect();
        for a in attempts {
            assert!(a.await.unwrap(), "an unknown key verifies nothing");
        }
        assert_eq!(ring.reload_count() - before, 1, "one reload for fifty unknown-kid tokens");
        std::fs::remove_dir_all(dir).ok();
    }

    #[tokio::test]
    async fn only_access_token_jwts_verify() {
        let (ring, dir) = ring().await;
        let keys = ring.keys.read().unwrap().first().map(|k| (k.kid.clone(), k.encoding.clone())).unwrap();
        let sign = |typ: Option<&str>| {
            let mut header = Header::new(Algorithm::ES256);
            header.kid = Some(keys.0.clone());
            header.typ = typ.map(str::to_string);
            jsonwebtoken::encode(&header, &claims(crate::clock::now() + 60), &keys.1).unwrap()
        };
        assert!(ring.verify(&sign(Some("at+jwt")), "http://i").await.is_some());
        assert!(ring.verify(&sign(Some("JWT")), "http://i").await.is_none(), "RFC 9068 §4: typ must be at+jwt");
        assert!(ring.verify(&sign(None), "http://i").await.is_none());
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn generated_keys_sign_and_verify() {
        let row = generate_key(0);
        let key = load(&row).unwrap();
        let claims = claims(crate::clock::now() + 60);
        let token = jsonwebtoken::encode(&Header::new(Algorithm::ES256), &claims, &key.encoding).unwrap();
        let mut v = Validation::new(Algorithm::ES256);
        v.validate_aud = false;
        assert!(jsonwebtoken::decode::<AccessClaims>(&token, &key.decoding, &v).is_ok());
        let other = load(&generate_key(0)).unwrap();
        assert!(jsonwebtoken::decode::<AccessClaims>(&token, &other.decoding, &v).is_err());
    }
}
