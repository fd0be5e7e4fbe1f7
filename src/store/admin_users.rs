//! What the admin pages read and do to user records: the searchable users
//! list (keyset-paginated), a user's identities and links, and erasure.

use sqlx::FromRow;

use super::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserSort {
    #[default]
    Created,
    LastActive,
}

impl UserSort {
    fn column(self) -> &'static str {
        match self {
            Self::Created => "created_at",
            Self::LastActive => "last_active_at",
        }
    }
}

/// One page request of the users list. `after` is the (sort key, id) of the
/// last row of the previous page: keyset pagination costs the same on page
/// 1 and page 10,000, unlike OFFSET.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    /// Case-insensitive substring of the email or the name.
    pub search: Option<String>,
    pub disabled: Option<bool>,
    pub linked: Option<bool>,
    pub sort: UserSort,
    pub after: Option<(i64, String)>,
    pub limit: i64,
}

#[derive(Debug, Clone)]
pub struct UserListRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub disabled: bool,
    pub created_at: i64,
    pub last_active_at: i64,
    pub live_links: i64,
}

impl<'r> FromRow<'r, sqlx::any::AnyRow> for UserListRow {
    fn from_row(row: &'r sqlx::any::AnyRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row;
        Ok(Self {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            name: row.try_get("name")?,
            disabled: row.try_get::<i64, _>("disabled")? != 0,
            created_at: row.try_get("created_at")?,
            last_active_at: row.try_get("last_active_at")?,
            live_links: row.try_get("live_links")?,
        })
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct IdentityDetail {
    pub provider: String,
    pub subject: String,
    pub email: String,
    pub name: String,
    pub created_at: i64,
    pub last_login_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct LinkDetail {
    pub id: String,
    pub client_id: String,
    pub client_name: String,
    pub scope: String,
    pub created_at: i64,
    pub last_used_at: i64,
    pub revoked_at: Option<i64>,
    pub revoked_reason: Option<String>,
    pub alexa_user_id: Option<String>,
    /// `alexa`, `app` (app-to-app) or `google`.
    pub made_by: String,
    /// The Alexa API host, while linkbroker holds the link's Amazon token
    /// (made app-to-app): an unlink then reaches Alexa.
    pub alexa_endpoint: Option<String>,
}

enum Arg {
    Int(i64),
    Text(String),
}

/// `%`, `_` and `\` in a search are literal characters, not wildcards.
fn like_pattern(search: &str) -> String {
    let mut p = String::with_capacity(search.len() + 2);
    p.push('%');
    for c in search.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

const LIVE_LINK: &str = "SELECT 1 FROM grants g WHERE g.user_id = u.id AND g.revoked_at IS NULL";

/// The users-list statement and its arguments (public for the plan test).
fn user_list_sql(q: &UserQuery) -> (String, Vec<Arg>) {
    let col = q.sort.column();
    let mut args = Vec::new();
    let mut conds = Vec::new();
    let mut arg = |a: Arg| {
        args.push(a);
        format!("${}", args.len())
    };
    if let Some(s) = q.search.as_deref().filter(|s| !s.is_empty()) {
        let p = arg(Arg::Text(like_pattern(s)));
        conds.push(format!("(u.email LIKE {p} ESCAPE '\\' OR lower(u.name) LIKE {p} ESCAPE '\\')"));
    }
    if let Some(d) = q.disabled {
        conds.push(format!("u.disabled = {}", arg(Arg::Int(i64::from(d)))));
    }
    match q.linked {
        Some(true) => conds.push(format!("EXISTS ({LIVE_LINK})")),
        Some(false) => conds.push(format!("NOT EXISTS ({LIVE_LINK})")),
        None => {}
    }
    if let Some((key, id)) = &q.after {
        let k = arg(Arg::Int(*key));
        let i = arg(Arg::Text(id.clone()));
        conds.push(format!("(u.{col}, u.id) < ({k}, {i})"));
    }
    let limit = arg(Arg::Int(q.limit));
    let filter = if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) };
    let sql = format!(
        "SELECT u.id, u.email, u.name, u.disabled, u.created_at, u.last_active_at, \
         (SELECT COUNT(*) FROM grants g WHERE g.user_id = u.id AND g.revoked_at IS NULL) AS live_links \
         FROM users u {filter} ORDER BY u.{col} DESC, u.id DESC LIMIT {limit}"
    );
    (sql, args)
}

fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    args: Vec<Arg>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for a in args {
        query = match a {
            Arg::Int(i) => query.bind(i),
            Arg::Text(s) => query.bind(s),
        };
    }
    query
}

impl Store {
    pub async fn search_users(&self, q: &UserQuery) -> Result<Vec<UserListRow>, StoreError> {
        let (sql, args) = user_list_sql(q);
        let rows = bind_all(sqlx::query(&sql), args).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(UserListRow::from_row).collect::<Result<_, _>>()?)
    }

    /// The database's plan for a users-list query, one line per plan row:
    /// lets a test prove that the indexes serve the list at scale.
    pub async fn explain_search_users(&self, q: &UserQuery) -> Result<String, StoreError> {
        let (sql, args) = user_list_sql(q);
        let prefix = match self.backend {
            super::Backend::Sqlite => "EXPLAIN QUERY PLAN ",
            super::Backend::Postgres => "EXPLAIN ",
        };
        let rows = bind_all(sqlx::query(&format!("{prefix}{sql}")), args).fetch_all(&self.pool).await?;
        let mut out = String::new();
        for row in rows {
            use sqlx::Row;
            // SQLite: (id, parent, notused, detail); Postgres: one text column.
            let line: String = row.try_get(row.len() - 1)?;
            out.push_str(&line);
            out.push('\n');
        }
        Ok(out)
    }

