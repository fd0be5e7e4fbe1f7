//! `request.timestamp` freshness: Amazon signs the body but not the time it
//! was sent, so a replayed request is refused by its age: 150 s either way,
//! or an hour for `AlexaSkillEvent.*`, which are delivered asynchronously.

/// Normal requests (Amazon: "within 150 seconds").
pub const MAX_SKEW: i64 = 150;
/// Skill events (Amazon: "within one hour").
pub const MAX_EVENT_SKEW: i64 = 3600;

/// Checks an ISO 8601 `request.timestamp` against `now` (Unix seconds).
pub fn check(timestamp: &str, is_event: bool, now: i64) -> Result<(), &'static str> {
    let at = parse_iso8601(timestamp).ok_or("request timestamp is not an ISO 8601 time")?;
    let allowed = if is_event { MAX_EVENT_SKEW } else { MAX_SKEW };
    if (now - at).abs() > allowed {
        return Err("request timestamp is too old or in the future");
    }
    Ok(())
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` → Unix seconds. Alexa sends
/// `2024-05-13T12:34:56Z`; the other forms are accepted for robustness.
pub fn parse_iso8601(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        let part = s.get(from..to)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let ob = rest.as_bytes();
            if ob.len() != 6 || ob[3] != b':' {
                return None;
            }
            let sign = match ob[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (h, m) = (num_at(rest, 1)?, num_at(rest, 4)?);
            sign * (h * 3600 + m * 60)
        }
    };
    Some(crate::clock::days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Unix seconds → `2024-05-13T12:34:56Z`, the form Alexa's `timestamp`
/// has (the inverse of `parse_iso8601`; tests and the load generator sign
/// requests with it).
pub fn format_iso8601(unix: i64) -> String {
    let (year, month, day, secs) = crate::clock::civil_from_unix(unix);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs % 3600 / 60, secs % 60)
}

fn num_at(s: &str, at: usize) -> Option<i64> {
    let part = s.get(at..at + 2)?;
    part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_round_trips() {
        for t in [0, 951_782_400, 1_715_603_696, 4_102_444_799] {
            assert_eq!(parse_iso8601(&format_iso8601(t)), Some(t), "{t}");
        }
        assert_eq!(format_iso8601(1_715_603_696), "2024-05-13T12:34:56Z");
    }

    #[test]
    fn parses_alexa_timestamps() {
        assert_eq!(parse_iso8601("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_iso8601("2016-03-24T19:38:27Z"), Some(1_458_848_307));
        assert_eq!(parse_iso8601("2016-03-24T19:38:27.123Z"), Some(1_458_848_307));
        assert_eq!(parse_iso8601("2016-03-24T21:38:27+02:00"), Some(1_458_848_307));
        assert_eq!(parse_iso8601("2000-02-29T00:00:00Z"), Some(951_782_400));
    }

    #[test]
    fn refuses_what_is_not_a_time() {
        for bad in [
            "",
            "yesterday",
            "2016-03-24 19:38:27Z",
            "2016-13-24T19:38:27Z",
            "2016-03-24T19:38:27",
            "+016-03-24T19:38:27Z",
            "2016-03-24T19:38:27.Z",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
    }

    #[test]
    fn freshness_window_depends_on_the_request_kind() {
        let t = "2016-03-24T19:38:27Z";
        let at = 1_458_848_307;
        assert!(check(t, false, at + 150).is_ok());
        assert!(check(t, false, at - 150).is_ok());
        assert!(check(t, false, at + 151).is_err());
        assert!(check(t, false, at - 151).is_err());
        assert!(check(t, true, at + 3600).is_ok());
        assert!(check(t, true, at + 3601).is_err());
    }
}
