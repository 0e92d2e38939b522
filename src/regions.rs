//! The AWS regions drscan accepts, in one list: every region of the commercial, China, GovCloud,
//! European Sovereign Cloud and ISO partitions, as the AWS SDK's partition table (endpoints
//! rule set, `partitions.json`) names them. `--primary`, `--dr` and drscan.toml's `[regions]`
//! are checked against it, so a typo (`ap-south1`, `AP-SOUTH-1`) is a usage error with near
//! matches instead of an audit of an empty region.

/// One region: its name and where it is, as AWS describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Region {
    pub name: &'static str,
    pub partition: &'static str,
    pub description: &'static str,
}

const fn region(partition: &'static str, name: &'static str, description: &'static str) -> Region {
    Region { name, partition, description }
}

/// Every region drscan knows. A region AWS opens later needs a drscan release that lists it.
pub(crate) const REGIONS: &[Region] = &[
    region("aws", "af-south-1", "Africa (Cape Town)"),
    region("aws", "ap-east-1", "Asia Pacific (Hong Kong)"),
    region("aws", "ap-east-2", "Asia Pacific (Taipei)"),
    region("aws", "ap-northeast-1", "Asia Pacific (Tokyo)"),
    region("aws", "ap-northeast-2", "Asia Pacific (Seoul)"),
    region("aws", "ap-northeast-3", "Asia Pacific (Osaka)"),
    region("aws", "ap-south-1", "Asia Pacific (Mumbai)"),
    region("aws", "ap-south-2", "Asia Pacific (Hyderabad)"),
    region("aws", "ap-southeast-1", "Asia Pacific (Singapore)"),
    region("aws", "ap-southeast-2", "Asia Pacific (Sydney)"),
    region("aws", "ap-southeast-3", "Asia Pacific (Jakarta)"),
    region("aws", "ap-southeast-4", "Asia Pacific (Melbourne)"),
    region("aws", "ap-southeast-5", "Asia Pacific (Malaysia)"),
    region("aws", "ap-southeast-6", "Asia Pacific (New Zealand)"),
    region("aws", "ap-southeast-7", "Asia Pacific (Thailand)"),
    region("aws", "ca-central-1", "Canada (Central)"),
    region("aws", "ca-west-1", "Canada West (Calgary)"),
    region("aws", "eu-central-1", "Europe (Frankfurt)"),
    region("aws", "eu-central-2", "Europe (Zurich)"),
    region("aws", "eu-north-1", "Europe (Stockholm)"),
    region("aws", "eu-south-1", "Europe (Milan)"),
    region("aws", "eu-south-2", "Europe (Spain)"),
    region("aws", "eu-west-1", "Europe (Ireland)"),
    region("aws", "eu-west-2", "Europe (London)"),
    region("aws", "eu-west-3", "Europe (Paris)"),
    region("aws", "il-central-1", "Israel (Tel Aviv)"),
    region("aws", "me-central-1", "Middle East (UAE)"),
    region("aws", "me-south-1", "Middle East (Bahrain)"),
    region("aws", "mx-central-1", "Mexico (Central)"),
    region("aws", "sa-east-1", "South America (Sao Paulo)"),
    region("aws", "us-east-1", "US East (N. Virginia)"),
    region("aws", "us-east-2", "US East (Ohio)"),
    region("aws", "us-west-1", "US West (N. California)"),
    region("aws", "us-west-2", "US West (Oregon)"),
    region("aws-cn", "cn-north-1", "China (Beijing)"),
    region("aws-cn", "cn-northwest-1", "China (Ningxia)"),
    region("aws-us-gov", "us-gov-east-1", "AWS GovCloud (US-East)"),
    region("aws-us-gov", "us-gov-west-1", "AWS GovCloud (US-West)"),
    region("aws-eusc", "eusc-de-east-1", "AWS European Sovereign Cloud (Germany)"),
    region("aws-iso", "us-iso-east-1", "US ISO East"),
    region("aws-iso", "us-iso-west-1", "US ISO West"),
    region("aws-iso-b", "us-isob-east-1", "US ISOB East (Ohio)"),
    region("aws-iso-b", "us-isob-west-1", "US ISOB West"),
    region("aws-iso-e", "eu-isoe-west-1", "EU ISOE West"),
    region("aws-iso-f", "us-isof-east-1", "US ISOF East"),
    region("aws-iso-f", "us-isof-south-1", "US ISOF South"),
];

