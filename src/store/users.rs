//! Users, their permissions and their upstream identities.

use sqlx::FromRow;

use super::{new_id, Store, StoreError};
use crate::domain::{Email, Permission};

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub disabled: bool,
    pub created_at: i64,
    /// The email is verified (only then may a Google ID token match it).
    pub email_verified: bool,
}

impl UserRow {
    pub fn is_disabled(&self) -> bool {
        self.disabled
    }
}

impl<'r> FromRow<'r, sqlx::any::AnyRow> for UserRow {
    fn from_row(row: &'r sqlx::any::AnyRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row;
        Ok(Self {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            name: row.try_get("name")?,
            disabled: row.try_get::<i64, _>("disabled")? != 0,
            created_at: row.try_get("created_at")?,
            email_verified: row.try_get::<i64, _>("email_verified")? != 0,
        })
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct IdentityRow {
    pub provider: String,
    pub subject: String,
    pub user_id: String,
}

const USER_COLUMNS: &str = "id, email, name, disabled, created_at, email_verified";

impl Store {
    pub async fn user_by_email(&self, email: &Email) -> Result<Option<UserRow>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        Ok(sqlx::query_as(&sql).bind(email.as_str()).fetch_optional(&self.pool).await?)
    }

    pub async fn user_by_id(&self, id: &str) -> Result<Option<UserRow>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        Ok(sqlx::query_as(&sql).bind(id).fetch_optional(&self.pool).await?)
    }

    /// Creates a user with its permissions in one transaction; a taken email
    /// is `StoreError::Conflict`.
    pub async fn create_user(
        &self,
        email: &Email,
        name: &str,
        permissions: &[Permission],
        email_verified: bool,
        now: i64,
    ) -> Result<UserRow, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id = new_id();
        let sql = format!(
            "INSERT INTO users (id, email, name, disabled, created_at, updated_at, email_verified) \
             VALUES ($1, $2, $3, 0, $4, $4, $5) RETURNING {USER_COLUMNS}"
        );
        let user: UserRow = sqlx::query_as(&sql)
            .bind(&id)
            .bind(email.as_str())
            .bind(name)
            .bind(now)
            .bind(i64::from(email_verified))
            .fetch_one(&mut *tx)
            .await?;
        for p in permissions {
            sqlx::query("INSERT INTO user_permissions (user_id, permission, granted_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(&id)
                .bind(p.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(user)
    }

    pub async fn list_users(&self) -> Result<Vec<UserRow>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY email");
        Ok(sqlx::query_as(&sql).fetch_all(&self.pool).await?)
    }

    pub async fn user_permissions(&self, user_id: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT permission FROM user_permissions WHERE user_id = $1 ORDER BY permission")
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(p,)| p).collect())
    }

    /// Returns whether the permission was newly granted.
    pub async fn grant_permission(&self, user_id: &str, permission: &Permission, now: i64) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "INSERT INTO user_permissions (user_id, permission, granted_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(user_id)
        .bind(permission.as_str())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Returns whether the user had the permission.
    pub async fn revoke_permission(&self, user_id: &str, permission: &Permission) -> Result<bool, StoreError> {
        let r = sqlx::query("DELETE FROM user_permissions WHERE user_id = $1 AND permission = $2")
            .bind(user_id)
            .bind(permission.as_str())
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Marks the user's email verified; returns whether it was not yet.
    pub async fn set_email_verified(&self, user_id: &str, now: i64) -> Result<bool, StoreError> {
        let r =
            sqlx::query("UPDATE users SET email_verified = 1, updated_at = $1 WHERE id = $2 AND email_verified = 0")
                .bind(now)
                .bind(user_id)
                .execute(&self.pool)
                .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Returns whether the flag changed.
    pub async fn set_user_disabled(&self, user_id: &str, disabled: bool, now: i64) -> Result<bool, StoreError> {
        let flag = i64::from(disabled);
        let r = sqlx::query("UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3 AND disabled <> $1")
            .bind(flag)
            .bind(now)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() > 0)
    }

    pub async fn identity(&self, provider: &str, subject: &str) -> Result<Option<IdentityRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT provider, subject, user_id FROM upstream_identities WHERE provider = $1 AND subject = $2",
        )
        .bind(provider)
        .bind(subject)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn identity_of_user(&self, user_id: &str, provider: &str) -> Result<Option<IdentityRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT provider, subject, user_id FROM upstream_identities WHERE user_id = $1 AND provider = $2",
        )
        .bind(user_id)
        .bind(provider)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Links an upstream identity to a user. The table's unique keys make the
    /// "one identity per provider per user" rule hold under races: the loser
    /// gets `StoreError::Conflict`.
    pub async fn link_identity(
        &self,
        user_id: &str,
        provider: &str,
        subject: &str,
        email: &str,
        name: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO upstream_identities (provider, subject, user_id, email, name, created_at, last_login_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(provider)
        .bind(subject)
        .bind(user_id)
        .bind(email)
        .bind(name)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records a login through a known identity (what the provider now says).
    pub async fn touch_identity(
        &self,
        provider: &str,
        subject: &str,
        email: &str,
        name: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE upstream_identities SET email = $1, name = $2, last_login_at = $3 WHERE provider = $4 AND subject = $5")
            .bind(email)
            .bind(name)
            .bind(now)
            .bind(provider)
            .bind(subject)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Fills in a pre-provisioned user's display name on first login.
    pub async fn set_user_name_if_empty(&self, user_id: &str, name: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET name = $1, updated_at = $2 WHERE id = $3 AND name = ''")
            .bind(name)
            .bind(now)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Upstream identities of providers other than `provider` (`serve --dev`
    /// refuses a database that real users signed in to).
    pub async fn upstream_identity_count_except(&self, provider: &str) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM upstream_identities WHERE provider <> $1")
            .bind(provider)
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }
}
