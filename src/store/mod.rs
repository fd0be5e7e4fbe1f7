//! The only place with SQL. One `Store` API over two real backends, chosen
//! once by the URL scheme: SQLite (embedded default) and Postgres
//! (production). Both run the same statements through sqlx's `Any` driver:
//! `$N` placeholders, integer times and flags, and `RETURNING` work on both.
//!
//! Concurrency rules kept by every function here:
//! - state changes are single atomic statements (`UPDATE ... WHERE <expected
//!   state> RETURNING`, `INSERT ... ON CONFLICT`), never read-then-write;
//! - a multi-statement transaction starts with a write, so SQLite takes its
//!   write lock first and waits on `busy_timeout` instead of failing with
//!   `SQLITE_BUSY` when upgrading a read snapshot.

mod access;
mod account;
mod admin_audit;
mod admin_auth;
mod admin_clients;
mod admin_tokens;
mod admin_users;
mod admins;
mod alexa;
mod alexa_app;
mod alexa_credentials;
mod alexa_grants;
mod audit;
mod clients;
mod codes;
mod copy;
mod grants;
mod housekeeping;
mod keys;
mod pending;
mod sealing;
mod unlinks;
mod users;

use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::vault::Vault;

pub use account::{AccountSignIn, NewSignIn};
pub use admin_audit::{AuditQuery, AuditRow, DashboardCounts, SECURITY_ACTIONS};
pub use admin_auth::{AdminRow, AdminSessionRow, SessionLimits};
pub use admin_tokens::ApiTokenRow;
pub use admin_users::{IdentityDetail, LinkDetail, UserListRow, UserQuery, UserSort};
pub use alexa_app::{AlexaAppAttempt, AlexaAppClient, AlexaAppConfig, AlexaAppLink, AppTokens};
pub use alexa_credentials::EventCredentials;
pub use alexa_grants::{AlexaGrant, AmazonTokens, EventTarget, RefreshWitness};
pub use audit::AuditEvent;
pub use clients::{AlexaAppSummary, ClientRow};
pub use codes::{CodeLookup, CodeRow, NewCode, Redemption};
pub use copy::{copy_all, CopyError, TableCount};
pub use grants::{Flag, GrantRow, NewLink, ResolvedToken, RotateRequest, Rotated};
pub use housekeeping::{PurgeCutoffs, Purged};
pub use keys::SigningKeyRow;
pub use pending::{NewPending, PendingRow};
pub use unlinks::{Unlink, UnlinkStatus};
pub use users::{IdentityRow, UserRow};

static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");
static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or is too busy: retry later (HTTP 503).
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// A uniqueness rule was broken (a duplicate email, client, ...).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database cannot hold a value the client sent (Postgres SQLSTATE
    /// class 22, e.g. a NUL byte in text): the client's fault, a 400.
    #[error("value refused by the database: {0}")]
    InvalidValue(#[source] sqlx::Error),
    #[error("database error: {0}")]
    Other(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A sealed secret does not open with the configured keys: a server-side
    /// key problem, never the caller's fault.
    #[error(transparent)]
    Sealed(#[from] crate::vault::VaultError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        use sqlx::Error as E;
        match &e {
            E::PoolTimedOut | E::PoolClosed | E::Io(_) | E::Tls(_) | E::WorkerCrashed => Self::Unavailable(e),
            E::Database(db) => {
                let code = db.code().map(|c| c.to_string()).unwrap_or_default();
                // SQLite: 5 BUSY, 6 LOCKED (and extended codes); Postgres: 08xxx
                // connection, 40001/40P01 serialization/deadlock, 53xxx
                // resources, 57P0x shutdown. All pass if retried.
                let transient = matches!(code.as_str(), "5" | "6" | "261" | "517" | "40001" | "40P01")
                    || code.starts_with("08")
                    || code.starts_with("53")
                    || code.starts_with("57P");
                if transient {
                    Self::Unavailable(e)
                } else if code.starts_with("22") {
                    Self::InvalidValue(e)
                } else if db.is_unique_violation() {
                    Self::Conflict(db.message().to_string())
                } else {
                    Self::Other(e)
                }
            }
            _ => Self::Other(e),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Seals the secret columns on write and opens them on read.
    vault: Arc<Vault>,
    /// Token resolutions waiting to be read together (`access`).
    links: Arc<access::LinkBatcher>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).finish()
    }
}

/// `sqlite://x.db` creates the file when missing, as the README's quick start promises.
fn sqlite_url(url: &str) -> String {
    if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

impl Store {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if url.starts_with("sqlite:") {
            (Backend::Sqlite, sqlite_url(url))
        } else {
            (Backend::Postgres, url.to_string())
        };
        let options: AnyConnectOptions = url.parse().map_err(StoreError::Other)?;
        let pool = AnyPoolOptions::new()
            // SQLite allows one writer at a time; a few connections still let
            // reads proceed alongside it. Postgres gets a pool sized for a
            // small instance; see docs/deployment.md, "Scale notes".
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 16,
            })
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            // The default pings every connection before handing it out: a
            // second round trip for each statement. A broken connection
            // fails its statement instead, which maps to `Unavailable` (503
            // with Retry-After) and the pool replaces it.
            .test_before_acquire(false)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the writer; NORMAL is
                        // durable across application crashes in WAL mode.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        // Freed space is zeroed, so a value rewritten sealed
                        // (or a deleted token hash) leaves no copy behind.
                        conn.execute("PRAGMA secure_delete = ON").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Self { pool, backend, vault: Arc::default(), links: access::LinkBatcher::new(backend) })
    }

    /// This store with secrets sealed under `vault` (`open_store` sets the
    /// configured keys; without it values are stored as they are).
    pub fn with_vault(mut self, vault: Vault) -> Self {
        self.vault = Arc::new(vault);
        self
    }

    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies pending migrations. On Postgres the migrator holds an
    /// advisory lock, so several instances may start at once. SQLite has no
    /// such lock: two processes starting on one file can both see migration
    /// N pending and the loser fails (its transaction rolls back). Retrying
    /// then finds N applied, so the loser retries a few times.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Postgres => POSTGRES_MIGRATOR.run(&self.pool).await?,
            Backend::Sqlite => {
                let mut attempts = 0;
                while let Err(e) = SQLITE_MIGRATOR.run(&self.pool).await {
                    attempts += 1;
                    if attempts >= 5 {
                        return Err(e.into());
                    }
                    tokio::time::sleep(Duration::from_millis(200 * attempts)).await;
                }
            }
        }
        Ok(())
    }

    /// Readiness: one round trip to the database.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// (open connections, idle connections) of the pool, for `/metrics`.
    pub fn pool_stats(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
