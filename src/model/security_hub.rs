//! AWS Security Hub CSPM: the hub of each region with the security standards it checks the
//! account against, and the finding aggregator that brings the findings of the other regions
//! into the home region.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{FieldChange, FieldDiff};

/// The standards watchpost knows, by the name their ARNs carry, with the versions Security Hub
/// offered when this table was written, oldest first (Security Hub User Guide, "Standards
/// reference"). A region's own offer, read with `DescribeStandards` once its hub is enabled,
/// comes first: this table is what a plan goes by before that, and what `validate` checks names
/// against.
pub const KNOWN_STANDARDS: &[(&str, &[&str])] = &[
    ("aws-foundational-security-best-practices", &["1.0.0"]),
    (
        "cis-aws-foundations-benchmark",
        &["1.2.0", "1.4.0", "3.0.0", "5.0.0"],
    ),
    ("nist-800-53", &["5.0.0"]),
    ("nist-800-171", &["2.0.0"]),
    ("pci-dss", &["3.2.1", "4.0.1"]),
    ("aws-resource-tagging-standard", &["1.0.0"]),
];

/// A standard as the baseline names it: a name of [`KNOWN_STANDARDS`], and a version when
/// pinned (else the latest the region offers).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct StandardName {
    pub name: String,
    pub version: Option<String>,
}

/// The ARN of a standard in a region. CIS v1.2.0, the first standard Security Hub had, keeps
/// its older partition-wide `ruleset` form.
pub fn standard_arn(partition: &str, region: &str, name: &str, version: &str) -> String {
    match (name, version) {
        ("cis-aws-foundations-benchmark", "1.2.0") => {
            format!("arn:{partition}:securityhub:::ruleset/{name}/v/{version}")
        }
        _ => format!("arn:{partition}:securityhub:{region}::standards/{name}/v/{version}"),
    }
}

/// The name and version a standard's ARN carries, in either form.
pub fn standard_of_arn(arn: &str) -> Option<(&str, &str)> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let path = resource
        .strip_prefix("standards/")
        .or_else(|| resource.strip_prefix("ruleset/"))?;
    path.split_once("/v/")
}

/// Orders version numbers part by part as numbers, so that 10.0.0 comes after 5.0.0.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let parts = |version: &str| -> Vec<u64> {
        version
            .split('.')
            .map(|part| part.parse().unwrap_or(0))
            .collect()
    };
    parts(a).cmp(&parts(b))
}

/// The ARN the baseline's standard stands for in `region`: the version pinned, else the latest
/// among `offered` (the region's `DescribeStandards`), else the latest of [`KNOWN_STANDARDS`].
pub fn resolve_standard(
    standard: &StandardName,
    offered: &[String],
    partition: &str,
    region: &str,
) -> String {
    if let Some(version) = &standard.version {
        return standard_arn(partition, region, &standard.name, version);
    }
    let latest_offered = offered
        .iter()
        .filter_map(|arn| standard_of_arn(arn).map(|(name, version)| (name, version, arn)))
        .filter(|(name, _, _)| *name == standard.name)
        .max_by(|a, b| compare_versions(a.1, b.1));
    if let Some((_, _, arn)) = latest_offered {
        return arn.clone();
    }
    let known_latest = KNOWN_STANDARDS
        .iter()
        .find(|(name, _)| *name == standard.name)
        .and_then(|(_, versions)| versions.last())
        .copied()
        .unwrap_or("1.0.0");
    standard_arn(partition, region, &standard.name, known_latest)
}

/// Security Hub enabled in one region, and the standards enabled there (their ARNs). The
/// desired side holds every live standard too: watchpost enables what the baseline names and
/// never disables a standard someone else chose.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecurityHubSpec {
    pub standards: BTreeSet<String>,
    /// Observed only: the standards the region offers (`DescribeStandards`), from which the
    /// planner takes the latest version of a standard named without one.
    #[serde(skip)]
    pub offered: Vec<String>,
    /// Observed only: the standards Security Hub could not set up (`INCOMPLETE`, `FAILED`), with
    /// their status and its reason, for the plan's notes and `status`. A `PENDING` one is still
    /// being set up and is not among them.
    #[serde(skip)]
    pub not_ready: Vec<(String, String)>,
}

impl SecurityHubSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field("standards", &self.standards, &live.standards);
        diff.finish()
    }
}

/// The account's finding aggregator (cross-Region aggregation), made in the region its findings
/// are aggregated into: which regions it links, and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FindingAggregatorSpec {
    /// `ALL_REGIONS`, `ALL_REGIONS_EXCEPT_SPECIFIED`, `SPECIFIED_REGIONS` or `NO_REGIONS`.
    pub region_linking_mode: String,
    /// The regions linked (`SPECIFIED_REGIONS`) or left out (`ALL_REGIONS_EXCEPT_SPECIFIED`).
    pub regions: BTreeSet<String>,
    /// Observed only: where the findings are aggregated, which is where the aggregator was made.
    #[serde(skip)]
    pub aggregation_region: String,
}

impl FindingAggregatorSpec {
    pub fn changes_from(&self, live: &Self) -> Vec<FieldChange> {
        let mut diff = FieldDiff::default();
        diff.field(
            "region_linking_mode",
            &self.region_linking_mode,
            &live.region_linking_mode,
        );
        diff.field("regions", &self.regions, &live.regions);
        diff.finish()
    }

    /// Whether the findings of `region` are aggregated (the aggregation region's own are there
    /// already).
    pub fn links(&self, region: &str) -> bool {
        let named = self.regions.iter().any(|r| r == region);
        region == self.aggregation_region
            || match self.region_linking_mode.as_str() {
                "ALL_REGIONS" => true,
                "ALL_REGIONS_EXCEPT_SPECIFIED" => !named,
                "SPECIFIED_REGIONS" => named,
                _ => false,
            }
    }