    pub async fn user_identities(&self, user_id: &str) -> Result<Vec<IdentityDetail>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT provider, subject, email, name, created_at, last_login_at FROM upstream_identities \
             WHERE user_id = $1 ORDER BY provider",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// A user's links, live ones first, newest first.
    pub async fn user_links(&self, user_id: &str) -> Result<Vec<LinkDetail>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT g.id, g.client_id, c.name AS client_name, g.scope, g.created_at, g.last_used_at, g.revoked_at, \
             g.revoked_reason, g.alexa_user_id, g.made_by, a.endpoint AS alexa_endpoint \
             FROM grants g JOIN clients c ON c.id = g.client_id \
             LEFT JOIN alexa_app_links a ON a.grant_id = g.id AND a.refresh_token IS NOT NULL \
             WHERE g.user_id = $1 ORDER BY CASE WHEN g.revoked_at IS NULL THEN 0 ELSE 1 END, g.created_at DESC, g.id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Revokes one link of this user (the user id guards against a link id
    /// taken from another user's page). Returns whether it was live.
    pub async fn revoke_user_link(
        &self,
        user_id: &str,
        grant_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE grants SET revoked_at = $1, revoked_reason = $2 WHERE id = $3 AND user_id = $4 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(reason)
        .bind(grant_id)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// The user a link belongs to.
    pub async fn link_owner(&self, grant_id: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as("SELECT user_id FROM grants WHERE id = $1")
            .bind(grant_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|(u,)| u))
    }

    /// Revokes every live link of a user; returns how many.
    pub async fn revoke_user_links(&self, user_id: &str, reason: &str, now: i64) -> Result<u64, StoreError> {
        let r = sqlx::query(
            "UPDATE grants SET revoked_at = $1, revoked_reason = $2 WHERE user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(reason)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }

    /// Detaches an upstream identity; the next login through it is treated
    /// as a new identity (README "How linking works", "Who is who").
    pub async fn unlink_identity(&self, user_id: &str, provider: &str, subject: &str) -> Result<bool, StoreError> {
        let r = sqlx::query("DELETE FROM upstream_identities WHERE user_id = $1 AND provider = $2 AND subject = $3")
            .bind(user_id)
            .bind(provider)
            .bind(subject)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Erases a user: the row and everything hanging off it (identities,
    /// permissions, consents, links and their tokens) go by cascade, so no
    /// token can resolve afterwards. Audit entries stay, pseudonymous: their
    /// details are blanked and upstream account ids replaced by the user id.
    /// Returns whether the user existed.
    pub async fn erase_user(&self, user_id: &str, email: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let pseudonym = format!("user:{user_id}");
        sqlx::query(
            "UPDATE audit_log SET actor = $1 WHERE actor IN \
             (SELECT provider || ':' || subject FROM upstream_identities WHERE user_id = $2)",
        )
        .bind(&pseudonym)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        let mentions = format!("%{}%", serde_json::Value::from(email));
        sqlx::query(
            "UPDATE audit_log SET detail = '{\"erased\":true}' WHERE target = $1 OR actor = $2 OR detail LIKE $3",
        )
        .bind(user_id)
        .bind(&pseudonym)
        .bind(&mentions)
        .execute(&mut *tx)
        .await?;
        let r = sqlx::query("DELETE FROM users WHERE id = $1").bind(user_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(r.rows_affected() > 0)
    }

    /// Inserts `count` synthetic users (`user<N>@example.com`, every tenth
    /// disabled) in one statement, then refreshes planner statistics: the
    /// scale test of the users list and load demos use it. A recursive CTE
    /// runs unchanged on both backends.
    pub async fn insert_synthetic_users(&self, count: i64, first_created_at: i64) -> Result<(), StoreError> {
        sqlx::query(
            "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < $1) \
             INSERT INTO users (id, email, name, disabled, created_at, updated_at, last_active_at) \
             SELECT 'synthetic-' || g, 'user' || g || '@example.com', 'Synthetic User ' || g, \
             CASE WHEN g % 10 = 0 THEN 1 ELSE 0 END, $2 + g, $2 + g, $2 + g FROM s",
        )
        .bind(count)
        .bind(first_created_at)
        .execute(&self.pool)
        .await?;
        sqlx::query("ANALYZE").execute(&self.pool).await?;
        Ok(())
    }

    /// Permission names in use, for the user page's suggestions.
    pub async fn known_permissions(&self) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT DISTINCT permission FROM user_permissions ORDER BY permission LIMIT 200")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(p,)| p).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_pattern_lowercases_and_escapes_wildcards() {
        assert_eq!(like_pattern("Ada_100%"), "%ada\\_100\\%%");
        assert_eq!(like_pattern("a\\b"), "%a\\\\b%");
    }

    #[test]
    fn keyset_condition_follows_the_sort_column() {
        let q = UserQuery { sort: UserSort::LastActive, after: Some((5, "x".into())), limit: 10, ..Default::default() };
        let (sql, args) = user_list_sql(&q);
        assert!(sql.contains("(u.last_active_at, u.id) < ($1, $2)"), "{sql}");
        assert!(sql.ends_with("ORDER BY u.last_active_at DESC, u.id DESC LIMIT $3"), "{sql}");
        assert_eq!(args.len(), 3);
    }
}
