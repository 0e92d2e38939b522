//! AWS Backup schedule expressions — `cron(Minutes Hours Day-of-month Month Day-of-week Year)`
//! and `rate(N unit)` — and the worst gap between consecutive runs over one year, evaluated in
//! the rule's IANA timezone (SPEC §5 `backup-frequency-exceeds-rpo`, SPEC §6 RPO).
//!
//! The cron dialect is the one AWS Backup shares with EventBridge: six fields; `?` in one of
//! day-of-month and day-of-week; `*`, `,`, `-`, `/`; `L` (last day of the month, or `5L` the
//! last Thursday); `W` (`15W` the weekday nearest the 15th, `LW` the last weekday); `#` (`6#3`
//! the third Friday); day-of-week 1–7 is SUN–SAT; month and day names are accepted.
//! Reference: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use std::fmt;

/// A parsed schedule expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    Cron(Box<Cron>),
    /// `rate(N minutes|hours|days)`, in seconds.
    Rate(u64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: Vec<u32>,
    hours: Vec<u32>,
    days: DaySpec,
    months: [bool; 13],
    /// `None` is `*`: every year.
    years: Option<Vec<i32>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum DaySpec {
    Every,
    OfMonth(Vec<MonthDay>),
    OfWeek(Vec<WeekDay>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MonthDay {
    Day(u32),
    Last,
    /// `L-n`: n days before the last day.
    LastMinus(u32),
    NearestWeekday(u32),
    LastWeekday,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WeekDay {
    /// 1 = Sunday … 7 = Saturday.
    Day(u32),
    LastOfMonth(u32),
    Nth(u32, u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleError(pub String);

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(message: impl Into<String>) -> Result<T, ScheduleError> {
    Err(ScheduleError(message.into()))
}

impl Schedule {
    pub fn parse(expression: &str) -> Result<Schedule, ScheduleError> {
        let text = expression.trim();
        if let Some(body) = text.strip_prefix("cron(").and_then(|b| b.strip_suffix(')')) {
            return Cron::parse(body).map(|c| Schedule::Cron(Box::new(c)));
        }
        if let Some(body) = text.strip_prefix("rate(").and_then(|b| b.strip_suffix(')')) {
            return parse_rate(body).map(Schedule::Rate);
        }
        err(format!("`{text}` is neither cron(...) nor rate(...)"))
    }
}

fn parse_rate(body: &str) -> Result<u64, ScheduleError> {
    let mut parts = body.split_whitespace();
    let (Some(value), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return err(format!("rate({body}) must be `rate(value unit)`"));
    };
    let value: u64 =
        value.parse().map_err(|_| ScheduleError(format!("rate value `{value}` is not a number")))?;
    if value == 0 {
        return err("rate value must be positive");
    }
    let unit_seconds = match unit {
        "minute" | "minutes" => crate::time::SECONDS_PER_MINUTE,
        "hour" | "hours" => 3600,
        "day" | "days" => crate::time::SECONDS_PER_DAY,
        other => return err(format!("rate unit `{other}` (expected minutes, hours or days)")),
    };
    crate::time::units(value, unit_seconds).ok_or_else(|| ScheduleError(format!("rate({body}) is too long")))
}

const MONTHS: [&str; 12] =
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

impl Cron {
    fn parse(body: &str) -> Result<Cron, ScheduleError> {
        let fields: Vec<&str> = body.split_whitespace().collect();
        let [minutes, hours, dom, month, dow, year] = fields.as_slice() else {
            return err(format!(
                "cron needs 6 fields (minutes hours day-of-month month day-of-week year), got {}",
                fields.len()
            ));
        };
        let minutes = values(minutes, 0, 59, &[], "minutes")?;
        let hours = values(hours, 0, 23, &[], "hours")?;
        let mut months = [false; 13];
        for m in values(month, 1, 12, &MONTHS, "month")? {
            months[m as usize] = true;
        }
        let years = match *year {
            "*" => None,
            y => Some(values(y, 1970, 2199, &[], "year")?.into_iter().map(|v| v as i32).collect()),
        };
        let days = match (*dom, *dow) {
            ("?", "?") => return err("only one of day-of-month and day-of-week may be `?`"),
            ("?", "*") | ("*", "?") => DaySpec::Every,
            ("?", dow) => DaySpec::OfWeek(week_days(dow)?),
            (dom, "?") => DaySpec::OfMonth(month_days(dom)?),
            _ => return err("one of day-of-month and day-of-week must be `?`"),
        };
        Ok(Cron { minutes, hours, days, months, years })
    }

    fn matches_date(&self, date: NaiveDate) -> bool {
        if !self.months[date.month() as usize] {
            return false;
        }
        if let Some(years) = &self.years
            && !years.contains(&date.year())
        {
            return false;
        }
        match &self.days {
            DaySpec::Every => true,
            DaySpec::OfMonth(items) => items.iter().any(|d| month_day_matches(*d, date)),
            DaySpec::OfWeek(items) => items.iter().any(|d| week_day_matches(*d, date)),
        }
    }
}

/// Expand one numeric field: `*`, `a`, `a-b`, `*/n`, `a/n`, `a-b/n`, comma lists, and names.
fn values(field: &str, min: u32, max: u32, names: &[&str], what: &str) -> Result<Vec<u32>, ScheduleError> {
    let mut out = Vec::new();
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => {
                let step: u32 = step
                    .parse()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| ScheduleError(format!("{what}: bad step in `{item}`")))?;
                (range, step)
            }
            None => (item, 1),
        };
        let (start, end) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a, min, max, names, what)?, value(b, min, max, names, what)?)
        } else {
            let v = value(range, min, max, names, what)?;
            // `a/n` runs from a to the end of the range.
            (v, if item.contains('/') { max } else { v })
        };
        if start > end {
            return err(format!("{what}: range `{range}` runs backwards"));
        }
        out.extend((start..=end).step_by(step as usize));
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

fn value(text: &str, min: u32, max: u32, names: &[&str], what: &str) -> Result<u32, ScheduleError> {
    let upper = text.to_ascii_uppercase();
    let parsed = match names.iter().position(|n| *n == upper) {
        Some(i) => i as u32 + min,
        None => text.parse().map_err(|_| ScheduleError(format!("{what}: `{text}` is not a value")))?,
    };
    if !(min..=max).contains(&parsed) {
        return err(format!("{what}: {parsed} is outside {min}-{max}"));
    }
    Ok(parsed)
}

fn month_days(field: &str) -> Result<Vec<MonthDay>, ScheduleError> {
    let mut out = Vec::new();
    for item in field.split(',') {
        let upper = item.to_ascii_uppercase();
        if upper == "L" {
            out.push(MonthDay::Last);
        } else if upper == "LW" {
            out.push(MonthDay::LastWeekday);
        } else if let Some(offset) = upper.strip_prefix("L-") {
            out.push(MonthDay::LastMinus(value(offset, 0, 30, &[], "day-of-month")?));
        } else if let Some(day) = upper.strip_suffix('W') {
            out.push(MonthDay::NearestWeekday(value(day, 1, 31, &[], "day-of-month")?));
        } else {
            out.extend(values(item, 1, 31, &[], "day-of-month")?.into_iter().map(MonthDay::Day));
        }
    }
    Ok(out)
}

fn week_days(field: &str) -> Result<Vec<WeekDay>, ScheduleError> {
    let mut out = Vec::new();
    for item in field.split(',') {
        let upper = item.to_ascii_uppercase();
        if upper == "L" {
            out.push(WeekDay::Day(7));
        } else if let Some(day) = upper.strip_suffix('L') {
            out.push(WeekDay::LastOfMonth(value(day, 1, 7, &WEEKDAYS, "day-of-week")?));
        } else if let Some((day, nth)) = upper.split_once('#') {
            let day = value(day, 1, 7, &WEEKDAYS, "day-of-week")?;
            out.push(WeekDay::Nth(day, value(nth, 1, 5, &[], "day-of-week #")?));
        } else {
            out.extend(values(item, 1, 7, &WEEKDAYS, "day-of-week")?.into_iter().map(WeekDay::Day));
        }
    }
    Ok(out)
}

fn last_day_of_month(date: NaiveDate) -> u32 {
    let (y, m) = if date.month() == 12 { (date.year() + 1, 1) } else { (date.year(), date.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt()).map_or(28, |d| d.day())
}

/// 1 = Sunday … 7 = Saturday, as in AWS cron.
fn aws_weekday(weekday: Weekday) -> u32 {
    weekday.num_days_from_sunday() + 1
}

fn is_weekday(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn month_day_matches(spec: MonthDay, date: NaiveDate) -> bool {
    let last = last_day_of_month(date);
    match spec {
        MonthDay::Day(d) => date.day() == d,
        MonthDay::Last => date.day() == last,
        MonthDay::LastMinus(n) => last.checked_sub(n).is_some_and(|d| date.day() == d),
        MonthDay::LastWeekday => {
            is_weekday(date) && (date.day() + 1..=last).all(|d| !is_weekday(date.with_day(d).unwrap_or(date)))
        }
        MonthDay::NearestWeekday(target) => {
            let target = target.min(last);
            let Some(target_date) = date.with_day(target) else { return false };
            let nearest = match target_date.weekday() {
                // Never crosses into another month: the 1st on a Saturday moves to Monday the 3rd.
                Weekday::Sat if target == 1 => target + 2,
                Weekday::Sat => target - 1,
                Weekday::Sun if target == last => target - 2,
                Weekday::Sun => target + 1,
                _ => target,
            };
            date.day() == nearest
        }
    }
}

fn week_day_matches(spec: WeekDay, date: NaiveDate) -> bool {
    let today = aws_weekday(date.weekday());
    match spec {
        WeekDay::Day(d) => today == d,
        WeekDay::LastOfMonth(d) => today == d && date.day() + 7 > last_day_of_month(date),
        WeekDay::Nth(d, n) => today == d && (date.day() - 1) / 7 + 1 == n,
    }
}

/// The worst interval between the end of one backup opportunity and the next run's latest
/// start, over the year after `from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorstGap {
    /// Largest gap between consecutive runs, in seconds (without any start window).
    Seconds { gap: u64, runs: usize, at: Option<DateTime<Utc>> },
    /// Fewer than two runs in the year: the gap is at least a year.
    Unbounded(String),
}

pub fn timezone(name: Option<&str>) -> Result<Tz, ScheduleError> {
    match name {
        None | Some("") => Ok(Tz::UTC),
        Some(name) => name.parse().map_err(|_| ScheduleError(format!("unknown timezone `{name}`"))),
    }
}

impl Schedule {
    /// Runs of the schedule in `[from, from + 1 year)`, evaluated in `tz`. A local time that
    /// falls into a daylight-saving gap is skipped (the conservative reading); an ambiguous
    /// local time runs once, at its first occurrence.
    pub fn worst_gap(&self, tz: Tz, from: DateTime<Utc>) -> WorstGap {
        match self {
            Schedule::Rate(seconds) => WorstGap::Seconds { gap: *seconds, runs: 0, at: None },
            Schedule::Cron(cron) => cron.worst_gap(tz, from),
        }
    }
}

impl Cron {
    fn worst_gap(&self, tz: Tz, from: DateTime<Utc>) -> WorstGap {
        let until = crate::time::after(from, crate::time::days(365));
        let (Some(start_date), Some(end_date)) =
            (crate::time::local_date(from, &tz), crate::time::local_date(until, &tz))
        else {
            return WorstGap::Unbounded(format!(
                "the year after {from} lies beyond the calendar drscan can evaluate"
            ));
        };
        let mut previous: Option<DateTime<Utc>> = None;
        let mut worst: Option<(u64, DateTime<Utc>)> = None;
        let mut runs = 0usize;
        // One extra day each side covers every timezone offset.
        let mut date = start_date.pred_opt().unwrap_or(start_date);
        let last_date = end_date.succ_opt().unwrap_or(end_date);
        while date <= last_date {
            if self.matches_date(date) {
                for hour in &self.hours {
                    for minute in &self.minutes {
                        let Some(local) = date.and_hms_opt(*hour, *minute, 0) else { continue };
                        let instant = match tz.from_local_datetime(&local) {
                            LocalResult::Single(t) => t.with_timezone(&Utc),
                            LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
                            LocalResult::None => continue,
                        };
                        if instant < from || instant >= until {
                            continue;
                        }
                        runs += 1;
                        if let Some(prev) = previous {
                            let gap = crate::time::seconds_between(prev, instant);
                            if worst.is_none_or(|(w, _)| gap > w) {
                                worst = Some((gap, prev));
                            }
                        }
                        previous = Some(instant);
                    }
                }
            }
            let Some(next) = date.succ_opt() else { break };
            date = next;
        }
        match worst {
            Some((gap, at)) => WorstGap::Seconds { gap, runs, at: Some(at) },
            None if runs == 1 => WorstGap::Unbounded("the schedule runs only once in the next year".into()),
            None => WorstGap::Unbounded("the schedule does not run in the next year".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gap(expression: &str, tz: &str) -> WorstGap {
        let from = Utc.with_ymd_and_hms(2026, 11, 26, 2, 0, 0).single().expect("valid time");
        Schedule::parse(expression).expect("parses").worst_gap(timezone(Some(tz)).expect("tz"), from)
    }

    fn seconds(g: WorstGap) -> u64 {
        match g {
            WorstGap::Seconds { gap, .. } => gap,
            WorstGap::Unbounded(why) => panic!("unbounded: {why}"),
        }
    }

    #[test]
    fn daily_cron_has_a_one_day_gap() {
        assert_eq!(seconds(gap("cron(0 3 * * ? *)", "Asia/Kolkata")), 86_400);
        assert_eq!(seconds(gap("cron(0 5 ? * * *)", "UTC")), 86_400);
    }

    #[test]
    fn daylight_saving_stretches_the_gap() {
        // 02:30 local does not exist on the spring-forward day in New York: that run is skipped.
        assert_eq!(seconds(gap("cron(30 2 * * ? *)", "America/New_York")), 2 * 86_400 - 3600);
        // 01:30 local on the fall-back day is ambiguous: runs once, first occurrence; the
        // following day's gap is 25 h.
        assert_eq!(seconds(gap("cron(30 1 * * ? *)", "America/New_York")), 86_400 + 3600);
    }

    #[test]
    fn lists_ranges_and_steps() {
        assert_eq!(seconds(gap("cron(0 0/6 * * ? *)", "UTC")), 6 * 3600);
        assert_eq!(seconds(gap("cron(0,30 * * * ? *)", "UTC")), 1800);
        // Weekdays only, 08:00: Friday 08:00 → Monday 08:00.
        assert_eq!(seconds(gap("cron(0 8 ? * MON-FRI *)", "UTC")), 3 * 86_400);
        assert_eq!(seconds(gap("cron(0 8 ? * 2-6 *)", "UTC")), 3 * 86_400);
        assert_eq!(seconds(gap("cron(0 12 1,15 * ? *)", "UTC")), 17 * 86_400);
    }

    #[test]
    fn last_weekday_and_nth() {
        // Last day of the month: the longest gap is 31 days (e.g. 31 Dec → 31 Jan).
        assert_eq!(seconds(gap("cron(0 0 L * ? *)", "UTC")), 31 * 86_400);
        // Third Friday of each month: gaps of 4 or 5 weeks.
        assert_eq!(seconds(gap("cron(0 0 ? * 6#3 *)", "UTC")), 35 * 86_400);
        // Last Sunday of the month.
        assert_eq!(seconds(gap("cron(0 0 ? * 1L *)", "UTC")), 35 * 86_400);
        assert_eq!(seconds(gap("cron(0 0 ? * SUN *)", "UTC")), 7 * 86_400);
    }

    #[test]
    fn nearest_weekday() {
        let date = |d| NaiveDate::from_ymd_opt(2026, 8, d).expect("date");
        // 15 Aug 2026 is a Saturday: 15W runs on Friday the 14th.
        assert!(month_day_matches(MonthDay::NearestWeekday(15), date(14)));
        assert!(!month_day_matches(MonthDay::NearestWeekday(15), date(15)));
        // 1 Aug 2026 is a Saturday: 1W runs on Monday the 3rd, never in July.
        assert!(month_day_matches(MonthDay::NearestWeekday(1), date(3)));
        // 31 Aug 2026 is a Monday: LW is the 31st.
        assert!(month_day_matches(MonthDay::LastWeekday, date(31)));
        assert!(!month_day_matches(MonthDay::LastWeekday, date(28)));
        assert!(gap("cron(0 0 LW * ? *)", "UTC") != gap("cron(0 0 L * ? *)", "UTC"));
    }

    #[test]
    fn the_end_of_the_calendar_is_unbounded_not_a_panic() {
        let schedule = Schedule::parse("cron(0 3 * * ? *)").expect("parses");
        let tz = timezone(Some("Pacific/Kiritimati")).expect("tz");
        let last_year = DateTime::<Utc>::MAX_UTC - chrono::TimeDelta::days(100);
        assert!(matches!(schedule.worst_gap(tz, last_year), WorstGap::Unbounded(_)));
        assert!(matches!(schedule.worst_gap(tz, DateTime::<Utc>::MAX_UTC), WorstGap::Unbounded(_)));
    }

    #[test]
    fn years_and_rates() {
        assert!(matches!(gap("cron(0 0 1 1 ? 2027)", "UTC"), WorstGap::Unbounded(_)));
        assert!(matches!(gap("cron(0 0 1 1 ? 2020)", "UTC"), WorstGap::Unbounded(_)));
        assert_eq!(seconds(gap("rate(12 hours)", "UTC")), 12 * 3600);
        assert_eq!(seconds(gap("rate(1 day)", "UTC")), 86_400);
    }

    #[test]
    fn malformed_expressions_are_errors() {
        for bad in [
            "cron(0 3 * * *)",
            "cron(0 3 * * * *)",
            "cron(0 3 ? * ? *)",
            "cron(61 3 * * ? *)",
            "cron(0 3 * FOO ? *)",
            "cron(0 5-3 * * ? *)",
            "rate(0 hours)",
            "rate(5 fortnights)",
            "every day",
        ] {
            assert!(Schedule::parse(bad).is_err(), "{bad} should not parse");
        }
        assert!(timezone(Some("Mars/Olympus")).is_err());
    }
}
