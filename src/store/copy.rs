//! Copying every table from one database to another (`linkbroker
//! migrate-data`, typically SQLite → Postgres). The list of tables, their
//! columns and their foreign keys come from each backend's catalog, so
//! tables added by later migrations are copied without changes here. This
//! is where backend-specific SQL is needed: the catalogs differ.
//!
//! The whole copy is one transaction on the destination, so it lands
//! completely or not at all; rows are streamed from the source and inserted
//! in batches.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::TryStreamExt;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Backend, Store, StoreError};

/// Rows per multi-row INSERT (well under Postgres' 65,535 parameters).
const BATCH_ROWS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Text,
}

enum Value {
    Integer(Option<i64>),
    Text(Option<String>),
}

/// Rows per table: in the source, and in the destination after the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    pub table: String,
    pub source: i64,
    pub destination: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the destination already holds data in table {0}; migrate-data only fills an empty database")]
    NotEmpty(String),
    #[error("table {0} exists in the source but not in the destination (are both on the same linkbroker version?)")]
    MissingTable(String),
    #[error("unexpected table name {0:?} in the catalog")]
    BadName(String),
}

impl From<sqlx::Error> for CopyError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

/// Catalog names are interpolated into SQL, so only plain ones pass.
fn quoted(name: &str) -> Result<String, CopyError> {
    if !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
        Ok(format!("\"{name}\""))
    } else {
        Err(CopyError::BadName(name.to_string()))
    }
}

impl Store {
    /// Application tables (not the migrator's), each after the tables it
    /// references, so inserts never break a foreign key.
    async fn tables_in_dependency_order(&self) -> Result<Vec<String>, StoreError> {
        let (tables_sql, edges_sql) = match self.backend {
            Backend::Sqlite => (
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND name <> '_sqlx_migrations' ORDER BY name",
                "SELECT m.name, p.\"table\" FROM sqlite_master m, pragma_foreign_key_list(m.name) p \
                 WHERE m.type = 'table'",
            ),
            Backend::Postgres => (
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
                 AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations' ORDER BY table_name",
                "SELECT cl.relname::text, ref.relname::text FROM pg_constraint c \
                 JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class ref ON ref.oid = c.confrelid \
                 JOIN pg_namespace n ON n.oid = cl.relnamespace \
                 WHERE c.contype = 'f' AND n.nspname = current_schema()",
            ),
        };
        let tables: Vec<(String,)> = sqlx::query_as(tables_sql).fetch_all(&self.pool).await?;
        let edges: Vec<(String, String)> = sqlx::query_as(edges_sql).fetch_all(&self.pool).await?;
        let mut needs: BTreeMap<String, BTreeSet<String>> =
            tables.into_iter().map(|(t,)| (t, BTreeSet::new())).collect();
        for (table, referenced) in edges {
            if table != referenced && needs.contains_key(&referenced) {
                needs.entry(table).or_default().insert(referenced);
            }
        }
        // Kahn's algorithm; a cycle (none today) falls back to name order.
        let mut ordered = Vec::new();
        while !needs.is_empty() {
            let ready: Vec<String> = needs.iter().filter(|(_, n)| n.is_empty()).map(|(t, _)| t.clone()).collect();
            let ready = if ready.is_empty() { vec![needs.keys().next().cloned().unwrap_or_default()] } else { ready };
            for t in &ready {
                needs.remove(t);
                for n in needs.values_mut() {
                    n.remove(t);
                }
            }
            ordered.extend(ready);
        }
        Ok(ordered)
    }

    /// Column names and whether each holds integers or text (the schema has
    /// no other kinds: times and flags are integers, everything else text).
    async fn columns(&self, table: &str) -> Result<Vec<(String, Kind)>, StoreError> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT name, type FROM pragma_table_info($1) ORDER BY cid",
            Backend::Postgres => {
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
            }
        };
        let rows: Vec<(String, String)> = sqlx::query_as(sql).bind(table).fetch_all(&self.pool).await?;
        Ok(rows
            .into_iter()
            .map(|(name, ty)| {
                let kind = if ty.to_ascii_uppercase().contains("INT") { Kind::Integer } else { Kind::Text };
                (name, kind)
            })
            .collect())
    }

    async fn count_rows(&self, table: &str) -> Result<i64, CopyError> {
        let (n,): (i64,) =
            sqlx::query_as(&format!("SELECT COUNT(*) FROM {}", quoted(table)?)).fetch_one(&self.pool).await?;
        Ok(n)
    }
}

fn read(row: &AnyRow, i: usize, kind: Kind) -> Result<Value, sqlx::Error> {
    Ok(match kind {
        Kind::Integer => Value::Integer(row.try_get(i)?),
        Kind::Text => Value::Text(row.try_get(i)?),
    })
}

/// Copies every table of `from` into the empty `to` in one transaction, then
/// counts both sides. Both must already be migrated.
pub async fn copy_all(from: &Store, to: &Store) -> Result<Vec<TableCount>, CopyError> {
    let tables = to.tables_in_dependency_order().await?;
    for table in &tables {
        if to.count_rows(table).await? > 0 {
            return Err(CopyError::NotEmpty(table.clone()));
        }
    }
    let source_tables: BTreeSet<String> = from.tables_in_dependency_order().await?.into_iter().collect();
    if let Some(extra) = source_tables.iter().find(|t| !tables.contains(t)) {
        return Err(CopyError::MissingTable(extra.clone()));
    }
    let mut tx = to.pool.begin().await?;
    for table in tables.iter().filter(|t| source_tables.contains(*t)) {
        let columns = to.columns(table).await?;
        let names = columns.iter().map(|(c, _)| quoted(c)).collect::<Result<Vec<_>, _>>()?.join(", ");
        let select = format!("SELECT {names} FROM {}", quoted(table)?);
        let mut rows = sqlx::query(&select).fetch(&from.pool);
        let mut batch: Vec<Vec<Value>> = Vec::with_capacity(BATCH_ROWS);
        while let Some(row) = rows.try_next().await? {
            let values = columns.iter().enumerate().map(|(i, (_, k))| read(&row, i, *k)).collect::<Result<_, _>>()?;
            batch.push(values);
            if batch.len() == BATCH_ROWS {
                insert(&mut tx, table, &names, columns.len(), std::mem::take(&mut batch)).await?;
            }
        }
        if !batch.is_empty() {
            insert(&mut tx, table, &names, columns.len(), batch).await?;
        }
    }
    tx.commit().await?;
    let mut counts = Vec::new();
    for table in tables.iter().filter(|t| source_tables.contains(*t)) {
        counts.push(TableCount {
            table: table.clone(),
            source: from.count_rows(table).await?,
            destination: to.count_rows(table).await?,
        });
    }
    Ok(counts)
}

async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    table: &str,
    names: &str,
    width: usize,
    rows: Vec<Vec<Value>>,
) -> Result<(), CopyError> {
    let tuples: Vec<String> = (0..rows.len())
        .map(|r| {
            let params: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    let sql = format!("INSERT INTO {} ({names}) VALUES {}", quoted(table)?, tuples.join(", "));
    let mut query = sqlx::query(&sql);
    for value in rows.into_iter().flatten() {
        query = match value {
            Value::Integer(v) => query.bind(v),
            Value::Text(v) => query.bind(v),
        };
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::quoted;

    #[test]
    fn only_plain_catalog_names_reach_sql() {
        assert_eq!(quoted("refresh_tokens").unwrap(), "\"refresh_tokens\"");
        for bad in ["", "users\"; DROP TABLE users; --", "Users", "a b"] {
            assert!(quoted(bad).is_err(), "{bad:?}");
        }
    }
}
