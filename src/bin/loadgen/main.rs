//! Load generator for linkbroker (see BENCHMARKS.md).
//!
//! Starts the release `linkbroker` binary (next to this one) against a fresh
//! SQLite file and/or a fresh Postgres database, with an in-process mock
//! Login with Amazon, links `--links` accounts through the real flow, then
//! drives it like Alexa and a browser would at each `--concurrency`:
//! complete account links, chained refreshes and token resolutions at
//! `/oauth/userinfo`, `/oauth/introspect` and `/alexa` over those distinct
//! links, and the `/healthz` baseline of the same server. With Postgres it
//! also runs the pgbench floor (`--pgfloor`) at the same concurrency, so the
//! refresh figure stands beside the database's own ceiling from the same
//! run. Prints a table per database and writes JSON and Markdown.

mod agent;
mod mock_lwa;
mod pgfloor;
mod report;
mod scenarios;
mod seed;
mod server;
mod signed;
mod soak;

use clap::Parser;

#[derive(Parser, Debug, Clone)]
#[command(about = "Benchmarks a linkbroker release binary on this machine")]
pub struct Args {
    /// A comma list of: all, healthz, links, refresh, userinfo, introspect,
    /// alexa, alexa-signed, events, gateway, soak (`all` is every timed
    /// scenario; `soak` runs once per database after them)
    #[arg(long, default_value = "all")]
    pub scenario: String,
    /// Minutes the soak runs
    #[arg(long, default_value_t = 10)]
    pub soak_minutes: u64,
    /// The soak's steady rate, operations per second over all its clients
    /// (the first `--concurrency`)
    #[arg(long, default_value_t = 1500)]
    pub soak_rate: u64,
    /// Concurrent virtual clients per scenario; a comma list runs each
    #[arg(long, default_value = "32,64", value_delimiter = ',')]
    pub concurrency: Vec<usize>,
    /// Distinct accounts linked before the scenarios; refreshes and
    /// resolutions cycle through all of them
    #[arg(long, default_value_t = 10_000)]
    pub links: usize,
    /// The pgbench floor script (`shared/bench/pgfloor/run.sh`); run with the
    /// same concurrency when Postgres is benchmarked. `none` skips it
    #[arg(long, default_value = "../shared/bench/pgfloor/run.sh")]
    pub pgfloor: String,
    /// Seconds each scenario runs (after a one-second warm-up)
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Databases: sqlite, postgres, or both
    #[arg(long, default_value = "both")]
    pub databases: String,
    /// Where fresh Postgres databases are created
    #[arg(long, env = "LINKBROKER_TEST_POSTGRES_URL", default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pub postgres_admin_url: String,
    /// Write the Markdown report here (e.g. BENCHMARKS.md)
    #[arg(long)]
    pub write: Option<std::path::PathBuf>,
    /// Write the raw results as JSON here
    #[arg(long)]
    pub json: Option<std::path::PathBuf>,
    /// Re-render the report from the JSON of an earlier run (`--json`) instead
    /// of measuring; give the same options that run had
    #[arg(long)]
    pub render: Option<std::path::PathBuf>,
    /// The linkbroker binary (default: next to this one)
    #[arg(long)]
    pub bin: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runs = match &args.render {
        Some(path) => serde_json::from_slice(&std::fs::read(path)?)?,
        None => measure(&args).await?,
    };
    let table = report::markdown(&args, &runs);
    println!("{table}");
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&runs)?)?;
    }
    if let Some(path) = &args.write {
        std::fs::write(path, report::document(&args, &table, &runs))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

async fn measure(args: &Args) -> anyhow::Result<Vec<report::Run>> {
    let lwa = mock_lwa::start().await?;
    let mut runs = Vec::new();
    for db in report::databases(&args.databases)? {
        let url = server::fresh_database(db, &args.postgres_admin_url).await?;
        eprintln!("== {db}: starting linkbroker");
        let srv = server::Server::start(args, &url, &lwa).await?;
        let seeding = std::time::Instant::now();
        let pool = seed::seed(&srv, args.links, 64).await?;
        eprintln!("   linked {} accounts in {:.0} s", pool.len(), seeding.elapsed().as_secs_f64());
        let mut results = Vec::new();
        for &concurrency in &args.concurrency {
            for scenario in scenarios::selected(&args.scenario)? {
                eprintln!("   {scenario} at {concurrency} clients ...");
                let result = scenarios::run(scenario, &srv, &pool, concurrency, args).await?;
                eprintln!("   {}", report::one_line(&result));
                results.push(result);
            }
        }
        let soak = if scenarios::soak_selected(&args.scenario) {
            eprintln!("   soak: {} minutes at {} operations/s ...", args.soak_minutes, args.soak_rate);
            Some(soak::run(&srv, &pool, args).await?)
        } else {
            None
        };
        let footprint = srv.footprint().await?;
        srv.stop();
        server::drop_database(&url, &args.postgres_admin_url).await;
        let floors = if db == "postgres" { pgfloor::run(args) } else { Vec::new() };
        runs.push(report::Run { database: db.to_string(), results, footprint, floors, soak });
    }
    Ok(runs)
}
