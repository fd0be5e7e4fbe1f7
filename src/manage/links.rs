//! Links (grants): revoke one, or every link of a user. A revoked link's
//! next refresh is `invalid_grant`, so the platform unlinks it.

use super::{ManageError, Manager, UserKey};
use crate::domain::Actor;

impl Manager {
    /// Revokes one live link of this user (the user guards against a link
    /// id taken from another user's page).
    pub async fn revoke_link(&self, actor: &Actor, key: &UserKey, link_id: &str) -> Result<(), ManageError> {
        let user = self.user(key).await?;
        if link_id.len() > 64 || !self.store.revoke_user_link(&user.id, link_id, "admin", self.now()).await? {
            return Err(ManageError::NotFound("live link"));
        }
        self.forget_tokens();
        self.record(actor, "link_revoked", link_id, serde_json::json!({ "user_id": user.id })).await
    }

    /// Revokes every live link of a user; returns how many.
    pub async fn revoke_all_links(&self, actor: &Actor, key: &UserKey) -> Result<u64, ManageError> {
        let user = self.user(key).await?;
        let n = self.store.revoke_user_links(&user.id, "admin", self.now()).await?;
        self.forget_tokens();
        self.record(actor, "links_revoked", &user.id, serde_json::json!({ "count": n })).await?;
        Ok(n)
    }
}
