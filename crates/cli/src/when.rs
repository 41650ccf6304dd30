//! Moments as people write them, for `--now`, `--not-before` and `--not-after`: Unix seconds
//! (`1700000000`, `-5`), RFC 3339 (`2026-12-03T10:00:00Z`, `2026-12-03T11:00:00+01:00`),
//! relative to the current time (`+30d`, `+2h`, `-5m`; units s, m, h, d, w) and `now`.
//!
//! RFC 3339 is read by hand (a date crate would be a large dependency for a few lines): a
//! four-digit year, every field range-checked, fractional seconds accepted and dropped (the
//! caveats hold whole seconds). A leap second `23:59:60` is accepted where RFC 3339 allows it
//! (minute 59) and, as in POSIX time, is the same Unix second as the `00:00:00` after it.

use std::process::ExitCode;

use crate::output::{fail, EXIT_USAGE};

/// Longer text is no time of any form; it is refused before any parsing.
const MAX_LEN: usize = 40;

/// Why a text is not a moment. The message quotes at most [`MAX_LEN`] characters of it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{flag}: {reason} (give Unix seconds, an RFC 3339 date-time such as 2026-12-03T10:00:00Z, `now`, or +30d, +2h, -5m)")]
pub struct TimeError {
    flag: String,
    reason: String,
}

impl TimeError {
    /// Ends the command with this error (exit status 2).
    pub fn fail(&self) -> ExitCode {
        fail(EXIT_USAGE, "usage.time", &self.to_string())
    }
}

/// The current Unix time.
pub fn current() -> Result<i64, String> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .ok_or_else(|| "the system clock is before 1970".to_owned())
}

/// `text` as Unix seconds; `flag` names it in the error.
pub fn parse(flag: &str, text: &str) -> Result<i64, TimeError> {
    parse_at(text, current).map_err(|reason| TimeError {
        flag: flag.to_owned(),
        reason,
    })
}

/// The flag's value, or the current time when it is not given.
pub fn parse_or_now(flag: &str, text: Option<&str>) -> Result<i64, TimeError> {
    parse(flag, text.unwrap_or("now"))
}

/// [`parse`] with the clock given, so that relative forms are testable.
fn parse_at(text: &str, now: impl FnOnce() -> Result<i64, String>) -> Result<i64, String> {
    if text.chars().count() > MAX_LEN {
        return Err(format!("too long to be a time ({} bytes)", text.len()));
    }
    let quoted = format!("{text:?}");
    let b = text.as_bytes();
    if text == "now" {
        return now();
    }
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    let unsigned = b.strip_prefix(b"-").unwrap_or(b);
    if digits(unsigned) {
        return text
            .parse::<i64>()
            .map_err(|_| format!("{quoted} is out of range for Unix seconds"));
    }
    if let [sign @ (b'+' | b'-'), amount @ .., unit] = b {
        if digits(amount) {
            return relative(*sign == b'-', amount, *unit, now)
                .map_err(|why| format!("{quoted}: {why}"));
        }
    }
    rfc3339(b).map_err(|why| format!("{quoted} is not a time: {why}"))
}

/// `±amount unit` from the current time.
fn relative(
    back: bool,
    amount: &[u8],
    unit: u8,
    now: impl FnOnce() -> Result<i64, String>,
) -> Result<i64, String> {
    let scale: i64 = match unit {
        b's' => 1,
        b'm' => 60,
        b'h' => 3600,
        b'd' => 86_400,
        b'w' => 604_800,
        _ => return Err("the unit must be s, m, h, d or w".to_owned()),
    };
    let out_of_range = || "out of range".to_owned();
    let amount: i64 = std::str::from_utf8(amount)
        .ok()
        .and_then(|a| a.parse().ok())
        .ok_or_else(out_of_range)?;
    let offset = amount.checked_mul(scale).ok_or_else(out_of_range)?;
    let now = now()?;
    if back {
        now.checked_sub(offset)
    } else {
        now.checked_add(offset)
    }
    .ok_or_else(out_of_range)
}

/// Reads `N` ASCII digits at `at` as a number.
fn number(b: &[u8], at: usize, n: usize) -> Result<i64, String> {
    let field = b.get(at..at + n).ok_or("it ends too early")?;
    if !field.iter().all(u8::is_ascii_digit) {
        return Err(format!("digits expected at position {}", at + 1));
    }
    Ok(field
        .iter()
        .fold(0, |acc, d| acc * 10 + i64::from(d - b'0')))
}

