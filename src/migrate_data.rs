//! `linkbroker migrate-data --from URL --to URL`: moves a deployment from
//! one database to another (SQLite → Postgres when it outgrows one
//! instance). Both are migrated to this version first; the destination must
//! be empty; every table is copied in one transaction and then counted on
//! both sides.

use anyhow::{bail, Context};

use crate::settings::DatabaseUrl;
use crate::store::{copy_all, Store};

pub async fn run(from: &str, to: &str) -> anyhow::Result<()> {
    let (from, to) = (DatabaseUrl::new(from), DatabaseUrl::new(to));
    for (flag, url) in [("--from", &from), ("--to", &to)] {
        if !["sqlite:", "postgres://", "postgresql://"].iter().any(|p| url.as_str().starts_with(p)) {
            bail!("{flag} must start with sqlite://, postgres:// or postgresql:// (got {})", url.redacted());
        }
    }
    if from == to {
        bail!("--from and --to are the same database");
    }
    let source = open(&from, "--from").await?;
    let destination = open(&to, "--to").await?;
    eprintln!("copying {} → {}", from.redacted(), to.redacted());
    let counts = copy_all(&source, &destination).await.context("copying failed; the destination is unchanged")?;
    println!("{:<28} {:>12} {:>12}", "table", "source", "destination");
    for c in &counts {
        println!("{:<28} {:>12} {:>12}", c.table, c.source, c.destination);
    }
    if let Some(bad) = counts.iter().find(|c| c.source != c.destination) {
        bail!(
            "row counts differ for {} ({} vs {}): was the source written to during the copy? Stop every instance first",
            bad.table,
            bad.source,
            bad.destination
        );
    }
    let total: i64 = counts.iter().map(|c| c.source).sum();
    println!("copied {total} rows in {} tables; counts verified", counts.len());
    Ok(())
}

async fn open(url: &DatabaseUrl, flag: &str) -> anyhow::Result<Store> {
    let store = Store::connect(url.as_str()).await.with_context(|| format!("cannot open {flag} {}", url.redacted()))?;
    store.migrate().await.with_context(|| format!("applying migrations to {flag} {} failed", url.redacted()))?;
    Ok(store)
}