    /// The aggregator that links `linked` too, changing as little of `self` as that takes: an
    /// aggregator someone set up is widened, never narrowed.
    pub fn linking(&self, linked: &BTreeSet<String>) -> FindingAggregatorSpec {
        let (mode, regions) = match self.region_linking_mode.as_str() {
            "ALL_REGIONS" => ("ALL_REGIONS", BTreeSet::new()),
            "ALL_REGIONS_EXCEPT_SPECIFIED" => {
                let excepted: BTreeSet<String> = self.regions.difference(linked).cloned().collect();
                match excepted.is_empty() {
                    true => ("ALL_REGIONS", BTreeSet::new()),
                    false => ("ALL_REGIONS_EXCEPT_SPECIFIED", excepted),
                }
            }
            _ => {
                let specified: BTreeSet<String> = self.regions.union(linked).cloned().collect();
                match specified.is_empty() {
                    true => ("NO_REGIONS", BTreeSet::new()),
                    false => ("SPECIFIED_REGIONS", specified),
                }
            }
        };
        FindingAggregatorSpec {
            region_linking_mode: mode.to_owned(),
            regions,
            aggregation_region: self.aggregation_region.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(regions: &[&str]) -> BTreeSet<String> {
        regions.iter().map(|region| (*region).to_owned()).collect()
    }

    fn aggregator(mode: &str, regions: &[&str]) -> FindingAggregatorSpec {
        FindingAggregatorSpec {
            region_linking_mode: mode.to_owned(),
            regions: set(regions),
            aggregation_region: "us-east-1".to_owned(),
        }
    }

    #[test]
    fn a_standard_named_without_a_version_is_the_latest_the_region_offers() {
        let cis = StandardName {
            name: "cis-aws-foundations-benchmark".to_owned(),
            version: None,
        };
        let offered = [
            "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0",
            "arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/10.0.0",
            "arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/5.0.0",
            "arn:aws:securityhub:eu-west-1::standards/pci-dss/v/4.0.1",
        ]
        .map(str::to_owned);
        assert_eq!(
            resolve_standard(&cis, &offered, "aws", "eu-west-1"),
            "arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/10.0.0"
        );
        assert_eq!(
            resolve_standard(&cis, &[], "aws", "eu-west-1"),
            "arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/5.0.0",
            "before the region's offer is read, the latest watchpost knows"
        );
        let pinned = StandardName {
            version: Some("1.2.0".to_owned()),
            ..cis
        };
        assert_eq!(
            resolve_standard(&pinned, &offered, "aws-cn", "cn-north-1"),
            "arn:aws-cn:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"
        );
    }

    #[test]
    fn both_forms_of_a_standards_arn_are_read() {
        assert_eq!(
            standard_of_arn("arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"),
            Some(("cis-aws-foundations-benchmark", "1.2.0"))
        );
        assert_eq!(
            standard_of_arn(
                "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0"
            ),
            Some(("aws-foundational-security-best-practices", "1.0.0"))
        );
        assert_eq!(
            standard_of_arn("arn:aws:securityhub:us-east-1:1:hub/default"),
            None
        );
    }

    #[test]
    fn an_aggregator_links_the_regions_its_mode_names() {
        let linked = |mode: &str, regions: &[&str]| {
            ["us-east-1", "eu-west-1", "ap-south-1"]
                .into_iter()
                .filter(|region| aggregator(mode, regions).links(region))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            linked("ALL_REGIONS", &[]),
            ["us-east-1", "eu-west-1", "ap-south-1"]
        );
        assert_eq!(
            linked("ALL_REGIONS_EXCEPT_SPECIFIED", &["eu-west-1"]),
            ["us-east-1", "ap-south-1"]
        );
        assert_eq!(
            linked("SPECIFIED_REGIONS", &["ap-south-1"]),
            ["us-east-1", "ap-south-1"]
        );
        assert_eq!(linked("NO_REGIONS", &[]), ["us-east-1"]);
    }

    #[test]
    fn an_aggregator_is_widened_to_the_regions_wanted_never_narrowed() {
        let wanted = set(&["eu-west-1", "us-west-2"]);
        assert_eq!(
            aggregator("SPECIFIED_REGIONS", &["ap-south-1", "eu-west-1"]).linking(&wanted),
            aggregator(
                "SPECIFIED_REGIONS",
                &["ap-south-1", "eu-west-1", "us-west-2"]
            )
        );
        assert_eq!(
            aggregator("ALL_REGIONS", &[]).linking(&wanted),
            aggregator("ALL_REGIONS", &[])
        );
        assert_eq!(
            aggregator("ALL_REGIONS_EXCEPT_SPECIFIED", &["eu-west-1", "sa-east-1"])
                .linking(&wanted),
            aggregator("ALL_REGIONS_EXCEPT_SPECIFIED", &["sa-east-1"])
        );
        assert_eq!(
            aggregator("ALL_REGIONS_EXCEPT_SPECIFIED", &["eu-west-1"]).linking(&wanted),
            aggregator("ALL_REGIONS", &[])
        );
        assert_eq!(
            aggregator("NO_REGIONS", &[]).linking(&wanted),
            aggregator("SPECIFIED_REGIONS", &["eu-west-1", "us-west-2"])
        );
        assert_eq!(
            aggregator("NO_REGIONS", &[]).linking(&BTreeSet::new()),
            aggregator("NO_REGIONS", &[])
        );
    }
}
