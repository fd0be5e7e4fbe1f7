//! The soak: everything at once at a steady rate for a long time (default
//! ten minutes), to show that nothing degrades or leaks. Each virtual
//! client paces itself to its share of `--soak-rate` and walks one mix of
//! operations: complete links, refreshes, userinfo, introspection and
//! `/alexa` resolutions, Smart Home events and admin API reads. Each minute
//! reports throughput, latency, errors and the server's resident memory.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::agent::{http_client, Agent, Pool};
use super::seed::{prepare_events, EVENT_USERS};
use super::server::Server;
use super::Args;

/// One pass of the mix, repeated: per 100 operations, 25 events, 25
/// userinfo, 20 `/alexa`, 15 refreshes, 10 introspections, 4 admin reads
/// and 1 complete link (six requests and a new user).
const MIX: &[Op] = &{
    use Op::*;
    let mut mix = [Event; 100];
    let spans: [(Op, usize); 6] =
        [(Userinfo, 25), (Alexa, 20), (Refresh, 15), (Introspect, 10), (AdminRead, 4), (Link, 1)];
    // Spread each kind over the pass rather than in runs.
    let mut i = 0;
    let mut k = 0;
    while k < spans.len() {
        let (op, n) = spans[k];
        let mut j = 0;
        while j < n {
            mix[(i * 37) % 100] = op;
            i += 1;
            j += 1;
        }
        k += 1;
    }
    mix
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Event,
    Userinfo,
    Alexa,
    Refresh,
    Introspect,
    AdminRead,
    Link,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SoakMinute {
    pub minute: u64,
    pub ops: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: BTreeMap<String, u64>,
    pub rss_kb: u64,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SoakResult {
    pub rate: u64,
    pub concurrency: usize,
    pub minutes: Vec<SoakMinute>,
    /// Resident memory at the end of the warm-up (the first third), in
    /// the middle and at the end, and what they say.
    pub verdict: String,
}

/// What the clients measured in the current minute.
#[derive(Default)]
struct Tally {
    latencies: Vec<u64>,
    errors: BTreeMap<String, u64>,
}

pub async fn run(srv: &Server, pool: &Arc<Pool>, args: &Args) -> anyhow::Result<SoakResult> {
    prepare_events(srv, pool, EVENT_USERS).await?;
    let admin_token = Arc::new(srv.add_admin_token()?);
    let concurrency = args.concurrency.first().copied().unwrap_or(32);
    let http = http_client(concurrency)?;
    // Each client's share of the rate, as the pause between its operations.
    let interval = Duration::from_secs_f64(concurrency as f64 / args.soak_rate.max(1) as f64);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let start = Instant::now();
    let end = start + Duration::from_secs(args.soak_minutes * 60);
    let mut tasks = Vec::new();
    for i in 0..concurrency {
        let mut agent = Agent::new(&http, &srv.base, pool, i % pool.len().max(1), concurrency, None);
        let (tally, admin_token) = (tally.clone(), admin_token.clone());
        tasks.push(tokio::spawn(async move {
            // Clients start spread over one interval, not all at once.
            let mut next = start + interval.mul_f64(i as f64 / concurrency as f64);
            let mut step = i * 7;
            while next < end {
                tokio::time::sleep_until(next.into()).await;
                let t0 = Instant::now();
                let outcome = match MIX[step % MIX.len()] {
                    Op::Event => agent.event(None).await,
                    Op::Userinfo => agent.userinfo().await,
                    Op::Alexa => agent.alexa().await,
                    Op::Refresh => agent.refresh_once().await,
                    Op::Introspect => agent.introspect().await,
                    Op::AdminRead => agent.admin_read(&admin_token).await,
                    Op::Link => agent.link().await.map(|_| ()),
                };
                step += 1;
                let mut t = tally.lock().unwrap_or_else(|p| p.into_inner());
                match outcome {
                    Ok(()) => t.latencies.push(t0.elapsed().as_micros() as u64),
                    Err(e) => *t.errors.entry(e).or_default() += 1,
                }
                drop(t);
                // A steady rate: a late client does not burst to catch up.
                next = (next + interval).max(Instant::now());
            }
        }));
    }
    let mut minutes = Vec::new();
    for minute in 1..=args.soak_minutes {
        tokio::time::sleep_until((start + Duration::from_secs(minute * 60)).into()).await;
        let Tally { mut latencies, errors } = std::mem::take(&mut *tally.lock().unwrap_or_else(|p| p.into_inner()));
        latencies.sort_unstable();
        let pct = |p: f64| {
            latencies
                .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
                .copied()
                .unwrap_or(0) as f64
                / 1000.0
        };
        let m = SoakMinute {
            minute,
            ops: latencies.len() as u64,
            per_second: latencies.len() as f64 / 60.0,
            p50_ms: pct(0.50),
            p99_ms: pct(0.99),
            errors,
            rss_kb: srv.rss_kb(),
        };
        eprintln!("   soak minute {minute}: {}", line(&m));
        minutes.push(m);
    }
    for t in tasks {
        t.await?;
    }
    let verdict = verdict(&minutes);
    eprintln!("   soak: {verdict}");
    Ok(SoakResult { rate: args.soak_rate, concurrency, minutes, verdict })
}

fn line(m: &SoakMinute) -> String {
    format!(
        "{:.0} ops/s, p50 {:.2} ms, p99 {:.2} ms, {} errors, {:.1} MB resident",
        m.per_second,
        m.p50_ms,
        m.p99_ms,
        m.errors.values().sum::<u64>(),
        m.rss_kb as f64 / 1024.0
    )
}

/// Whether memory stopped growing after the warm-up (the first third of
/// the run): the last minute holds no more than the middle one plus 5% (or
/// 2 MB, whichever is more: allocator noise).
pub fn verdict(minutes: &[SoakMinute]) -> String {
    let n = minutes.len();
    if n < 3 {
        return "too short to judge memory (give --soak-minutes 3 or more)".into();
    }
    let mb = |i: usize| minutes[i].rss_kb as f64 / 1024.0;
    let (warm, mid, last) = (mb(n / 3 - 1), mb(n / 2), mb(n - 1));
    let errors: u64 = minutes.iter().flat_map(|m| m.errors.values()).sum();
    let flat = last <= mid + (mid * 0.05).max(2.0);
    format!(
        "{errors} errors; resident memory {warm:.1} MB after the warm-up (minute {}), {mid:.1} MB at minute {}, \
         {last:.1} MB at the end: {}",
        n / 3,
        n / 2 + 1,
        if flat { "stopped growing after the warm-up" } else { "still growing" }
    )
}

/// The per-minute table for BENCHMARKS.md.
pub fn markdown(s: &SoakResult) -> String {
    let mut out = format!(
        "\nSoak: {} clients at a steady {} operations/s for {} minutes (per 100 operations: 25 events, 25 userinfo, \
         20 `/alexa`, 15 refreshes, 10 introspections, 4 admin API reads, 1 complete link).\n\n",
        s.concurrency,
        s.rate,
        s.minutes.len()
    );
    out.push_str("| minute | ops/s | p50 ms | p99 ms | errors | resident MB |\n|---:|---:|---:|---:|---|---:|\n");
    for m in &s.minutes {
        let errors = if m.errors.is_empty() {
            "0".to_string()
        } else {
            m.errors.iter().map(|(k, v)| format!("{v}× {k}")).collect::<Vec<_>>().join("; ")
        };
        out.push_str(&format!(
            "| {} | {:.0} | {:.2} | {:.2} | {} | {:.1} |\n",
            m.minute,
            m.per_second,
            m.p50_ms,
            m.p99_ms,
            errors,
            m.rss_kb as f64 / 1024.0
        ));
    }
    out.push_str(&format!("\nVerdict: {}.\n", s.verdict));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minutes(rss_mb: &[u64]) -> Vec<SoakMinute> {
        rss_mb
            .iter()
            .enumerate()
            .map(|(i, mb)| SoakMinute { minute: i as u64 + 1, rss_kb: mb * 1024, ..Default::default() })
            .collect()
    }

    #[test]
    fn memory_that_levels_off_passes_and_memory_that_climbs_does_not() {
        assert!(
            verdict(&minutes(&[20, 40, 48, 50, 50, 51, 50, 51, 51, 51])).ends_with("stopped growing after the warm-up")
        );
        assert!(verdict(&minutes(&[20, 40, 48, 56, 64, 72, 80, 88, 96, 104])).ends_with("still growing"));
        assert!(verdict(&minutes(&[20, 30])).starts_with("too short"));
    }

    #[test]
    fn the_mix_holds_every_operation_in_its_share() {
        let count = |op| MIX.iter().filter(|o| **o == op).count();
        assert_eq!(
            [Op::Event, Op::Userinfo, Op::Alexa, Op::Refresh, Op::Introspect, Op::AdminRead, Op::Link].map(count),
            [25, 25, 20, 15, 10, 4, 1]
        );
    }
}
