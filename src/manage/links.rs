//! Links (grants): list a user's, revoke one, or every link of a user. A
//! revoked link's next refresh is `invalid_grant`, so the platform unlinks
//! it; a link made app-to-app is also unlinked at Alexa (the revocation
//! queues it, `crate::outbox` delivers it).

use super::{ManageError, Manager, UserKey};
use crate::domain::Actor;
use crate::store::{LinkDetail, UnlinkStatus, UserRow};

/// A user's links and the unlinks queued for them (`link list`, the admin
/// user page).
pub struct UserLinks {
    pub user: UserRow,
    pub links: Vec<LinkDetail>,
    pub unlinks: Vec<UnlinkStatus>,
}

impl Manager {
    pub async fn links(&self, key: &UserKey) -> Result<UserLinks, ManageError> {
        let user = self.user(key).await?;
        let links = self.store.user_links(&user.id).await?;
        let unlinks = self.store.unlinks_of_user(&user.id).await?;
        Ok(UserLinks { user, links, unlinks })
    }

    /// Revokes one live link of this user (the user guards against a link
    /// id taken from another user's page).
    pub async fn revoke_link(&self, actor: &Actor, key: &UserKey, link_id: &str) -> Result<(), ManageError> {
        let user = self.user(key).await?;
        self.end_link(actor, &user.id, link_id).await
    }

    /// Revokes a live link named by its id alone (`link revoke LINK_ID`).
    pub async fn revoke_link_by_id(&self, actor: &Actor, link_id: &str) -> Result<(), ManageError> {
        let owner = match link_id.len() {
            1..=64 => self.store.link_owner(link_id).await?,
            _ => None,
        };
        let user_id = owner.ok_or(ManageError::NotFound("live link"))?;
        self.end_link(actor, &user_id, link_id).await
    }

    async fn end_link(&self, actor: &Actor, user_id: &str, link_id: &str) -> Result<(), ManageError> {
        let reason = actor.revocation_reason();
        if link_id.len() > 64 || !self.store.revoke_user_link(user_id, link_id, reason, self.now()).await? {
            return Err(ManageError::NotFound("live link"));
        }
        self.forget_tokens();
        self.wake_outbox();
        self.record(actor, "link_revoked", link_id, serde_json::json!({ "user_id": user_id })).await
    }

    /// Revokes every live link of a user; returns how many.
    pub async fn revoke_all_links(&self, actor: &Actor, key: &UserKey) -> Result<u64, ManageError> {
        let user = self.user(key).await?;
        let n = self.store.revoke_user_links(&user.id, actor.revocation_reason(), self.now()).await?;
        self.forget_tokens();
        self.wake_outbox();
        self.record(actor, "links_revoked", &user.id, serde_json::json!({ "count": n })).await?;
        Ok(n)
    }
}
