//! Tables, JSON and the BENCHMARKS.md document.

use super::pgfloor::Floor;
use super::scenarios::ScenarioResult;
use super::server::Footprint;
use super::Args;

#[derive(Debug, serde::Serialize)]
pub struct Run {
    pub database: String,
    pub results: Vec<ScenarioResult>,
    pub footprint: Footprint,
    /// The pgbench floor (Postgres only).
    pub floors: Vec<Floor>,
}

pub fn databases(raw: &str) -> anyhow::Result<Vec<&'static str>> {
    Ok(match raw {
        "both" => vec!["sqlite", "postgres"],
        "sqlite" => vec!["sqlite"],
        "postgres" => vec!["postgres"],
        other => anyhow::bail!("--databases must be sqlite, postgres or both, not {other:?}"),
    })
}

pub fn one_line(r: &ScenarioResult) -> String {
    format!(
        "{:.0}/s  p50 {:.2} ms  p99 {:.2} ms  errors {}",
        r.per_second,
        r.p50_ms,
        r.p99_ms,
        r.errors.values().sum::<u64>()
    )
}

pub fn markdown(args: &Args, runs: &[Run]) -> String {
    let mut out = String::new();
    for run in runs {
        out.push_str(&format!(
            "\n### {} — {} s per scenario, {} distinct links\n\n",
            run.database, args.duration, args.links
        ));
        out.push_str("| scenario | clients | ops/s | vs /healthz | p50 ms | p95 ms | p99 ms | max ms | errors |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for r in &run.results {
            let baseline = run
                .results
                .iter()
                .find(|b| b.scenario.starts_with("healthz") && b.concurrency == r.concurrency)
                .map(|b| b.per_second);
            let ratio = baseline
                .filter(|b| *b > 0.0)
                .map(|b| format!("{:.0}%", 100.0 * r.per_second / b))
                .unwrap_or("-".into());
            let errors = if r.errors.is_empty() {
                "0".to_string()
            } else {
                r.errors.iter().map(|(k, v)| format!("{v}× {k}")).collect::<Vec<_>>().join("; ")
            };
            out.push_str(&format!(
                "| {} | {} | {:.0} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {} |\n",
                r.scenario, r.concurrency, r.per_second, ratio, r.p50_ms, r.p95_ms, r.p99_ms, r.max_ms, errors
            ));
        }
        if !run.floors.is_empty() {
            out.push_str(
                "\nThe database's floor for one refresh, pgbench on the same machine right after the load:\n\n",
            );
            out.push_str("| design | clients | pgbench tps | linkbroker refreshes/s | linkbroker ÷ floor |\n");
            out.push_str("|---|---:|---:|---:|---:|\n");
            for f in &run.floors {
                let refresh = run
                    .results
                    .iter()
                    .find(|r| r.scenario == "refreshes" && r.concurrency == f.concurrency)
                    .map(|r| r.per_second);
                let (ours, ratio) = match refresh {
                    Some(x) if f.tps > 0.0 => (format!("{x:.0}"), format!("{:.2}", x / f.tps)),
                    _ => ("-".into(), "-".into()),
                };
                out.push_str(&format!("| {} | {} | {:.0} | {} | {} |\n", f.label, f.concurrency, f.tps, ours, ratio));
            }
        }
        let f = &run.footprint;
        out.push_str(&format!(
            "\nStart-up to ready on an existing database: {:.0} ms. Resident memory: {:.1} MB idle after start, {:.1} MB after the load.\n",
            f.startup_ms,
            f.idle_rss_kb as f64 / 1024.0,
            f.rss_after_load_kb as f64 / 1024.0
        ));
    }
    out
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| s.lines().next().and_then(|l| l.split_whitespace().nth(1)).and_then(|kb| kb.parse::<f64>().ok()))
        .map(|kb| format!("{:.0} GiB", kb / 1024.0 / 1024.0))
        .unwrap_or_default();
    format!("{cores} cores ({cpu}), {mem} RAM; linkbroker, the load generator and the mock LWA share the machine")
}

pub fn document(args: &Args, table: &str) -> String {
    let template = include_str!("BENCHMARKS.template.md");
    template
        .replace("{{machine}}", &machine())
        .replace("{{date}}", &chrono_like_date())
        .replace("{{command}}", &format!(
            "cargo build --release && target/release/loadgen --scenario {} --concurrency {} --links {} --duration {} --databases {} --write BENCHMARKS.md",
            args.scenario,
            args.concurrency.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(","),
            args.links,
            args.duration,
            args.databases
        ))
        .replace("{{tables}}", table)
}

fn chrono_like_date() -> String {
    std::process::Command::new("date")
        .arg("-u")
        .arg("+%Y-%m-%d %H:%M UTC")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}
