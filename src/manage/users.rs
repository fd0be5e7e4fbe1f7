//! Users: provision, permissions, disable and enable, erase, detach an
//! upstream identity.

use super::{bounded_name, ManageError, Manager};
use crate::domain::{Actor, Email, Permission};
use crate::store::UserRow;

/// How a door names a user: the UI and the API by id, the CLI by email.
#[derive(Debug, Clone)]
pub enum UserKey {
    Id(String),
    Email(String),
}

/// A user to pre-provision (for `LINKBROKER_SIGNUP=existing`), as typed.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    /// Permission names; entries may hold several separated by commas or
    /// spaces (the admin form's one field).
    pub permissions: Vec<String>,
    /// The operator vouches for the email (`--email-verified`): a Google ID
    /// token may then match this user by email.
    pub email_verified: bool,
}

impl UserKey {
    /// The id a page redirects back to (empty for an email key).
    pub fn as_id(&self) -> &str {
        match self {
            Self::Id(id) => id,
            Self::Email(_) => "",
        }
    }
}

const MAX_PERMISSIONS: usize = 100;

fn permission(raw: &str) -> Result<Permission, ManageError> {
    Permission::parse(raw.trim()).map_err(ManageError::from)
}

impl Manager {
    pub async fn user(&self, key: &UserKey) -> Result<UserRow, ManageError> {
        let found = match key {
            UserKey::Id(id) if id.len() <= 64 => self.store.user_by_id(id).await?,
            UserKey::Id(_) => None,
            UserKey::Email(raw) => {
                let email = Email::parse(raw).map_err(|e| ManageError::Invalid(format!("email: {e}")))?;
                self.store.user_by_email(&email).await?
            }
        };
        found.ok_or(ManageError::NotFound("user"))
    }

    pub async fn provision_user(&self, actor: &Actor, new: &NewUser) -> Result<UserRow, ManageError> {
        let email = Email::parse(&new.email).map_err(|e| ManageError::Invalid(format!("email: {e}")))?;
        let name = bounded_name(&new.name, 200, "a name")?;
        let mut permissions: Vec<Permission> = Vec::new();
        for raw in new.permissions.iter().flat_map(|p| p.split([',', ' ', '\t', '\n', '\r'])) {
            if raw.trim().is_empty() {
                continue;
            }
            let p = permission(raw)?;
            if !permissions.contains(&p) {
                permissions.push(p);
            }
        }
        if permissions.len() > MAX_PERMISSIONS {
            return Err(ManageError::Invalid(format!("give at most {MAX_PERMISSIONS} permissions")));
        }
        let user =
            self.store.create_user(&email, &name, &permissions, new.email_verified, self.now()).await.map_err(|e| {
                match ManageError::from(e) {
                    ManageError::Conflict(_) => {
                        ManageError::Conflict(format!("a user with email {email} already exists"))
                    }
                    other => other,
                }
            })?;
        let granted: Vec<&str> = permissions.iter().map(Permission::as_str).collect();
        let detail = serde_json::json!({ "permissions": granted, "email_verified": new.email_verified });
        self.record(actor, "user_provisioned", &user.id, detail).await?;
        Ok(user)
    }

    /// Marks a user's email verified (a Google ID token may then match it
    /// by email). Returns whether it was not yet.
    pub async fn verify_email(&self, actor: &Actor, key: &UserKey) -> Result<(UserRow, bool), ManageError> {
        let user = self.user(key).await?;
        let changed = self.store.set_email_verified(&user.id, self.now()).await?;
        if changed {
            self.record(actor, "user_email_verified", &user.id, serde_json::json!({ "email": user.email })).await?;
        }
        Ok((user, changed))
    }

    /// Grants (`true`) or withdraws a permission; returns whether it
    /// changed. Only a change is audited.
    pub async fn set_permission(
        &self,
        actor: &Actor,
        key: &UserKey,
        raw: &str,
        grant: bool,
    ) -> Result<(UserRow, bool), ManageError> {
        let permission = permission(raw)?;
        let user = self.user(key).await?;
        let (changed, action) = if grant {
            (self.store.grant_permission(&user.id, &permission, self.now()).await?, "permission_granted")
        } else {
            (self.store.revoke_permission(&user.id, &permission).await?, "permission_revoked")
        };
        if changed {
            self.forget_tokens();
            self.record(actor, action, &user.id, serde_json::json!({ "permission": permission.as_str() })).await?;
        }
        Ok((user, changed))
    }

    /// Disabling stops every link (a disabled user's tokens do not resolve)
    /// without revoking them. Enabling brings back only the links the
    /// platforms kept: a refresh refused while disabled makes Alexa or
    /// Google drop the link for good. Returns whether the flag changed.
    pub async fn set_disabled(
        &self,
        actor: &Actor,
        key: &UserKey,
        disabled: bool,
    ) -> Result<(UserRow, bool), ManageError> {
        let user = self.user(key).await?;
        let changed = self.store.set_user_disabled(&user.id, disabled, self.now()).await?;
        if changed && disabled {
            // Links whose Amazon token we hold end, so Alexa hears of it.
            self.store.revoke_app_links_of_user(&user.id, "user disabled", self.now()).await?;
            self.wake_outbox();
        }
        if changed {
            self.forget_tokens();
            let action = if disabled { "user_disabled" } else { "user_enabled" };
            self.record(actor, action, &user.id, serde_json::json!({})).await?;
        }
        Ok((user, changed))
    }

    /// Erases a user: revokes every link (recorded while the rows exist,
    /// should the erasure fail half-way), then removes the user and all
    /// that hangs off it, leaving a pseudonymous audit trail.
    pub async fn delete_user(&self, actor: &Actor, key: &UserKey) -> Result<(), ManageError> {
        let user = self.user(key).await?;
        let links = self.store.revoke_user_links(&user.id, "user deleted", self.now()).await?;
        let existed = self.store.erase_user(&user.id, &user.email).await?;
        self.forget_tokens();
        self.wake_outbox();
        if !existed {
            return Err(ManageError::NotFound("user"));
        }
        self.record(actor, "user_deleted", &user.id, serde_json::json!({ "links_revoked": links })).await
    }

    /// Detaches an upstream identity; its next sign-in counts as a new one.
    pub async fn unlink_identity(
        &self,
        actor: &Actor,
        key: &UserKey,
        provider: &str,
        subject: &str,
    ) -> Result<UserRow, ManageError> {
        let user = self.user(key).await?;
        if !self.store.unlink_identity(&user.id, provider, subject).await? {
            return Err(ManageError::NotFound("identity"));
        }
        self.record(actor, "identity_unlinked", &user.id, serde_json::json!({ "provider": provider })).await?;
        Ok(user)
    }
}
