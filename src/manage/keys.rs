//! Server keys: a new JWT signing key, and the last-resort replacement of a
//! lost token key. Both are security events, so both are audited.

use super::{ManageError, Manager};
use crate::domain::{Actor, Secret};

impl Manager {
    /// A new signing key; older keys stay published for verification.
    /// Returns its `kid`.
    pub async fn rotate_signing_key(&self, actor: &Actor) -> Result<String, ManageError> {
        let now = self.now();
        let key = crate::oauth::jwt::generate_key(now);
        self.store.insert_signing_key(&key).await?;
        self.store.retire_signing_keys_except(&key.kid, now).await?;
        self.record(actor, "signing_key_rotated", &key.kid, serde_json::json!({})).await?;
        Ok(key.kid)
    }

    /// Replaces a lost token key (`server_secrets`) with a new one. Only when
    /// no backup has it: access tokens issued before stop working until the
    /// next refresh; no link is revoked (README "Refresh tokens", rule 6).
    pub async fn reset_token_key(&self, actor: &Actor) -> Result<(), ManageError> {
        let value = Secret::generate();
        self.store.replace_server_secret(crate::startup::SUCCESSOR_KEY, value.expose(), self.now()).await?;
        self.record(actor, "token_key_reset", crate::startup::SUCCESSOR_KEY, serde_json::json!({})).await
    }
}
