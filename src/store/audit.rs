//! The audit log: who did what to which record, never with a secret in it.

use super::{new_id, Store, StoreError};

pub struct AuditEvent<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: serde_json::Value,
}

/// The audit entry on any executor: the pool, or a larger transaction.
pub(super) async fn insert_audit<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    e: AuditEvent<'_>,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO audit_log (id, at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(new_id())
        .bind(now)
        .bind(e.actor)
        .bind(e.action)
        .bind(e.target)
        .bind(e.detail.to_string())
        .execute(ex)
        .await?;
    Ok(())
}

impl Store {
    pub async fn audit(&self, e: AuditEvent<'_>, now: i64) -> Result<(), StoreError> {
        insert_audit(&self.pool, e, now).await
    }

    /// Most recent first, for the CLI and tests.
    pub async fn audit_actions(&self, limit: i64) -> Result<Vec<(String, String, String)>, StoreError> {
        Ok(sqlx::query_as("SELECT actor, action, target FROM audit_log ORDER BY at DESC, id LIMIT $1")
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }
}
