//! `[security_hub]`: AWS Security Hub CSPM in every region in scope with the standards named
//! (CIS 5.16). A name Security Hub does not know is refused here rather than by
//! `BatchEnableStandards` halfway through an apply.

use toml::Spanned;

use super::super::diagnostic::suggest;
use super::super::raw::{RawHubFindingAlerts, RawSecurityHub};
use super::super::{HUB_SEVERITY_LABELS, HubFindingAlerts, SecurityHub};
use super::checks::Checks;
use super::guardduty::subtable_span;
use super::sections::{Sections, Written};
use crate::model::{KNOWN_STANDARDS, StandardName};

/// What a baseline that names no standards enables: the benchmark this tool's baseline follows,
/// and AWS's own best practices.
const DEFAULT_STANDARDS: [&str; 2] = [
    "cis-aws-foundations-benchmark",
    "aws-foundational-security-best-practices",
];

pub(super) fn read(checks: &mut Checks<'_>, written: Written<'_>, sections: &mut Sections) {
    sections.hub_finding_alerts_span = subtable_span(written.value.as_ref(), "finding_alerts");
    sections.security_hub = checks.declared(written, Checks::security_hub);
}

impl Checks<'_> {
    fn security_hub(&mut self, raw: RawSecurityHub) -> Option<SecurityHub> {
        let before = self.problems.len();
        let standards = match raw.standards {
            Some(named) => {
                let mut standards: Vec<StandardName> = named
                    .into_iter()
                    .filter_map(|standard| self.standard(standard))
                    .collect();
                standards.sort();
                standards.dedup();
                standards
            }
            None => DEFAULT_STANDARDS
                .map(|name| StandardName {
                    name: name.to_owned(),
                    version: None,
                })
                .into(),
        };
        let finding_alerts = raw
            .finding_alerts
            .map(|alerts| self.hub_finding_alerts(alerts));
        (self.problems.len() == before).then_some(SecurityHub {
            standards,
            aggregate_findings: raw.aggregate_findings.unwrap_or(true),
            finding_alerts,
        })
    }

    fn hub_finding_alerts(&mut self, raw: RawHubFindingAlerts) -> HubFindingAlerts {
        let rule_name = self.aws_name(
            raw.rule_name,
            "watchpost-securityhub-findings",
            "EventBridge rule name",
            64,
            "._-",
        );
        let min_severity = match raw.min_severity {
            None => "HIGH".to_owned(),
            Some(label) => {
                self.one_of(&label, "min_severity", &HUB_SEVERITY_LABELS);
                label.into_inner()
            }
        };
        HubFindingAlerts {
            rule_name,
            min_severity,
        }
    }

    /// `NAME` or `NAME/v/VERSION`, as the standard's ARN ends.
    fn standard(&mut self, written: Spanned<String>) -> Option<StandardName> {
        let text = written.get_ref();
        let (name, version) = match text.split_once("/v/") {
            Some((name, version)) => (name, Some(version)),
            None => (text.as_str(), None),
        };
        if !KNOWN_STANDARDS.iter().any(|(known, _)| *known == name) {
            let hint = suggest(name, KNOWN_STANDARDS.iter().map(|(known, _)| *known));
            self.error(
                written.span(),
                format!("`{name}` is not a Security Hub standard"),
                hint,
            );
            return None;
        }
        if let Some(version) = version
            && !is_version(version)
        {
            self.error(
                written.span(),
                format!("`{version}` is not a version of {name}"),
                format!("write it as its ARN ends, such as \"{name}/v/1.0.0\", or leave the version out for the latest"),
            );
            return None;
        }
        Some(StandardName {
            name: name.to_owned(),
            version: version.map(str::to_owned),
        })
    }
}

fn is_version(text: &str) -> bool {
    text.split('.')
        .all(|part| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::super::tests::{SCOPE, only_problem};
    use crate::model::StandardName;

    #[test]
    fn the_hub_checks_cis_and_aws_best_practices_and_aggregates_unless_told_otherwise() {
        let hub = parse(&format!("{SCOPE}[security_hub]\n"))
            .unwrap()
            .security_hub
            .unwrap();
        let names: Vec<&str> = hub.standards.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "cis-aws-foundations-benchmark",
                "aws-foundational-security-best-practices"
            ]
        );
        assert!(hub.standards.iter().all(|s| s.version.is_none()));
        assert!(hub.aggregate_findings);
    }

    #[test]
    fn a_standard_may_be_pinned_to_a_version() {
        let hub = parse(&format!(
            "{SCOPE}[security_hub]\nstandards = [\"cis-aws-foundations-benchmark/v/3.0.0\"]\naggregate_findings = false\n"
        ))
        .unwrap()
        .security_hub
        .unwrap();
        assert_eq!(
            hub.standards,
            [StandardName {
                name: "cis-aws-foundations-benchmark".to_owned(),
                version: Some("3.0.0".to_owned())
            }]
        );
        assert!(!hub.aggregate_findings);
    }

    #[test]
    fn finding_alerts_send_high_and_critical_unless_told_and_need_alerts() {
        let with = |settings: &str| {
            format!(
                "{SCOPE}[alerts]\nemails = [\"a@example.com\"]\n[security_hub.finding_alerts]\n{settings}"
            )
        };
        let alerts = parse(&with(""))
            .unwrap()
            .security_hub
            .unwrap()
            .finding_alerts
            .unwrap();
        assert_eq!(alerts.rule_name, "watchpost-securityhub-findings");
        assert_eq!(alerts.labels(), ["HIGH", "CRITICAL"]);
        assert_eq!(
            only_problem(&with("min_severity = \"SEVERE\"")).1,
            "\"SEVERE\""
        );
        assert_eq!(
            only_problem(&format!("{SCOPE}[security_hub.finding_alerts]\n")).0,
            "[security_hub.finding_alerts] needs [alerts] (add [alerts] with emails = [\"security@example.com\"]: it is where the findings go)"
        );
    }

    #[test]
    fn an_unknown_standard_or_version_is_named_with_the_fix() {
        let with = |standards: &str| format!("{SCOPE}[security_hub]\nstandards = [{standards}]\n");
        assert_eq!(
            only_problem(&with("\"cis-aws-foundation-benchmark\"")),
            (
                "`cis-aws-foundation-benchmark` is not a Security Hub standard (did you mean \"cis-aws-foundations-benchmark\"?)".to_owned(),
                "\"cis-aws-foundation-benchmark\""
            )
        );
        assert_eq!(
            only_problem(&with("\"pci-dss/v/latest\"")).0,
            "`latest` is not a version of pci-dss (write it as its ARN ends, such as \"pci-dss/v/1.0.0\", or leave the version out for the latest)"
        );
    }
}
