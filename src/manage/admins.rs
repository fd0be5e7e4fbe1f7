//! Admin accounts and their API tokens.

use super::{bounded_name, ManageError, Manager};
use crate::domain::{Actor, Email, Secret};
use crate::store::AdminRow;

/// Argon2id with a 12-character floor: admins are people.
const MIN_PASSWORD_CHARS: usize = 12;

/// An admin password, checked and hashed with argon2id.
async fn password_hash(password: String) -> Result<String, ManageError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ManageError::Invalid(format!(
            "the admin password must be at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    crate::accounts::password::hash(password)
        .await
        .map_err(|e| ManageError::Internal(format!("the password could not be hashed: {e}")))
}

impl Manager {
    pub async fn add_admin(&self, actor: &Actor, email: &str, password: String) -> Result<(), ManageError> {
        let email = Email::parse(email).map_err(|e| ManageError::Invalid(format!("email: {e}")))?;
        let hash = password_hash(password).await?;
        self.store.create_admin(&email, &hash, self.now()).await.map_err(|e| match ManageError::from(e) {
            ManageError::Conflict(_) => ManageError::Conflict(format!("an admin with email {email} already exists")),
            other => other,
        })?;
        self.record(actor, "admin_created", email.as_str(), serde_json::json!({})).await
    }

    /// A new password for an existing admin (the way back in when the one
    /// `serve --dev` printed is lost); their sessions end.
    pub async fn set_admin_password(&self, actor: &Actor, email: &str, password: String) -> Result<(), ManageError> {
        let email = Email::parse(email).map_err(|e| ManageError::Invalid(format!("email: {e}")))?;
        let hash = password_hash(password).await?;
        if !self.store.set_admin_password(&email, &hash).await? {
            return Err(ManageError::NotFound("admin"));
        }
        self.record(actor, "admin_password_set", email.as_str(), serde_json::json!({})).await
    }

    async fn admin(&self, email: &str) -> Result<AdminRow, ManageError> {
        let email = Email::parse(email).map_err(|e| ManageError::Invalid(format!("email: {e}")))?;
        self.store.admin_by_email(&email).await?.ok_or(ManageError::NotFound("admin"))
    }

    /// Creates an API token acting as the admin with `owner` email; the
    /// value is returned once and only its hash is kept. Returns its id too.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        owner: &str,
        name: &str,
    ) -> Result<(String, Secret), ManageError> {
        let admin = self.admin(owner).await?;
        let name = bounded_name(name, 100, "a token name")?;
        if name.is_empty() {
            return Err(ManageError::Invalid(
                "name the token (1 to 100 characters), e.g. after the script using it".into(),
            ));
        }
        let token = Secret::generate();
        let id = self.store.create_api_token(&admin.id, token.hash().as_str(), &name, self.now()).await?;
        self.record_after_secret(actor, "api_token_created", &id, serde_json::json!({ "admin": admin.email })).await;
        Ok((id, token))
    }

    /// Revokes one of `owner`'s API tokens; it stops working at once.
    pub async fn revoke_api_token(&self, actor: &Actor, owner: &str, token_id: &str) -> Result<(), ManageError> {
        let admin = self.admin(owner).await?;
        if !self.store.revoke_api_token(&admin.id, token_id, self.now()).await? {
            return Err(ManageError::NotFound("live API token"));
        }
        self.record(actor, "api_token_revoked", token_id, serde_json::json!({})).await
    }
}