/// Where a partition's global services live: Route 53's API, and the CloudWatch region where
/// Route 53 publishes its health-check metrics (and where alarms on them must be). The signing
/// regions of aws-sdk-route53's endpoint rules, partition by partition.
pub(crate) fn global_region_of(partition: &str) -> Option<&'static str> {
    Some(match partition {
        "aws" => "us-east-1",
        "aws-cn" => "cn-northwest-1",
        "aws-us-gov" => "us-gov-west-1",
        "aws-eusc" => "eusc-de-east-1",
        "aws-iso" => "us-iso-east-1",
        "aws-iso-b" => "us-isob-east-1",
        "aws-iso-e" => "eu-isoe-west-1",
        "aws-iso-f" => "us-isof-south-1",
        _ => return None,
    })
}

/// The global region of the partition `region` is in (us-east-1 for a region drscan does not
/// know, as for the commercial partition).
pub(crate) fn global_region(region: &str) -> &'static str {
    find(region).and_then(|r| global_region_of(r.partition)).unwrap_or("us-east-1")
}

/// The region named exactly `name`.
pub(crate) fn find(name: &str) -> Option<&'static Region> {
    REGIONS.iter().find(|r| r.name == name)
}

/// `name` if it is a region, else a message naming the nearest regions (for flags and
/// drscan.toml alike).
pub(crate) fn check(name: &str) -> Result<&'static Region, String> {
    let trimmed = name.trim();
    if let Some(region) = find(trimmed) {
        return Ok(region);
    }
    let near = near_matches(trimmed);
    let hint = match near.as_slice() {
        [] => "see `drscan regions` for the regions drscan knows".to_string(),
        [one] => format!("did you mean {one}?"),
        several => format!("did you mean one of {}?", several.join(", ")),
    };
    Err(format!("`{trimmed}` is not an AWS region name: {hint}"))
}

/// Regions close to `name`: the same letters and digits in another case or with other
/// separators (`AP-SOUTH-1`, `ap-south1`, `ap_south_1`) first, then up to three within two
/// edits.
pub(crate) fn near_matches(name: &str) -> Vec<&'static str> {
    let squeezed = squeeze(name);
    let same_letters: Vec<&str> =
        REGIONS.iter().filter(|r| squeeze(r.name) == squeezed).map(|r| r.name).collect();
    if !same_letters.is_empty() {
        return same_letters;
    }
    let lower = name.to_ascii_lowercase();
    let mut close: Vec<(usize, &str)> = REGIONS
        .iter()
        .map(|r| (strsim::levenshtein(&lower, r.name), r.name))
        .filter(|(distance, _)| *distance <= 2)
        .collect();
    close.sort();
    close.into_iter().take(3).map(|(_, name)| name).collect()
}

fn squeeze(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// clap value parser for `--primary` / `--dr`.
pub(crate) fn parse_flag(text: &str) -> Result<String, String> {
    check(text).map(|region| region.name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_partition_has_a_global_region_of_its_own() {
        assert_eq!(global_region("ap-south-1"), "us-east-1");
        assert_eq!(global_region("cn-north-1"), "cn-northwest-1");
        assert_eq!(global_region("us-gov-east-1"), "us-gov-west-1");
        for region in REGIONS {
            let global = global_region_of(region.partition).unwrap_or_else(|| panic!("{}", region.partition));
            assert_eq!(find(global).map(|g| g.partition), Some(region.partition), "{}", region.name);
        }
    }

    #[test]
    fn every_region_is_listed_once() {
        let mut names: Vec<&str> = REGIONS.iter().map(|r| r.name).collect();
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count);
    }

    /// Regression (issue 12): `ap-south1` audited an empty region and `AP-SOUTH-1` was accepted.
    #[test]
    fn typos_are_refused_with_the_region_meant() {
        assert_eq!(check("ap-south-1").map(|r| r.name), Ok("ap-south-1"));
        for typo in ["ap-south1", "AP-SOUTH-1", "ap_south_1"] {
            let message = check(typo).unwrap_err();
            assert!(message.contains("did you mean ap-south-1?"), "{typo}: {message}");
        }
        let message = check("us-east-3").unwrap_err();
        assert!(message.contains("us-east-1") && message.contains("us-east-2"), "{message}");
        assert!(check("mars-north-1").unwrap_err().contains("drscan regions"));
    }

    #[test]
    fn govcloud_and_china_are_regions() {
        for name in ["us-gov-west-1", "us-gov-east-1", "cn-north-1", "cn-northwest-1"] {
            assert!(find(name).is_some(), "{name}");
        }
    }
}
