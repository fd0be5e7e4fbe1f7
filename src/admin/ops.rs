//! Admin operations shared by the web UI and the JSON API, each with its
//! audit entry, so both paths erase and revoke exactly the same way. Each
//! clears this instance's caches at once (other instances follow within
//! the 2 s bound of `oauth::access_cache`).

use crate::domain::Secret;
use crate::oauth::AuthServer;
use crate::store::{AuditEvent, Store, StoreError};

async fn record(
    store: &Store,
    actor: &str,
    action: &str,
    target: &str,
    detail: serde_json::Value,
) -> Result<(), StoreError> {
    store.audit(AuditEvent { actor, action, target, detail }, crate::clock::now()).await
}

/// Erases a user: revokes every link (recorded while the rows exist, should
/// the erasure fail half-way), then removes the user and all that hangs off
/// it, leaving a pseudonymous audit trail. Returns whether the user existed.
pub async fn delete_user(auth: &AuthServer, actor: &str, user_id: &str, email: &str) -> Result<bool, StoreError> {
    let store = &auth.store;
    let links = store.revoke_user_links(user_id, "user deleted", crate::clock::now()).await?;
    let existed = store.erase_user(user_id, email).await?;
    auth.access_cache.clear();
    if existed {
        record(store, actor, "user_deleted", user_id, serde_json::json!({ "links_revoked": links })).await?;
    }
    Ok(existed)
}

/// Revokes every live link of a user; returns how many.
pub async fn revoke_all_links(auth: &AuthServer, actor: &str, user_id: &str) -> Result<u64, StoreError> {
    let store = &auth.store;
    let n = store.revoke_user_links(user_id, "admin", crate::clock::now()).await?;
    auth.access_cache.clear();
    record(store, actor, "links_revoked", user_id, serde_json::json!({ "count": n })).await?;
    Ok(n)
}

/// Deletes a client after revoking its links. Returns whether it existed.
pub async fn delete_client(auth: &AuthServer, actor: &str, client_id: &str) -> Result<bool, StoreError> {
    let store = &auth.store;
    store.revoke_client_links(client_id, "client deleted", crate::clock::now()).await?;
    let existed = store.delete_client(client_id).await?;
    auth.access_cache.clear();
    auth.client_cache.clear();
    if existed {
        record(store, actor, "client_deleted", client_id, serde_json::json!({})).await?;
    }
    Ok(existed)
}

/// Issues a new client secret (the old one stops working at once); `None`
/// if there is no such client.
pub async fn rotate_client_secret(
    auth: &AuthServer,
    actor: &str,
    client_id: &str,
) -> Result<Option<Secret>, StoreError> {
    let store = &auth.store;
    let secret = Secret::generate();
    if !store.set_client_secret_hash(client_id, secret.hash().as_str(), crate::clock::now()).await? {
        return Ok(None);
    }
    auth.client_cache.clear();
    record(store, actor, "client_secret_rotated", client_id, serde_json::json!({})).await?;
    Ok(Some(secret))
}
