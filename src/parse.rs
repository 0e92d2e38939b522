//! Values as people write them, on the command line and in drscan.toml: durations (`90s`,
//! `5m`, `1h`), names parsed case-insensitively, non-empty keys. The serde adapters here let
//! each drscan.toml section deserialize straight into the type of the code that reads it, with
//! the same messages as the flags; toml attaches the value's line and column to their errors.

use serde::de::{Deserialize, Deserializer, Error};
use std::fmt::Display;
use std::str::FromStr;

/// Whole seconds of a human duration (`90s`, `5m`, `1h 30m`).
pub(crate) fn duration_seconds(text: &str) -> Result<u64, String> {
    humantime::parse_duration(text.trim())
        .map(|d| d.as_secs())
        .map_err(|e| format!("invalid duration `{text}`: {e} (examples: 90s, 5m, 1h)"))
}

/// serde: a duration written as a string, as whole seconds.
pub(crate) fn seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let text = String::deserialize(deserializer)?;
    duration_seconds(&text).map_err(D::Error::custom)
}

/// serde: an optional duration (absent keys take the section's default).
pub(crate) fn optional_seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    seconds(deserializer).map(Some)
}

/// serde: a calendar day, written `"2026-11-20"` or as a TOML local date (`2026-11-20`).
pub(crate) fn date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<chrono::NaiveDate, D::Error> {
    let text = match toml::Value::deserialize(deserializer)? {
        toml::Value::String(text) => text,
        toml::Value::Datetime(datetime) if datetime.time.is_none() && datetime.offset.is_none() => {
            datetime.to_string()
        }
        other => {
            return Err(D::Error::custom(format!(
                "expected a date (YYYY-MM-DD), found {}",
                other.type_str()
            )));
        }
    };
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|e| D::Error::custom(format!("invalid date `{text}`: {e} (expected YYYY-MM-DD)")))
}

/// A request rate (`5`, `0.5`): a positive number of requests per second.
pub(crate) fn requests_per_second(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) => positive_rate(rate),
        Err(_) => Err(format!("invalid rate `{text}`: expected requests per second, e.g. 5 or 0.5")),
    }
}

fn positive_rate(rate: f64) -> Result<f64, String> {
    if rate.is_finite() && rate > 0.0 {
        Ok(rate)
    } else {
        Err(format!("the rate must be a positive number of requests per second, not {rate}"))
    }
}

/// serde: an optional request rate, written as a number (`max_rps = 5`).
pub(crate) fn optional_rate<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    positive_rate(f64::deserialize(deserializer)?).map(Some).map_err(D::Error::custom)
}

/// serde: a value read through its `FromStr`, so that the file accepts what the flags accept
/// (e.g. severities in any case) and says so in the same words.
pub(crate) fn from_str<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr<Err: Display>,
{
    let text = String::deserialize(deserializer)?;
    text.trim().parse().map_err(D::Error::custom)
}

/// A string that must not be blank (a tag key that is empty matches nothing): the value
/// parser of `--app-tag` and `--ami-pairing-tag`, as [`non_empty`] is of their keys.
pub(crate) fn non_blank(text: &str) -> Result<String, String> {
    if text.trim().is_empty() { Err("must not be empty".to_string()) } else { Ok(text.to_string()) }
}

/// serde: a string that must not be blank, as [`non_blank`].
pub(crate) fn non_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    non_blank(&String::deserialize(deserializer)?).map_err(D::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_positive_numbers() {
        assert_eq!(requests_per_second("5"), Ok(5.0));
        assert_eq!(requests_per_second(" 0.5 "), Ok(0.5));
        for bad in ["0", "-1", "inf", "NaN", "fast"] {
            assert!(requests_per_second(bad).is_err(), "{bad}");
        }
    }

    /// Regression (fuzzer): `--app-tag ""` audited, and `drscan init` then wrote a
    /// drscan.toml whose `tag_key = ""` it refuses to read.
    #[test]
    fn blank_keys_are_refused_by_flag_and_file_alike() {
        assert_eq!(non_blank("app"), Ok("app".to_string()));
        for blank in ["", " ", "\t"] {
            assert!(non_blank(blank).is_err(), "{blank:?}");
        }
    }

    #[test]
    fn durations_are_whole_seconds() {
        assert_eq!(duration_seconds("90s"), Ok(90));
        assert_eq!(duration_seconds(" 1h 30m "), Ok(5400));
        assert!(duration_seconds("soon").unwrap_err().contains("invalid duration `soon`"));
    }
}

/// An IAM role ARN (`arn:<partition>:iam::<12-digit account>:role/<path and name>`): the value
/// parser of the side roles (`--dr-role-arn`, …), as [`role_arns`] is of their keys. The
/// account is what an unassumable role's part of the snapshot is reported under.
pub(crate) fn role_arn(text: &str) -> Result<String, String> {
    let arn = text.trim();
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let well_formed = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "iam"
        && parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts[5].strip_prefix("role/").is_some_and(|name| !name.is_empty());
    if well_formed {
        Ok(arn.to_string())
    } else {
        Err(format!("`{arn}` is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)"))
    }
}

/// serde: an optional role ARN, as [`role_arn`].
pub(crate) fn optional_role_arn<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(deserializer)?
        .map(|text| role_arn(&text).map_err(D::Error::custom))
        .transpose()
}

/// serde: a list of role ARNs, as [`role_arn`].
pub(crate) fn role_arns<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    Vec::<String>::deserialize(deserializer)?
        .iter()
        .map(|text| role_arn(text).map_err(D::Error::custom))
        .collect()
}

#[cfg(test)]
mod role_arn_tests {
    use super::role_arn;

    #[test]
    fn only_iam_role_arns_with_an_account_are_accepted() {
        assert!(role_arn("arn:aws:iam::123456789012:role/drscan").is_ok());
        assert!(role_arn("arn:aws-us-gov:iam::123456789012:role/path/drscan").is_ok());
        assert!(role_arn("arn:aws:iam::12345:role/drscan").is_err());
        assert!(role_arn("arn:aws:iam::123456789012:user/drscan").is_err());
        assert!(role_arn("drscan").is_err());
    }
}
