//! Admin sign-in state: accounts by email, server-side sessions, and the
//! failed-login throttle. Times are unix seconds; session ids and throttle
//! keys arrive already hashed or normalized.

use sqlx::FromRow;

use super::{Store, StoreError};
use crate::domain::Email;

#[derive(Debug, Clone, FromRow)]
pub struct AdminRow {
    pub id: String,
    pub email: String,
    pub password_hash: String,
}

/// A live session, as the session check returns it.
#[derive(Debug, Clone, FromRow)]
pub struct AdminSessionRow {
    pub admin_id: String,
    pub admin_email: String,
}

/// How long sessions live: `idle` seconds since the last request, `absolute`
/// seconds since login.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    pub idle: i64,
    pub absolute: i64,
}

impl Store {
    pub async fn admin_by_email(&self, email: &Email) -> Result<Option<AdminRow>, StoreError> {
        Ok(sqlx::query_as("SELECT id, email, password_hash FROM admins WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Removes sessions past their idle or absolute limit (run at sign-in,
    /// so the table holds only live sessions and a few stale ones).
    pub async fn purge_admin_sessions(&self, limits: SessionLimits, now: i64) -> Result<u64, StoreError> {
        let r = sqlx::query("DELETE FROM admin_sessions WHERE last_seen_at <= $1 OR created_at <= $2")
            .bind(now - limits.idle)
            .bind(now - limits.absolute)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected())
    }

    pub async fn create_admin_session(&self, session_hash: &str, admin: &AdminRow, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO admin_sessions (session_hash, admin_id, admin_email, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(session_hash)
        .bind(&admin.id)
        .bind(&admin.email)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Checks a session and slides its idle window in one statement, so an
    /// expired session can never be revived by a racing request.
    pub async fn touch_admin_session(
        &self,
        session_hash: &str,
        limits: SessionLimits,
        now: i64,
    ) -> Result<Option<AdminSessionRow>, StoreError> {
        Ok(sqlx::query_as(
            "UPDATE admin_sessions SET last_seen_at = $1 \
             WHERE session_hash = $2 AND last_seen_at > $3 AND created_at > $4 RETURNING admin_id, admin_email",
        )
        .bind(now)
        .bind(session_hash)
        .bind(now - limits.idle)
        .bind(now - limits.absolute)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn delete_admin_session(&self, session_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM admin_sessions WHERE session_hash = $1")
            .bind(session_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Seconds until `key` may try again (0 when it may try now).
    pub async fn login_locked_for(&self, key: &str, now: i64) -> Result<i64, StoreError> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT locked_until FROM login_throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map_or(0, |(until,)| (until - now).max(0)))
    }

    /// Reserves one sign-in attempt for `key` before its password is checked,
    /// in one atomic statement: counts it (restarting the count after
    /// `decay` quiet seconds) and locks the key for `backoff(count)` seconds,
    /// refusing while a lock holds. So parallel attempts cannot all pass a
    /// check made before any of them was recorded. `None`: locked. A
    /// successful sign-in then clears or refunds the attempt.
    pub async fn reserve_login_attempt(
        &self,
        key: &str,
        decay: i64,
        backoff: impl Fn(i64) -> i64,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        sqlx::query("DELETE FROM login_throttle WHERE updated_at < $1 AND locked_until < $2")
            .bind(now - decay)
            .bind(now)
            .execute(&self.pool)
            .await?;
        // The backoff as a SQL CASE over the new count (integers of our own,
        // not input), so the lock is set in the same statement.
        let lock_for = |count: &str| {
            let steps: String = (1..=32).map(|n| format!(" WHEN {n} THEN {}", backoff(n))).collect();
            format!("CASE {count}{steps} ELSE {} END", backoff(i64::MAX / 2))
        };
        let next = "CASE WHEN login_throttle.updated_at < $3 THEN 1 ELSE login_throttle.failures + 1 END";
        let sql = format!(
            "INSERT INTO login_throttle (key, failures, locked_until, updated_at) VALUES ($1, 1, $2 + {first}, $2) \
             ON CONFLICT (key) DO UPDATE SET failures = {next}, locked_until = $2 + {lock}, updated_at = $2 \
             WHERE login_throttle.locked_until <= $2 RETURNING failures",
            first = lock_for("1"),
            lock = lock_for(next),
        );
        let row: Option<(i64,)> =
            sqlx::query_as(&sql).bind(key).bind(now).bind(now - decay).fetch_optional(&self.pool).await?;
        Ok(row.map(|(n,)| n))
    }

    /// Gives back one reserved attempt (a successful sign-in from an address).
    pub async fn refund_login_attempt(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn clear_login_failures(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(key).execute(&self.pool).await?;
        Ok(())
    }
}
