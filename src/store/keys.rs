//! Signing keys and per-deployment secrets, shared by every instance.

use sqlx::FromRow;

use super::{Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct SigningKeyRow {
    pub kid: String,
    pub algorithm: String,
    pub private_der: String,
    pub public_jwk: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

impl Store {
    /// The secret called `name`, if stored.
    pub async fn server_secret(&self, name: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as("SELECT value FROM server_secrets WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|(v,)| self.vault.open(&secret_purpose(name), &v)).transpose()?)
    }

    /// Stores `candidate` as the secret called `name` unless one exists, and
    /// returns the stored value: instances starting together agree on one.
    pub async fn create_server_secret(&self, name: &str, candidate: &str, now: i64) -> Result<String, StoreError> {
        sqlx::query(
            "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(self.vault.seal(&secret_purpose(name), candidate))
        .bind(now)
        .execute(&self.pool)
        .await?;
        let (value,): (String,) =
            sqlx::query_as("SELECT value FROM server_secrets WHERE name = $1").bind(name).fetch_one(&self.pool).await?;
        Ok(self.vault.open(&secret_purpose(name), &value)?)
    }

    /// Replaces (or creates) the secret called `name`.
    pub async fn replace_server_secret(&self, name: &str, value: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, created_at = excluded.created_at",
        )
        .bind(name)
        .bind(self.vault.seal(&secret_purpose(name), value))
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Links whose tokens a key change would affect (live, with a chain).
    pub async fn live_link_count(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM grants WHERE revoked_at IS NULL AND current_hash IS NOT NULL")
                .fetch_one(&self.pool)
                .await?;
        Ok(n)
    }

    /// Keys still published, newest first; the first unretired one signs.
    pub async fn signing_keys(&self) -> Result<Vec<SigningKeyRow>, StoreError> {
        let mut rows: Vec<SigningKeyRow> = sqlx::query_as(
            "SELECT kid, algorithm, private_der, public_jwk, created_at, retired_at FROM signing_keys ORDER BY created_at DESC, kid DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        for row in &mut rows {
            row.private_der = self.vault.open(&key_purpose(&row.kid), &row.private_der)?;
        }
        Ok(rows)
    }

    pub async fn insert_signing_key(&self, k: &SigningKeyRow) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO signing_keys (kid, algorithm, private_der, public_jwk, created_at, retired_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&k.kid)
            .bind(&k.algorithm)
            .bind(self.vault.seal(&key_purpose(&k.kid), &k.private_der))
            .bind(&k.public_jwk)
            .bind(k.created_at)
            .bind(k.retired_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Inserts `k` only when no key exists yet (first start of a deployment;
    /// racing instances agree on one key).
    pub async fn insert_first_signing_key(&self, k: &SigningKeyRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO signing_keys (kid, algorithm, private_der, public_jwk, created_at, retired_at) \
             SELECT $1, $2, $3, $4, $5, NULL WHERE NOT EXISTS (SELECT 1 FROM signing_keys)",
        )
        .bind(&k.kid)
        .bind(&k.algorithm)
        .bind(self.vault.seal(&key_purpose(&k.kid), &k.private_der))
        .bind(&k.public_jwk)
        .bind(k.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Marks every key but `kid` retired (they stay published for verification).
    pub async fn retire_signing_keys_except(&self, kid: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE signing_keys SET retired_at = $1 WHERE kid <> $2 AND retired_at IS NULL")
            .bind(now)
            .bind(kid)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// What a sealed value is bound to (`vault`): its table and row.
fn secret_purpose(name: &str) -> String {
    format!("server_secrets:{name}")
}

fn key_purpose(kid: &str) -> String {
    format!("signing_keys:{kid}")
}
