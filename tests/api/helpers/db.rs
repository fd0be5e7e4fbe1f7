//! Databases for tests: the backend switch, a fresh SQLite file or
//! Postgres database per test, and the folder that goes with it.

use sqlx::Connection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body once per backend: `both_backends!(name1, name2)` turns
/// each `async fn name(backend: Backend)` into `name::sqlite` and
/// `name::postgres` tests.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                use $crate::helpers::Backend;
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() { super::$name(Backend::Sqlite).await }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() { super::$name(Backend::Postgres).await }
            }
        )*
    };
}

pub struct TempDir(std::path::PathBuf);

impl TempDir {
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }

    /// Deletes `path` when dropped.
    pub fn new(path: std::path::PathBuf) -> Self {
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn postgres_admin_url() -> String {
    std::env::var("LINKBROKER_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh Postgres database, or `None` (with a notice) when Postgres is not
/// reachable and `LINKBROKER_REQUIRE_POSTGRES` is not `1`.
async fn fresh_postgres() -> Option<String> {
    sqlx::any::install_default_drivers();
    let admin = postgres_admin_url();
    let required = std::env::var("LINKBROKER_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    let mut conn = match sqlx::AnyConnection::connect(&admin).await {
        Ok(c) => c,
        Err(e) if !required => {
            eprintln!(
                "SKIPPED: Postgres at {admin} is unreachable ({e}); set LINKBROKER_REQUIRE_POSTGRES=1 to fail instead"
            );
            return None;
        }
        Err(e) => panic!("Postgres at {admin} is unreachable and LINKBROKER_REQUIRE_POSTGRES=1: {e}"),
    };
    sweep_old_test_databases(&mut conn).await;
    // The creation time in the name lets later runs find what to sweep.
    let name = format!("lb_test_{}_{}", linkbroker::clock::now(), uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&format!("/{name}"));
    Some(url.to_string())
}

/// Every Postgres test makes a database; without a sweep they fill the disk
/// over many runs. Once per test process, databases of earlier runs (older
/// than an hour, far longer than a run) are dropped. Best effort.
async fn sweep_old_test_databases(conn: &mut sqlx::AnyConnection) {
    static SWEPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if SWEPT.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    let cutoff = linkbroker::clock::now() - 3600;
    let names: Vec<(String,)> = sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE 'lb_test_%'")
        .fetch_all(&mut *conn)
        .await
        .unwrap_or_default();
    for (name,) in names {
        let created = name.split('_').nth(2).and_then(|t| t.parse::<i64>().ok());
        // Names without a time come from older helpers: also stale.
        if created.is_none_or(|t| t < cutoff) {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut *conn).await;
        }
    }
}

/// A database URL no other test uses (and the folder to delete for SQLite).
pub async fn fresh_database(backend: Backend) -> Option<(String, Option<TempDir>)> {
    Some(match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("lb-test-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&dir).unwrap();
            (format!("sqlite://{}/lb.db", dir.display()), Some(TempDir(dir)))
        }
        Backend::Postgres => (fresh_postgres().await?, None),
    })
}
