//! Admin accounts (argon2id password hashes).

use super::{new_id, Store, StoreError};
use crate::domain::Email;

impl Store {
    pub async fn create_admin(&self, email: &Email, password_hash: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO admins (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)")
            .bind(new_id())
            .bind(email.as_str())
            .bind(password_hash)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A new password hash for the admin with `email`; their sessions end
    /// in the same transaction (whoever knew the old password is signed
    /// out). False if no such admin.
    pub async fn set_admin_password(&self, email: &Email, password_hash: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let r = sqlx::query("UPDATE admins SET password_hash = $1 WHERE email = $2")
            .bind(password_hash)
            .bind(email.as_str())
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM admin_sessions WHERE admin_email = $1").bind(email.as_str()).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn count_admins(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM admins").fetch_one(&self.pool).await?;
        Ok(n)
    }
}
