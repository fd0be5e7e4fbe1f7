//! Tables, JSON and the BENCHMARKS.md document.

use super::pgfloor::Floor;
use super::scenarios::ScenarioResult;
use super::server::Footprint;
use super::Args;

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Run {
    pub database: String,
    pub results: Vec<ScenarioResult>,
    pub footprint: Footprint,
    /// The pgbench floor (Postgres only).
    pub floors: Vec<Floor>,
    /// The soak, when `--scenario` named it.
    #[serde(default)]
    pub soak: Option<super::soak::SoakResult>,
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
        out.push_str(
            "| scenario | clients | ops/s | vs /healthz | p50 ms | p95 ms | p99 ms | max ms | cache hits | errors |\n",
        );
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
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
            let hits = r.cache_hits.map(|h| format!("{:.0}%", 100.0 * h)).unwrap_or("-".into());
            out.push_str(&format!(
                "| {} | {} | {:.0} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} |\n",
                r.scenario, r.concurrency, r.per_second, ratio, r.p50_ms, r.p95_ms, r.p99_ms, r.max_ms, hits, errors
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
        if let Some(soak) = &run.soak {
            out.push_str(&super::soak::markdown(soak));
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

/// The targets (issues 10 and 19), judged from this run's figures.
pub fn targets(runs: &[Run]) -> String {
    let find = |db: &str, scenario: &str, c: usize| {
        runs.iter()
            .find(|r| r.database == db)
            .and_then(|r| r.results.iter().find(|x| x.scenario.starts_with(scenario) && x.concurrency == c))
    };
    let floor = |c: usize| {
        runs.iter().flat_map(|r| &r.floors).find(|f| f.label == "pgbench-onerow" && f.concurrency == c).map(|f| f.tps)
    };
    let verdict = |ok: bool| if ok { "met" } else { "missed" };
    let mut rows = Vec::new();
    if let Some(r) = find("postgres", "refreshes", 32) {
        let miss =
            if r.per_second >= 5000.0 { String::new() } else { format!(", {:.0}/s short", 5000.0 - r.per_second) };
        rows.push(format!(
            "| Postgres refreshes ≥ 5,000/s at 32 clients | {:.0}/s: {}{miss} |",
            r.per_second,
            verdict(r.per_second >= 5000.0)
        ));
        if let Some(f) = floor(32) {
            let ratio = r.per_second / f;
            rows.push(format!(
                "| Postgres refreshes ≥ 0.8 × pgbench-onerow at 32 clients | {:.0} ÷ {:.0} = {:.2}: {} |",
                r.per_second,
                f,
                ratio,
                verdict(ratio >= 0.8)
            ));
        }
    }
    for c in [32, 64] {
        if let Some(r) = find("sqlite", "refreshes", c) {
            rows.push(format!(
                "| SQLite refreshes ≥ 4,000/s ({c} clients) | {:.0}/s: {} |",
                r.per_second,
                verdict(r.per_second >= 4000.0)
            ));
        }
    }
    for db in ["sqlite", "postgres"] {
        if let Some(r) = find(db, "refreshes", 32) {
            rows.push(format!(
                "| {db} refresh p99 < 20 ms at 32 clients | {:.1} ms: {} |",
                r.p99_ms,
                verdict(r.p99_ms < 20.0)
            ));
        }
        for c in [32, 64] {
            let Some(base) = find(db, "healthz", c).map(|b| b.per_second).filter(|b| *b > 0.0) else { continue };
            for scenario in ["userinfo", "introspections", "/alexa resolutions (verify off)"] {
                if let Some(r) = find(db, scenario, c) {
                    let share = r.per_second / base;
                    rows.push(format!(
                        "| {db} {} ≥ 50% of /healthz ({c} clients) | {:.0}%: {} |",
                        r.scenario,
                        100.0 * share,
                        verdict(share >= 0.5)
                    ));
                }
            }
        }
    }
    for db in ["sqlite", "postgres"] {
        for c in [32, 64] {
            let (Some(e), Some(d)) = (find(db, "Smart Home events", c), find(db, "events posted straight", c)) else {
                continue;
            };
            let share = e.per_second / d.per_second.max(1.0);
            rows.push(format!(
                "| {db} Smart Home events ≥ 60% of the direct-to-gateway baseline ({c} clients) | {:.0}/s ÷ {:.0}/s = {:.0}%: {} |",
                e.per_second,
                d.per_second,
                100.0 * share,
                verdict(share >= 0.6)
            ));
            let overhead = e.p50_ms - d.p50_ms;
            rows.push(format!(
                "| {db} Smart Home events p50 overhead ≤ 2 ms ({c} clients) | {:.2} ms − {:.2} ms = {overhead:.2} ms: {} |",
                e.p50_ms,
                d.p50_ms,
                verdict(overhead <= 2.0)
            ));
        }
    }
    for run in runs {
        if let Some(soak) = &run.soak {
            let errors: u64 = soak.minutes.iter().flat_map(|m| m.errors.values()).sum();
            let flat = soak.verdict.ends_with("stopped growing after the warm-up");
            rows.push(format!(
                "| {} soak: 0 errors and memory that stops growing after warm-up | {errors} errors, {}: {} |",
                run.database,
                if flat { "memory flat" } else { "memory still growing" },
                verdict(errors == 0 && flat)
            ));
        }
    }
    let errors: u64 = runs.iter().flat_map(|r| &r.results).map(|r| r.errors.values().sum::<u64>()).sum();
    rows.push(format!("| zero errors in every scenario | {errors} errors: {} |", verdict(errors == 0)));
    format!("| target | this run |\n|---|---|\n{}\n", rows.join("\n"))
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

pub fn document(args: &Args, table: &str, runs: &[Run]) -> String {
    let template = include_str!("BENCHMARKS.template.md");
    template
        .replace("{{targets}}", &targets(runs))
        .replace("{{machine}}", &machine())
        .replace("{{date}}", &chrono_like_date())
        .replace("{{command}}", &format!(
            "cargo build --release && target/release/loadgen --scenario {} --concurrency {} --links {} --duration {} --databases {}{} --write BENCHMARKS.md",
            args.scenario,
            args.concurrency.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(","),
            args.links,
            args.duration,
            args.databases,
            if super::scenarios::soak_selected(&args.scenario) {
                format!(" --soak-minutes {} --soak-rate {}", args.soak_minutes, args.soak_rate)
            } else {
                String::new()
            }
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
