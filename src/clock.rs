//! Wall-clock time as Unix seconds, the unit every stored time uses, and
//! the calendar arithmetic to print and parse it (H. Hinnant's algorithms)
//! without a date-time dependency.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// The application's clock, injected through `startup::Options`: the
/// system time plus an offset that only tests move, so a test can let days
/// pass (rotation, then a retry three days later) without sleeping.
#[derive(Debug, Clone)]
pub struct Clock {
    offset: Arc<AtomicI64>,
    /// Monotonic origin for short age bounds: a wall clock set back must
    /// not make a cached entry young again.
    started: std::time::Instant,
}

impl Default for Clock {
    fn default() -> Self {
        Self { offset: Arc::default(), started: std::time::Instant::now() }
    }
}

impl Clock {
    pub fn now(&self) -> i64 {
        now() + self.offset.load(Ordering::Relaxed)
    }

    /// Monotonic milliseconds (since this clock was made, plus what tests
    /// advanced), for short age bounds such as the 2 s caches: never moved
    /// by the wall clock.
    pub fn monotonic_millis(&self) -> i64 {
        self.started.elapsed().as_millis() as i64 + self.offset.load(Ordering::Relaxed) * 1000
    }

    /// Moves this clock (and every clone of it) `seconds` ahead.
    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::Relaxed);
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Unix seconds → (year, month, day, seconds into that day), in UTC.
pub fn civil_from_unix(unix: i64) -> (i64, i64, i64, i64) {
    let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day, secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        for unix in [0, 86_399, 951_782_400, 1_715_603_696, 4_102_444_799, -86_400] {
            let (y, m, d, secs) = civil_from_unix(unix);
            assert_eq!(days_from_civil(y, m, d) * 86_400 + secs, unix, "{unix}");
        }
        assert_eq!(civil_from_unix(951_782_400), (2000, 2, 29, 0));
    }
}
