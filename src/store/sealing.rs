//! Sealing what is stored (`vault`): at startup every secret not sealed
//! under the current key is checked to open with the configured keys (values
//! under the current key are opened when used; a missing or wrong key stops
//! startup with a clear error, and nothing is regenerated), and values
//! stored plain before a key was set, or sealed under a previous key, are
//! rewritten under the current one. Each rewrite is a compare-and-swap on
//! the old value, so instances starting together cannot undo each other.

use super::{Store, StoreError};

/// A table's secret column: how to list it and how to rewrite one value.
struct Column {
    pub select: &'static str,
    pub update: &'static str,
    pub purpose: fn(&str) -> String,
}

/// Every sealed column, in one place: server secrets, signing keys, each
/// client's "Send Alexa Events" secret, and the Amazon tokens of each grant.
const COLUMNS: &[Column] = &[
    Column {
        select: "SELECT name, value FROM server_secrets",
        update: "UPDATE server_secrets SET value = $1 WHERE name = $2 AND value = $3",
        purpose: |name| format!("server_secrets:{name}"),
    },
    Column {
        select: "SELECT kid, private_der FROM signing_keys",
        update: "UPDATE signing_keys SET private_der = $1 WHERE kid = $2 AND private_der = $3",
        purpose: |kid| format!("signing_keys:{kid}"),
    },
    Column {
        select: "SELECT id, alexa_events_secret FROM clients WHERE alexa_events_secret IS NOT NULL",
        update: "UPDATE clients SET alexa_events_secret = $1 WHERE id = $2 AND alexa_events_secret = $3",
        purpose: super::alexa_credentials::secret_purpose,
    },
    Column {
        select: "SELECT grant_id, refresh_token FROM alexa_grants WHERE refresh_token IS NOT NULL",
        update: "UPDATE alexa_grants SET refresh_token = $1 WHERE grant_id = $2 AND refresh_token = $3",
        purpose: super::alexa_grants::refresh_purpose,
    },
    Column {
        select: "SELECT grant_id, access_token FROM alexa_grants WHERE access_token IS NOT NULL",
        update: "UPDATE alexa_grants SET access_token = $1 WHERE grant_id = $2 AND access_token = $3",
        purpose: super::alexa_grants::access_purpose,
    },
    Column {
        select: "SELECT id, alexa_app_secret FROM clients WHERE alexa_app_secret IS NOT NULL",
        update: "UPDATE clients SET alexa_app_secret = $1 WHERE id = $2 AND alexa_app_secret = $3",
        purpose: super::alexa_app::secret_purpose,
    },
    Column {
        select: "SELECT state_hash, code_verifier FROM alexa_app_attempts",
        update: "UPDATE alexa_app_attempts SET code_verifier = $1 WHERE state_hash = $2 AND code_verifier = $3",
        purpose: super::alexa_app::verifier_purpose,
    },
    Column {
        select: "SELECT grant_id, refresh_token FROM alexa_app_links WHERE refresh_token IS NOT NULL",
        update: "UPDATE alexa_app_links SET refresh_token = $1 WHERE grant_id = $2 AND refresh_token = $3",
        purpose: super::alexa_app::refresh_purpose,
    },
    Column {
        select: "SELECT grant_id, access_token FROM alexa_app_links WHERE access_token IS NOT NULL",
        update: "UPDATE alexa_app_links SET access_token = $1 WHERE grant_id = $2 AND access_token = $3",
        purpose: super::alexa_app::access_purpose,
    },
    // The unlink queue's copies, sealed under the purposes of what they copy.
    Column {
        select: "SELECT client_id, alexa_client_secret FROM alexa_unlinks WHERE finished_at IS NULL",
        update: "UPDATE alexa_unlinks SET alexa_client_secret = $1 WHERE client_id = $2 AND alexa_client_secret = $3",
        purpose: super::alexa_app::secret_purpose,
    },
    Column {
        select: "SELECT id, refresh_token FROM alexa_unlinks WHERE finished_at IS NULL",
        update: "UPDATE alexa_unlinks SET refresh_token = $1 WHERE id = $2 AND refresh_token = $3",
        purpose: super::alexa_app::refresh_purpose,
    },
    Column {
        select: "SELECT id, access_token FROM alexa_unlinks WHERE finished_at IS NULL AND access_token IS NOT NULL",
        update: "UPDATE alexa_unlinks SET access_token = $1 WHERE id = $2 AND access_token = $3",
        purpose: super::alexa_app::access_purpose,
    },
];

impl Store {
    /// For commands that write secrets without running the server: the
    /// configured keys must match the database, or what they write could
    /// not be opened by the instances (a sealed value under a key they
    /// lack, or a plain value beside sealed ones).
    pub async fn check_keys_match(&self) -> Result<(), String> {
        for column in COLUMNS {
            let rows: Vec<(String, String)> =
                sqlx::query_as(column.select).fetch_all(&self.pool).await.map_err(|e| e.to_string())?;
            for (key, stored) in rows {
                if crate::vault::is_sealed(&stored) {
                    self.vault.open(&(column.purpose)(&key), &stored).map_err(|e| e.to_string())?;
                } else if self.vault.seals() {
                    return Err("the database holds secrets that are not sealed yet: start `linkbroker serve` with \
                                this LINKBROKER_SECRETS_KEY first (it seals them), or run this command without it"
                        .into());
                }
            }
        }
        Ok(())
    }

    /// Checks every sealed secret opens, and seals (or reseals) what needs
    /// it. Returns how many values were rewritten.
    pub async fn seal_at_rest(&self) -> Result<u64, StoreError> {
        let mut rewritten = 0;
        for column in COLUMNS {
            let rows: Vec<(String, String)> = sqlx::query_as(column.select).fetch_all(&self.pool).await?;
            for (key, stored) in rows {
                if self.vault.is_current(&stored) {
                    continue;
                }
                let purpose = (column.purpose)(&key);
                // Opening first: a value no configured key opens stops here.
                self.vault.open(&purpose, &stored)?;
                if let Some(sealed) = self.vault.reseal(&purpose, &stored)? {
                    let r =
                        sqlx::query(column.update).bind(&sealed).bind(&key).bind(&stored).execute(&self.pool).await?;
                    rewritten += r.rows_affected();
                }
            }
        }
        if rewritten > 0 && self.backend == super::Backend::Sqlite {
            // The write-ahead log still holds the old pages: fold it into
            // the (securely deleted) file and empty it.
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await?;
        }
        Ok(rewritten)
    }
}
