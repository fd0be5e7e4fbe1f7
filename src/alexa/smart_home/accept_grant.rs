//! `Alexa.Authorization` / `AcceptGrant`: exchange the grant code for Amazon
//! tokens and keep them with the link the grantee token names.

use serde_json::json;

use super::{AcceptGrantError, SmartHome};
use crate::alexa::amazon::AmazonError;
use crate::domain::TokenHash;
use crate::oauth::AuthServer;
use crate::settings::LwaRegion;
use crate::store::{AmazonTokens, AuditEvent, ClientRow, StoreError};

fn failed(message: impl Into<String>) -> AcceptGrantError {
    AcceptGrantError::Failed(message.into())
}

impl SmartHome {
    /// Exchanges the grant code for Amazon tokens and keeps them with the
    /// link the grantee token names, which must be `client`'s. A retry with
    /// the same code is answered from what the first one stored.
    pub async fn accept_grant(
        &self,
        auth: &AuthServer,
        client: &ClientRow,
        code: &str,
        grantee_token: &str,
        region: LwaRegion,
        now: i64,
    ) -> Result<(), AcceptGrantError> {
        if code.is_empty() || code.len() > 2048 {
            return Err(failed("the directive carries no grant code (payload.grant.code)"));
        }
        let link = auth.resolve_access(grantee_token, now).await.map_err(|e| match e {
            StoreError::InvalidValue(_) => failed("the grantee token is not an access token of this server"),
            other => AcceptGrantError::Store(other),
        })?;
        let Some(link) = link else {
            return Err(failed(
                "the grantee token (payload.grantee.token) is not a live access token of this server: link the account again",
            ));
        };
        if link.client_id != client.id {
            return Err(failed("the grantee token belongs to another client than the one calling"));
        }
        let code_hash = TokenHash::of(code);
        if let Some(existing) = auth.store.alexa_grant(&link.grant_id).await? {
            if existing.code_hash == code_hash.as_str() && existing.dropped_at.is_none() {
                return Ok(());
            }
        }
        let creds = auth.store.alexa_event_credentials(&client.id).await?.ok_or_else(|| {
            failed(format!(
                "client {} has no \"Send Alexa Events\" credentials: run `linkbroker client alexa-events {} \
                 --alexa-client-id ID --alexa-client-secret-stdin` with the ones from the Alexa developer console \
                 (Build > Permissions)",
                client.id, client.id
            ))
        })?;
        let tokens = self.amazon.exchange_code(&creds, code).await.map_err(|e| match e {
            AmazonError::Refused { error, description } => failed(format!(
                "Amazon refused the grant code ({error}: {description}); check the \"Send Alexa Events\" client id \
                 and secret, and that the code was not used before"
            )),
            AmazonError::Timeout => {
                failed(format!("Amazon's token endpoint did not answer within {} s", self.amazon.timeout().as_secs()))
            }
            AmazonError::Failed(why) => failed(format!("Amazon's token endpoint could not be reached: {why}")),
        })?;
        let stored = AmazonTokens {
            refresh_token: &tokens.refresh_token,
            access_token: &tokens.access_token,
            access_expires_at: now + tokens.expires_in,
        };
        if !auth.store.save_alexa_grant(&link.grant_id, region.as_str(), code_hash.as_str(), &stored, now).await? {
            return Err(failed("the link was revoked while the grant was accepted: link the account again"));
        }
        // Events sent from here on use the new grant at once.
        auth.event_cache.clear();
        let detail = json!({ "client_id": client.id, "region": region.as_str() });
        let event = AuditEvent { actor: "alexa", action: "alexa.grant_accepted", target: &link.grant_id, detail };
        auth.store.audit(event, now).await?;
        Ok(())
    }
}
