//! The one way drscan writes a duration for people — in text output, finding messages, estimate
//! sources, the JSON messages, and the HTML and Markdown reports.
//!
//! Durations are written as `drscan.toml` and the flags read them (`45s`, `1m 30s`, `1h 18m`,
//! `1d 2h`), so a value can be pasted back into a target. At most two units are shown; the rest
//! is rounded *up*, never down: a recovery time or data loss is never shown smaller than it
//! is (an RPO of 1 d 1 h 31 m 35 s is `1d 2h`, not `1d 1h`).

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// Units from the largest, with their suffixes.
const UNITS: [(u64, &str); 4] = [(DAY, "d"), (HOUR, "h"), (MINUTE, "m"), (1, "s")];

/// `90` → `1m 30s`; `4650` → `1h 18m` (1 h 17 min 30 s, rounded up); `91_895` → `1d 2h`.
pub fn text(seconds: u64) -> String {
    if seconds == 0 {
        return "0s".to_string();
    }
    let rounded = round_up(seconds);
    let largest = UNITS.iter().position(|(size, _)| rounded >= *size).unwrap_or(UNITS.len() - 1);
    UNITS[largest..]
        .iter()
        .take(2)
        .scan(rounded, |rest, (size, suffix)| {
            let count = *rest / size;
            *rest %= size;
            Some((count, suffix))
        })
        .filter(|(count, _)| *count > 0)
        .map(|(count, suffix)| format!("{count}{suffix}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Round up to the resolution the largest unit allows (the next smaller unit). Rounding can
/// carry into a larger unit (23 h 59 m 30 s → 1 d), so it repeats until nothing changes.
fn round_up(seconds: u64) -> u64 {
    let mut value = seconds;
    loop {
        let resolution = match UNITS.iter().position(|(size, _)| value >= *size) {
            Some(largest) if largest + 1 < UNITS.len() => UNITS[largest + 1].0,
            _ => 1,
        };
        let rounded = value.div_ceil(resolution).saturating_mul(resolution);
        if rounded == value {
            return value;
        }
        value = rounded;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_units_at_most_rounded_up() {
        assert_eq!(text(0), "0s");
        assert_eq!(text(45), "45s");
        assert_eq!(text(60), "1m");
        assert_eq!(text(90), "1m 30s");
        assert_eq!(text(3600), "1h");
        assert_eq!(text(3601), "1h 1m");
        assert_eq!(text(4650), "1h 18m");
        assert_eq!(text(93_600), "1d 2h");
        assert_eq!(text(86_400 + 5 * 60), "1d 1h");
    }

    /// Regression (issue 12): an RPO of 1 d 1 h 31 m 35 s was shown as "1 d 1 h".
    #[test]
    fn a_recovery_point_is_never_shown_smaller_than_it_is() {
        assert_eq!(text(DAY + HOUR + 31 * MINUTE + 35), "1d 2h");
    }

    #[test]
    fn rounding_carries_into_the_next_unit() {
        assert_eq!(text(DAY - 30), "1d");
        assert_eq!(text(HOUR - 1), "59m 59s");
        assert_eq!(text(2 * HOUR - 1), "2h");
    }

    #[test]
    fn what_is_written_reads_back_as_at_least_the_value() {
        for seconds in [1, 59, 61, 3599, 3661, 86_399, 90_061, 1_000_000] {
            let written = text(seconds);
            let read = crate::parse::duration_seconds(&written).expect("drscan reads its own durations");
            assert!(read >= seconds, "{seconds} s written as {written} reads back as {read} s");
        }
    }
}
