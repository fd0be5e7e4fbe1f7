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

    pub async fn count_admins(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM admins").fetch_one(&self.pool).await?;
        Ok(n)
    }
}
