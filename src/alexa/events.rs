//! `AlexaSkillEvent.*`: recorded in the audit log; a disabled skill's link is
//! revoked. Events carry no speech; the route answers them with an empty
//! response.

use serde_json::json;

use super::envelope::{Envelope, Request};
use crate::oauth::AuthServer;
use crate::store::{AuditEvent, StoreError};

/// Records a skill event. `relayed_by`: the client that relayed it (the
/// Smart Home relay), whose links alone it may touch; `None` for a request
/// Amazon signed (`POST /alexa`).
pub async fn record(
    auth: &AuthServer,
    envelope: &Envelope,
    relayed_by: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    let alexa_user = envelope.alexa_user_id().unwrap_or("");
    let application = envelope.application_id().unwrap_or("");
    let (action, target, detail) = match &envelope.request {
        Request::SkillEnabled(_) => ("alexa.skill_enabled", alexa_user.to_string(), json!({})),
        Request::SkillAccountLinked(_) => {
            let grant = linked_grant(auth, envelope, relayed_by, now).await?;
            if let (Some(grant), false) = (&grant, alexa_user.is_empty()) {
                auth.store.record_alexa_user(grant, alexa_user).await?;
            }
            ("alexa.skill_account_linked", alexa_user.to_string(), json!({ "grant_id": grant }))
        }
        Request::SkillDisabled(_) => {
            let revoked = disable(auth, envelope, alexa_user, relayed_by, now).await?;
            ("alexa.skill_disabled", alexa_user.to_string(), json!({ "revoked_grants": revoked }))
        }
        Request::SkillPermissionAccepted(e) | Request::SkillPermissionChanged(e) => {
            let scopes: Vec<&str> =
                e.body.iter().flat_map(|b| &b.accepted_permissions).map(|p| p.scope.as_str()).collect();
            let action = match &envelope.request {
                Request::SkillPermissionAccepted(_) => "alexa.skill_permission_accepted",
                _ => "alexa.skill_permission_changed",
            };
            (action, alexa_user.to_string(), json!({ "accepted_permissions": scopes }))
        }
        Request::LaunchRequest(_) | Request::IntentRequest(_) | Request::SessionEndedRequest(_) => return Ok(()),
    };
    let mut detail = detail;
    detail["alexa_user_id"] = json!(alexa_user);
    detail["application_id"] = json!(application);
    if let Some(client) = relayed_by {
        detail["relayed_by"] = json!(client);
    }
    tracing::info!(action, "alexa skill event");
    auth.store.audit(AuditEvent { actor: "alexa", action, target: &target, detail }, now).await
}

/// The link whose (still valid) token the event carries.
async fn linked_grant(
    auth: &AuthServer,
    envelope: &Envelope,
    relayed_by: Option<&str>,
    now: i64,
) -> Result<Option<String>, StoreError> {
    let Some(token) = envelope.access_token() else { return Ok(None) };
    let resolved = auth.resolve_access(token, now).await?;
    Ok(resolved.filter(|r| relayed_by.is_none_or(|c| c == r.client_id)).map(|r| r.grant_id.clone()))
}

/// Revokes the link of the token the event carries (even if that token has
/// expired since), else every link recorded for the Alexa user id.
async fn disable(
    auth: &AuthServer,
    envelope: &Envelope,
    alexa_user: &str,
    relayed_by: Option<&str>,
    now: i64,
) -> Result<Vec<String>, StoreError> {
    const REASON: &str = "alexa skill disabled";
    let by_token = match envelope.access_token() {
        Some(token) => auth.open_access(token).await?.map(|r| r.link_id),
        None => None,
    };
    // A relayed event may only end the relaying client's links.
    let by_token = match (by_token, relayed_by) {
        (Some(link), Some(client)) => auth.store.grant(&link).await?.filter(|g| g.client_id == client).map(|g| g.id),
        (by_token, _) => by_token,
    };
    // The skill is already disabled at Alexa: the Amazon token of a link
    // made app-to-app is dropped first, so ending the link queues no unlink.
    let revoked = match by_token {
        Some(grant) => {
            auth.store.drop_alexa_app_link(&grant, REASON, now).await?;
            auth.store.revoke_grant(&grant, REASON, now).await?;
            vec![grant]
        }
        None if !alexa_user.is_empty() => {
            auth.store.revoke_links_of_alexa_user(alexa_user, relayed_by, REASON, now).await?
        }
        None => Vec::new(),
    };
    // Nothing this instance cached may outlive the revocation.
    auth.forget_links();
    Ok(revoked)
}
