//! The database's own ceiling for one refresh, from `shared/bench/pgfloor`:
//! pgbench runs the first release's rotation statement (`pgbench-today`) and
//! a one-row HOT update (`pgbench-onerow`, the shape linkbroker's rotation
//! now has) with the same number of clients. Run right after the load so
//! both figures come from the same machine state.

use super::Args;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Floor {
    pub label: String,
    pub concurrency: usize,
    pub tps: f64,
}

/// One figure per design and concurrency; none when the script is missing
/// or fails (the report says so).
pub fn run(args: &Args) -> Vec<Floor> {
    if args.pgfloor == "none" {
        return Vec::new();
    }
    let script = std::path::Path::new(&args.pgfloor);
    if !script.exists() {
        eprintln!("   pgbench floor skipped: {} not found", script.display());
        return Vec::new();
    }
    let server = args.postgres_admin_url.rsplit_once('/').map_or(args.postgres_admin_url.as_str(), |(s, _)| s);
    let mut floors = Vec::new();
    for &c in &args.concurrency {
        eprintln!("   pgbench floor at {c} clients ...");
        let out = std::process::Command::new("bash")
            .arg(script)
            .env("PG", server)
            .env("CONC", c.to_string())
            .env("SECS", args.duration.to_string())
            .output();
        match out {
            Ok(o) if o.status.success() => {
                for line in String::from_utf8_lossy(&o.stdout).lines() {
                    if let Ok(f) = serde_json::from_str::<Floor>(line) {
                        eprintln!("   {} at {}: {:.0} tps", f.label, f.concurrency, f.tps);
                        floors.push(f);
                    }
                }
            }
            Ok(o) => eprintln!("   pgbench floor failed: {}", String::from_utf8_lossy(&o.stderr)),
            Err(e) => eprintln!("   pgbench floor failed: {e}"),
        }
    }
    floors
}
