//! Checked time arithmetic. Every duration or date that comes from outside — snapshot fields,
//! configuration and flag durations, schedule expressions, certificate days, lag windows — is
//! added, subtracted and converted here, never with chrono's `+`/`-` or `TimeDelta::seconds`,
//! which panic out of range. A user can write `1000000y` or a year-262143 date; the audit must
//! still finish.
//!
//! Bounds saturate: a deadline a million years ahead is "never", a window reaching before the
//! earliest representable instant covers all of time. Every comparison drscan makes with such
//! a bound keeps its meaning when the bound saturates.

use chrono::{DateTime, NaiveDate, Offset, TimeDelta, TimeZone, Utc};

pub(crate) const SECONDS_PER_MINUTE: u64 = 60;
pub(crate) const SECONDS_PER_DAY: u64 = 86_400;

/// A `TimeDelta` of `seconds`, saturating at chrono's largest (about 292 million years).
pub(crate) fn delta(seconds: u64) -> TimeDelta {
    i64::try_from(seconds).ok().and_then(TimeDelta::try_seconds).unwrap_or(TimeDelta::MAX)
}

/// `at` plus `seconds`, saturating at the latest representable instant.
pub(crate) fn after(at: DateTime<Utc>, seconds: u64) -> DateTime<Utc> {
    at.checked_add_signed(delta(seconds)).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `at` minus `seconds`, saturating at the earliest representable instant.
pub(crate) fn before(at: DateTime<Utc>, seconds: u64) -> DateTime<Utc> {
    at.checked_sub_signed(delta(seconds)).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Whole seconds from `from` to `to`; 0 when `to` is not later. (Any two representable
/// instants are less than 2^44 seconds apart, so the difference itself cannot overflow.)
pub(crate) fn seconds_between(from: DateTime<Utc>, to: DateTime<Utc>) -> u64 {
    u64::try_from(to.signed_duration_since(from).num_seconds()).unwrap_or(0)
}

/// The calendar date of `at` in `tz`, or `None` at the ends of the calendar, where the local
/// time would fall outside what chrono represents (`with_timezone(..).date_naive()` panics).
pub(crate) fn local_date<Tz: TimeZone>(at: DateTime<Utc>, tz: &Tz) -> Option<NaiveDate> {
    let offset = tz.offset_from_utc_datetime(&at.naive_utc()).fix();
    at.naive_utc().checked_add_offset(offset).map(|local| local.date())
}

/// `minutes` in seconds (cannot overflow: a `u32` of minutes fits a `u64` of seconds).
pub(crate) fn minutes(minutes: u32) -> u64 {
    u64::from(minutes) * SECONDS_PER_MINUTE
}

/// `days` in seconds (cannot overflow, as for [`minutes`]).
pub(crate) fn days(days: u32) -> u64 {
    u64::from(days) * SECONDS_PER_DAY
}

/// A count of `unit_seconds`-long units in seconds, or `None` when it exceeds `u64`.
pub(crate) fn units(count: u64, unit_seconds: u64) -> Option<u64> {
    count.checked_mul(unit_seconds)
}

/// `seconds` (a float, as rates give them) as a `Duration`, saturating: a wait at a rate of
/// one request per 10^30 s is "forever" (`Duration::MAX`, which the run deadline cuts short),
/// and NaN or a negative amount is no wait. (`Duration::from_secs_f64` panics on all three.)
pub(crate) fn from_seconds_f64(seconds: f64) -> std::time::Duration {
    if seconds.is_nan() || seconds <= 0.0 {
        std::time::Duration::ZERO
    } else {
        std::time::Duration::try_from_secs_f64(seconds).unwrap_or(std::time::Duration::MAX)
    }
}

/// The instant `timeout` after `now`. A timeout beyond a century is treated as a century:
/// "no deadline" for any run, and far from where adding to the clock could overflow.
pub(crate) fn deadline(now: tokio::time::Instant, timeout: std::time::Duration) -> tokio::time::Instant {
    const CENTURY: std::time::Duration = std::time::Duration::from_secs(100 * 365 * SECONDS_PER_DAY);
    now + timeout.min(CENTURY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn noon() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).single().expect("valid time")
    }

    #[test]
    fn ordinary_values_are_exact() {
        assert_eq!(after(noon(), 3600), Utc.with_ymd_and_hms(2026, 11, 26, 13, 0, 0).unwrap());
        assert_eq!(before(noon(), 86_400), Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap());
        assert_eq!(seconds_between(before(noon(), 90), noon()), 90);
        assert_eq!(seconds_between(noon(), before(noon(), 90)), 0);
    }

    #[test]
    fn extreme_values_saturate_instead_of_panicking() {
        let million_years = 1_000_000 * 365 * SECONDS_PER_DAY;
        assert_eq!(after(noon(), million_years), DateTime::<Utc>::MAX_UTC);
        assert_eq!(before(noon(), million_years), DateTime::<Utc>::MIN_UTC);
        assert_eq!(after(noon(), u64::MAX), DateTime::<Utc>::MAX_UTC);
        assert_eq!(before(DateTime::<Utc>::MIN_UTC, 1), DateTime::<Utc>::MIN_UTC);
        assert_eq!(delta(u64::MAX), TimeDelta::MAX);
        // chrono spans about ±262,000 years: the widest difference still fits.
        assert!(seconds_between(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC) > million_years / 2);
        assert_eq!(units(u64::MAX / 2, 60), None);
        assert_eq!(days(u32::MAX), u64::from(u32::MAX) * SECONDS_PER_DAY);
        assert_eq!(from_seconds_f64(1e30), std::time::Duration::MAX);
        assert_eq!(from_seconds_f64(f64::INFINITY), std::time::Duration::MAX);
        assert_eq!(from_seconds_f64(f64::NAN), std::time::Duration::ZERO);
        assert_eq!(from_seconds_f64(-1.0), std::time::Duration::ZERO);
        assert_eq!(from_seconds_f64(1.5), std::time::Duration::from_millis(1500));
    }
}
