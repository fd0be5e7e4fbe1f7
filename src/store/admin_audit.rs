//! The audit log as admins read it (filters, newest first) and the
//! dashboard's counts.

use sqlx::FromRow;

use super::{Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub id: String,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// Filters of the audit page; empty strings and `None` mean "any".
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub action: Option<String>,
    /// A user or client id (or any text) found in the actor, target or detail.
    pub subject: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Keyset cursor: (at, id) of the last entry of the previous page.
    pub before: Option<(i64, String)>,
    pub limit: i64,
}

#[derive(Debug, Clone, Default)]
pub struct DashboardCounts {
    pub users: i64,
    pub live_links: i64,
    /// Links refreshed at least once in the last 24 h (a link keeps only
    /// its last rotation time).
    pub refreshes_24h: i64,
    pub links_lost_24h: i64,
    pub security_events_24h: i64,
}

/// Audit actions that signal an attack or a broken link.
pub const SECURITY_ACTIONS: [&str; 5] =
    ["admin_login_failed", "refresh_reuse_detected", "code_replay", "identity_conflict", "disabled_user_refused"];

impl Store {
    pub async fn audit_entries(&self, q: &AuditQuery) -> Result<Vec<AuditRow>, StoreError> {
        // Every filter is always bound; a NULL argument switches it off, so
        // there is one fixed statement instead of string assembly.
        let subject = q.subject.as_deref().filter(|s| !s.is_empty()).map(|s| format!("%{s}%"));
        Ok(sqlx::query_as(
            "SELECT id, at, actor, action, target, detail FROM audit_log \
             WHERE ($1 IS NULL OR action = $1) \
             AND ($2 IS NULL OR actor LIKE $2 OR target LIKE $2 OR detail LIKE $2) \
             AND ($3 IS NULL OR at >= $3) AND ($4 IS NULL OR at <= $4) \
             AND ($5 IS NULL OR at < $5 OR (at = $5 AND id < $6)) \
             ORDER BY at DESC, id DESC LIMIT $7",
        )
        .bind(q.action.as_deref().filter(|s| !s.is_empty()))
        .bind(subject)
        .bind(q.since)
        .bind(q.until)
        .bind(q.before.as_ref().map(|b| b.0))
        .bind(q.before.as_ref().map(|b| b.1.clone()))
        .bind(q.limit)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn dashboard_counts(&self, now: i64) -> Result<DashboardCounts, StoreError> {
        let day_ago = now - 86_400;
        let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?;
        let (live_links,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM grants g JOIN users u ON u.id = g.user_id WHERE g.revoked_at IS NULL AND u.disabled = 0")
                .fetch_one(&self.pool)
                .await?;
        let (refreshes_24h,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM grants WHERE rotated_at > $1")
            .bind(day_ago)
            .fetch_one(&self.pool)
            .await?;
        let (links_lost_24h,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM grants WHERE revoked_at > $1")
            .bind(day_ago)
            .fetch_one(&self.pool)
            .await?;
        let (security_events_24h,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE at > $1 AND action IN ($2, $3, $4, $5, $6)")
                .bind(day_ago)
                .bind(SECURITY_ACTIONS[0])
                .bind(SECURITY_ACTIONS[1])
                .bind(SECURITY_ACTIONS[2])
                .bind(SECURITY_ACTIONS[3])
                .bind(SECURITY_ACTIONS[4])
                .fetch_one(&self.pool)
                .await?;
        Ok(DashboardCounts { users, live_links, refreshes_24h, links_lost_24h, security_events_24h })
    }
}
