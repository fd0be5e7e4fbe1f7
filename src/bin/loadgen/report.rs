//! Tables, JSON and the BENCHMARKS.md document.

use super::scenarios::ScenarioResult;
use super::server::Footprint;
use super::Args;

#[derive(Debug, serde::Serialize)]
pub struct Run {
    pub database: String,
    pub results: Vec<ScenarioResult>,
    pub footprint: Footprint,
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
        let baseline = run.results.iter().find(|r| r.scenario.starts_with("healthz")).map(|r| r.per_second);
        out.push_str(&format!(
            "\n### {} — {} concurrent clients, {} s per scenario\n\n",
            run.database, args.concurrency, args.duration
        ));
        out.push_str("| scenario | ops/s | vs /healthz | p50 ms | p95 ms | p99 ms | max ms | errors |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---|\n");
        for r in &run.results {
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
                "| {} | {:.0} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {} |\n",
                r.scenario, r.per_second, ratio, r.p50_ms, r.p95_ms, r.p99_ms, r.max_ms, errors
            ));
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
            "cargo build --release && target/release/loadgen --scenario {} --concurrency {} --duration {} --databases {} --write BENCHMARKS.md",
            args.scenario, args.concurrency, args.duration, args.databases
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