/// Checks that the byte at `at` is one of `allowed`.
fn separator(b: &[u8], at: usize, allowed: &[u8]) -> Result<(), String> {
    match b.get(at) {
        Some(c) if allowed.contains(c) => Ok(()),
        Some(_) => Err(format!(
            "{:?} expected at position {}",
            allowed.iter().map(|&c| char::from(c)).collect::<String>(),
            at + 1
        )),
        None => Err("it ends too early".to_owned()),
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` as Unix seconds.
fn rfc3339(b: &[u8]) -> Result<i64, String> {
    let year = number(b, 0, 4)?;
    separator(b, 4, b"-")?;
    let month = number(b, 5, 2)?;
    separator(b, 7, b"-")?;
    let day = number(b, 8, 2)?;
    separator(b, 10, b"Tt ")?;
    let hour = number(b, 11, 2)?;
    separator(b, 13, b":")?;
    let minute = number(b, 14, 2)?;
    separator(b, 16, b":")?;
    let second = number(b, 17, 2)?;
    let mut at = 19;
    if b.get(at) == Some(&b'.') {
        let frac = b[at + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if frac == 0 {
            return Err("digits expected after the decimal point".to_owned());
        }
        at += 1 + frac;
    }
    let offset = match b.get(at) {
        Some(b'Z' | b'z') if b.len() == at + 1 => 0,
        Some(sign @ (b'+' | b'-')) if b.len() == at + 6 => {
            let h = number(b, at + 1, 2)?;
            separator(b, at + 3, b":")?;
            let m = number(b, at + 4, 2)?;
            if h > 23 || m > 59 {
                return Err("the offset is out of range".to_owned());
            }
            let minutes = h * 60 + m;
            if *sign == b'-' {
                -minutes
            } else {
                minutes
            }
        }
        Some(_) => return Err("a zone (Z or ±HH:MM) must end it".to_owned()),
        None => return Err("the zone (Z or ±HH:MM) is missing".to_owned()),
    };
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => return Err("the month is out of range".to_owned()),
    };
    if !(1..=days_in_month).contains(&day) {
        return Err("the day is out of range for its month".to_owned());
    }
    if hour > 23 || minute > 59 || second > 60 || (second == 60 && minute != 59) {
        return Err("the time of day is out of range".to_owned());
    }
    Ok(
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
            - offset * 60,
    )
}

#[cfg(test)]
mod tests {
    use super::parse_at;

    fn at(text: &str) -> Result<i64, String> {
        parse_at(text, || Ok(1_700_000_000))
    }

    #[test]
    fn reads_every_form() {
        assert_eq!(at("1700000000"), Ok(1_700_000_000));
        assert_eq!(at("-5"), Ok(-5));
        assert_eq!(at("now"), Ok(1_700_000_000));
        assert_eq!(at("+30d"), Ok(1_700_000_000 + 30 * 86_400));
        assert_eq!(at("+2h"), Ok(1_700_007_200));
        assert_eq!(at("-5m"), Ok(1_699_999_700));
        assert_eq!(at("+1w"), Ok(1_700_604_800));
        assert_eq!(at("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(at("2023-11-14T22:13:20Z"), Ok(1_700_000_000));
        assert_eq!(at("2023-11-14t23:13:20.999+01:00"), Ok(1_700_000_000));
        assert_eq!(at("2023-11-14 17:43:20-04:30"), Ok(1_700_000_000));
        assert_eq!(at("1969-12-31T23:59:59Z"), Ok(-1));
        assert_eq!(at("2000-02-29T00:00:00Z"), Ok(951_782_400));
        assert_eq!(at("9999-12-31T23:59:59Z"), Ok(253_402_300_799));
        assert_eq!(at("0000-01-01T00:00:00Z"), Ok(-62_167_219_200));
        // A leap second is the same Unix second as the midnight after it.
        assert_eq!(at("2016-12-31T23:59:60Z"), at("2017-01-01T00:00:00Z"));
    }

    #[test]
    fn refuses_hostile_and_wrong_text() {
        for bad in [
            "",
            "tomorrow",
            "9223372036854775808",
            "-9223372036854775809",
            "+9223372036854775807d",
            "+99999999999999999999s",
            "+30y",
            "+d",
            "30d",
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-00-01T00:00:00Z",
            "2023-01-32T00:00:00Z",
            "2023-01-01T24:00:00Z",
            "2023-01-01T23:60:00Z",
            "2023-01-01T23:58:60Z",
            "2023-01-01T00:00:00",
            "2023-01-01T00:00:00+24:00",
            "2023-01-01T00:00:00+01:60",
            "2023-01-01T00:00:00.Z",
            "2023-01-01T00:00:00Zjunk",
            "2023-1-01T00:00:00Z",
            "+2023-01-01T00:00:00Z",
            "１２３",
            "2023-01-01T00:00:00Z\n",
            "\x1b[2J\nvalid: 1",
            "now ",
        ] {
            assert!(at(bad).is_err(), "{bad:?} was taken for {:?}", at(bad));
        }
        let huge = "9".repeat(1 << 20);
        let err = at(&huge).expect_err("a megabyte of digits");
        assert!(err.len() < 100, "{err}");
        for (text, clock) in [("+1s", i64::MAX), ("-1s", i64::MIN)] {
            let err = parse_at(text, || Ok(clock)).expect_err("past the end of time");
            assert!(err.contains("out of range"), "{err}");
        }
    }
}
