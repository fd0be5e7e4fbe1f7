//! OAuth clients and their registered redirect URIs.

use sqlx::FromRow;

use super::{Store, StoreError};
use crate::domain::{ClientSpec, ConsentPreset, TokenFormat};

#[derive(Debug, Clone, FromRow)]
struct ClientRecord {
    id: String,
    name: String,
    secret_hash: String,
    scopes: String,
    skip_consent: i64,
    token_format: String,
    created_at: i64,
    allow_plain_pkce: i64,
    alexa_events_client_id: Option<String>,
    consent_preset: String,
    alexa_app_skill_id: Option<String>,
    alexa_app_stage: Option<String>,
    alexa_app_client_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ClientRow {
    pub id: String,
    pub name: String,
    pub secret_hash: String,
    pub scopes: String,
    pub skip_consent: bool,
    pub token_format: TokenFormat,
    pub created_at: i64,
    pub redirect_uris: Vec<String>,
    /// PKCE `plain` accepted (S256 only otherwise).
    pub allow_plain_pkce: bool,
    /// The "Send Alexa Events" client id, when credentials are stored (the
    /// secret is never read here).
    pub alexa_events_client_id: Option<String>,
    /// The consent page's wording.
    pub consent: ConsentPreset,
    /// App-to-app linking, when on: the skill id, the stage and the Alexa
    /// Client Id (the secret is never read here).
    pub alexa_app: Option<AlexaAppSummary>,
}

/// A client's app-to-app settings without the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlexaAppSummary {
    pub skill_id: String,
    pub stage: String,
    pub alexa_client_id: String,
}

const CLIENT_COLUMNS: &str =
    "id, name, secret_hash, scopes, skip_consent, token_format, created_at, allow_plain_pkce, alexa_events_client_id, \
     consent_preset, \
     alexa_app_skill_id, alexa_app_stage, alexa_app_client_id";

impl Store {
    /// Registers a client and its redirect URIs in one transaction.
    pub async fn create_client(&self, id: &str, secret_hash: &str, c: &ClientSpec, now: i64) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO clients (id, name, secret_hash, scopes, skip_consent, token_format, created_at, updated_at, \
             allow_plain_pkce, consent_preset) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9)",
        )
        .bind(id)
        .bind(&c.name)
        .bind(secret_hash)
        .bind(c.scopes.to_string())
        .bind(i64::from(c.skip_consent))
        .bind(c.token_format.as_str())
        .bind(now)
        .bind(i64::from(c.allow_plain_pkce))
        .bind(c.consent.as_str())
        .execute(&mut *tx)
        .await?;
        insert_redirect_uris(&mut tx, id, c).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a client's settings and redirect URIs in one transaction
    /// (starting with the write). Returns whether the client exists.
    pub async fn update_client(&self, id: &str, c: &ClientSpec, now: i64) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let r = sqlx::query(
            "UPDATE clients SET name = $1, scopes = $2, skip_consent = $3, token_format = $4, allow_plain_pkce = $5, \
             consent_preset = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(&c.name)
        .bind(c.scopes.to_string())
        .bind(i64::from(c.skip_consent))
        .bind(c.token_format.as_str())
        .bind(i64::from(c.allow_plain_pkce))
        .bind(c.consent.as_str())
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("DELETE FROM client_redirect_uris WHERE client_id = $1").bind(id).execute(&mut *tx).await?;
        insert_redirect_uris(&mut tx, id, c).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn client(&self, id: &str) -> Result<Option<ClientRow>, StoreError> {
        let Some(mut client) = self.client_for_auth(id).await? else { return Ok(None) };
        client.redirect_uris = self.redirect_uris(id).await?;
        Ok(Some(client))
    }

    /// The client without its redirect URIs: all the token endpoint needs,
    /// in one query.
    pub async fn client_for_auth(&self, id: &str) -> Result<Option<ClientRow>, StoreError> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM clients WHERE id = $1");
        let rec: Option<ClientRecord> = sqlx::query_as(&sql).bind(id).fetch_optional(&self.pool).await?;
        Ok(rec.map(|r| into_row(r, Vec::new())))
    }

    async fn redirect_uris(&self, id: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT uri FROM client_redirect_uris WHERE client_id = $1 ORDER BY position")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(u,)| u).collect())
    }

    pub async fn list_clients(&self) -> Result<Vec<ClientRow>, StoreError> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM clients ORDER BY created_at, id");
        let recs: Vec<ClientRecord> = sqlx::query_as(&sql).fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(recs.len());
        for rec in recs {
            let uris = self.redirect_uris(&rec.id).await?;
            out.push(into_row(rec, uris));
        }
        Ok(out)
    }

    pub async fn count_clients(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM clients").fetch_one(&self.pool).await?;
        Ok(n)
    }

    /// Deletes a client; its links, codes and tokens go with it (cascade).
    pub async fn delete_client(&self, id: &str) -> Result<bool, StoreError> {
        let r = sqlx::query("DELETE FROM clients WHERE id = $1").bind(id).execute(&self.pool).await?;
        Ok(r.rows_affected() > 0)
    }

    pub async fn set_client_secret_hash(&self, id: &str, secret_hash: &str, now: i64) -> Result<bool, StoreError> {
        let r = sqlx::query("UPDATE clients SET secret_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(secret_hash)
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() > 0)
    }
}

fn into_row(rec: ClientRecord, redirect_uris: Vec<String>) -> ClientRow {
    ClientRow {
        id: rec.id,
        name: rec.name,
        secret_hash: rec.secret_hash,
        scopes: rec.scopes,
        skip_consent: rec.skip_consent != 0,
        token_format: if rec.token_format == "jwt" { TokenFormat::Jwt } else { TokenFormat::Opaque },
        created_at: rec.created_at,
        redirect_uris,
        allow_plain_pkce: rec.allow_plain_pkce != 0,
        alexa_events_client_id: rec.alexa_events_client_id,
        // An unknown value (a newer version's, say) reads as the default.
        consent: ConsentPreset::parse(&rec.consent_preset).unwrap_or_default(),
        alexa_app: match (rec.alexa_app_skill_id, rec.alexa_app_stage, rec.alexa_app_client_id) {
            (Some(skill_id), Some(stage), Some(alexa_client_id)) => {
                Some(AlexaAppSummary { skill_id, stage, alexa_client_id })
            }
            _ => None,
        },
    }
}

async fn insert_redirect_uris(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    c: &ClientSpec,
) -> Result<(), StoreError> {
    for (i, uri) in c.redirect_uris.iter().enumerate() {
        sqlx::query("INSERT INTO client_redirect_uris (client_id, uri, position) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(uri.as_str())
            .bind(i as i64)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
