//! OAuth clients: register, change, re-key and remove.

use super::{ManageError, Manager};
use crate::domain::{Actor, ClientDraft, ClientId, ClientSpec, Secret};
use crate::store::ClientRow;

impl Manager {
    /// Registers a client; the secret is returned once and kept hashed.
    pub async fn create_client(&self, actor: &Actor, draft: &ClientDraft) -> Result<(ClientId, Secret), ManageError> {
        let spec = ClientSpec::parse(draft)?;
        let id = ClientId::generate();
        let secret = Secret::generate();
        self.store.create_client(id.as_str(), secret.hash().as_str(), &spec, self.now()).await?;
        self.record_after_secret(actor, "client_created", id.as_str(), serde_json::json!({ "name": spec.name })).await;
        Ok((id, secret))
    }

    /// Replaces a client's settings (its secret and links stay); the audit
    /// entry records what changed.
    pub async fn update_client(&self, actor: &Actor, id: &str, draft: &ClientDraft) -> Result<(), ManageError> {
        let spec = ClientSpec::parse(draft)?;
        let before = self.client(id).await?;
        if !self.store.update_client(id, &spec, self.now()).await? {
            return Err(ManageError::NotFound("client"));
        }
        self.forget_clients();
        self.record(actor, "client_updated", id, changes(&before, &spec)).await
    }

    /// Issues a new secret; the old one stops working at once (within the
    /// 2 s client cache on other instances).
    pub async fn rotate_client_secret(&self, actor: &Actor, id: &str) -> Result<Secret, ManageError> {
        let secret = Secret::generate();
        if !self.store.set_client_secret_hash(id, secret.hash().as_str(), self.now()).await? {
            return Err(ManageError::NotFound("client"));
        }
        self.forget_clients();
        self.record_after_secret(actor, "client_secret_rotated", id, serde_json::json!({})).await;
        Ok(secret)
    }

    /// Deletes a client after revoking its links (recorded while the rows
    /// exist); its codes and tokens go with it.
    pub async fn delete_client(&self, actor: &Actor, id: &str) -> Result<(), ManageError> {
        let revoked = self.store.revoke_client_links(id, "client deleted", self.now()).await?;
        let existed = self.store.delete_client(id).await?;
        self.forget_tokens();
        self.wake_outbox();
        self.forget_clients();
        if !existed {
            return Err(ManageError::NotFound("client"));
        }
        self.record(actor, "client_deleted", id, serde_json::json!({ "links_revoked": revoked })).await
    }

    pub async fn clients(&self) -> Result<Vec<ClientRow>, ManageError> {
        Ok(self.store.list_clients().await?)
    }

    pub async fn client(&self, id: &str) -> Result<ClientRow, ManageError> {
        if id.len() > 64 {
            return Err(ManageError::NotFound("client"));
        }
        self.store.client(id).await?.ok_or(ManageError::NotFound("client"))
    }
}

/// What an update changed, for the audit log (a client holds no secret
/// here: its secret hash is not part of an update).
fn changes(before: &ClientRow, after: &ClientSpec) -> serde_json::Value {
    use std::collections::BTreeSet;
    let mut out = serde_json::Map::new();
    let mut set_diff = |what: &str, old: BTreeSet<String>, new: BTreeSet<String>| {
        let added: Vec<&String> = new.difference(&old).collect();
        let removed: Vec<&String> = old.difference(&new).collect();
        if !added.is_empty() || !removed.is_empty() {
            out.insert(what.into(), serde_json::json!({ "added": added, "removed": removed }));
        }
    };
    set_diff(
        "redirect_uris",
        before.redirect_uris.iter().cloned().collect(),
        after.redirect_uris.iter().map(|u| u.as_str().to_string()).collect(),
    );
    set_diff(
        "scopes",
        before.scopes.split_whitespace().map(str::to_string).collect(),
        after.scopes.to_string().split_whitespace().map(str::to_string).collect(),
    );
    let mut flag = |what: &str, old: serde_json::Value, new: serde_json::Value| {
        if old != new {
            out.insert(what.into(), serde_json::json!({ "from": old, "to": new }));
        }
    };
    flag("name", before.name.clone().into(), after.name.clone().into());
    flag("skip_consent", before.skip_consent.into(), after.skip_consent.into());
    flag("token_format", before.token_format.as_str().into(), after.token_format.as_str().into());
    flag("allow_plain_pkce", before.allow_plain_pkce.into(), after.allow_plain_pkce.into());
    flag("consent", before.consent.as_str().into(), after.consent.as_str().into());
    serde_json::Value::Object(out)
}

/// The "Send Alexa Events" credentials as an admin typed them.
fn event_credentials(client_id: &str, secret: &str) -> Result<crate::store::EventCredentials, ManageError> {
    let (client_id, secret) = (client_id.trim(), secret.trim());
    if client_id.is_empty() || client_id.len() > 200 || !client_id.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ManageError::Invalid(
            "the Alexa client id is the \"Send Alexa Events\" client id from the Alexa developer console \
             (Build > Permissions), e.g. amzn1.application-oa2-client.…"
                .into(),
        ));
    }
    if secret.is_empty() || secret.len() > 512 || !secret.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ManageError::Invalid("the Alexa client secret is the one shown beside that client id".into()));
    }
    Ok(crate::store::EventCredentials { client_id: client_id.to_string(), client_secret: secret.to_string() })
}

impl Manager {
    /// Stores (`Some((id, secret))`, sealed) or clears a client's "Send Alexa
    /// Events" credentials. The secret is write-only: nothing returns it.
    pub async fn set_alexa_events(
        &self,
        actor: &Actor,
        id: &str,
        credentials: Option<(&str, &str)>,
    ) -> Result<(), ManageError> {
        let creds = credentials.map(|(c, s)| event_credentials(c, s)).transpose()?;
        if !self.store.set_alexa_event_credentials(id, creds.as_ref(), self.now()).await? {
            return Err(ManageError::NotFound("client"));
        }
        self.forget_event_targets();
        let (action, detail) = match &creds {
            Some(c) => ("client_alexa_events_set", serde_json::json!({ "alexa_client_id": c.client_id })),
            None => ("client_alexa_events_cleared", serde_json::json!({})),
        };
        self.record(actor, action, id, detail).await
    }
}
