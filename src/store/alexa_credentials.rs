//! Each client's "Send Alexa Events" credentials (Alexa developer console,
//! Build > Permissions), the secret sealed at rest.

use super::{Store, StoreError};

pub(super) fn secret_purpose(client_id: &str) -> String {
    format!("clients:alexa_events_secret:{client_id}")
}

/// A client's "Send Alexa Events" credentials.
#[derive(Clone)]
pub struct EventCredentials {
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for EventCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventCredentials").field("client_id", &self.client_id).finish_non_exhaustive()
    }
}

impl Store {
    /// Stores (`Some`) or clears a client's event credentials; false if no
    /// such client.
    pub async fn set_alexa_event_credentials(
        &self,
        client_id: &str,
        creds: Option<&EventCredentials>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let sealed = creds.map(|c| self.vault.seal(&secret_purpose(client_id), &c.client_secret));
        let r = sqlx::query(
            "UPDATE clients SET alexa_events_client_id = $1, alexa_events_secret = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(creds.map(|c| c.client_id.as_str()))
        .bind(sealed)
        .bind(now)
        .bind(client_id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    pub async fn alexa_event_credentials(&self, client_id: &str) -> Result<Option<EventCredentials>, StoreError> {
        let row: Option<(Option<String>, Option<String>)> =
            sqlx::query_as("SELECT alexa_events_client_id, alexa_events_secret FROM clients WHERE id = $1")
                .bind(client_id)
                .fetch_optional(&self.pool)
                .await?;
        let Some((Some(id), Some(stored))) = row else { return Ok(None) };
        Ok(Some(self.open_event_credentials(client_id, id, &stored)?))
    }

    /// Credentials from their columns, the secret opened.
    pub(super) fn open_event_credentials(
        &self,
        client_id: &str,
        alexa_client_id: String,
        stored_secret: &str,
    ) -> Result<EventCredentials, StoreError> {
        let client_secret = self.vault.open(&secret_purpose(client_id), stored_secret)?;
        Ok(EventCredentials { client_id: alexa_client_id, client_secret })
    }

    /// The event client id of every client that has one (for the admin list).
    pub async fn alexa_event_client_ids(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(sqlx::query_as("SELECT id, alexa_events_client_id FROM clients WHERE alexa_events_client_id IS NOT NULL")
            .fetch_all(&self.pool)
            .await?)
    }
}
