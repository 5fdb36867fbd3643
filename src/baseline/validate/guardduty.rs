//! `[guardduty]`: the detector's settings and features, and `[guardduty.finding_alerts]`.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;
use toml::de::DeValue;

use super::super::catalog;
use super::super::raw::{RawFindingAlerts, RawGuardDuty};
use super::super::{FindingAlerts, GuardDuty};
use super::checks::Checks;
use super::sections::{Sections, Written};

/// GuardDuty's severity scale: low 1 to 3.9, medium 4 to 6.9, high 7 to 8.9, critical 9 to 10.
const SEVERITY_BANDS: &str = "GuardDuty rates findings from 1 to 10: low 1 to 3.9, medium 4 to 6.9, high 7 to 8.9, critical 9 to 10";

pub(super) fn read(checks: &mut Checks<'_>, written: Written<'_>, sections: &mut Sections) {
    sections.finding_alerts_span = subtable_span(written.value.as_ref(), "finding_alerts");
    sections.guardduty = checks.declared(written, Checks::guardduty);
}

/// The place of `key` in a section as written, for an error about it as a whole.
pub(super) fn subtable_span(
    section: Option<&Spanned<DeValue<'_>>>,
    key: &str,
) -> Option<Range<usize>> {
    match section?.get_ref() {
        DeValue::Table(table) => table
            .iter()
            .find(|(name, _)| name.get_ref() == key)
            .map(|(_, value)| value.span()),
        _ => None,
    }
}

impl Checks<'_> {
    fn guardduty(&mut self, raw: RawGuardDuty) -> Option<GuardDuty> {
        let mut valid = true;
        let frequency = match &raw.finding_publishing_frequency {
            Some(value) => {
                valid &= self.one_of(
                    value,
                    "finding publishing frequency",
                    catalog::FINDING_PUBLISHING_FREQUENCIES,
                );
                value.get_ref().clone()
            }
            None => "FIFTEEN_MINUTES".to_owned(),
        };
        let mut features = BTreeMap::new();
        for (name, enabled) in raw.features {
            let (included, includer) = catalog::RUNTIME_MONITORING_INCLUDES;
            if name.get_ref() == included {
                self.error(
                    name.span(),
                    format!("GuardDuty feature `{included}` is part of `{includer}`"),
                    format!(
                        "name `{includer}`: it covers EKS, ECS and EC2, and GuardDuty refuses the two in one call"
                    ),
                );
                valid = false;
                continue;
            }
            valid &= self.one_of(&name, "GuardDuty feature", catalog::GUARDDUTY_FEATURES);
            features.insert(name.into_inner(), enabled);
        }
        let before = self.problems.len();
        let finding_alerts = raw.finding_alerts.and_then(|raw| self.finding_alerts(raw));
        valid &= self.problems.len() == before;
        valid.then_some(GuardDuty {
            finding_publishing_frequency: frequency,
            features,
            finding_alerts,
        })
    }

    fn finding_alerts(&mut self, raw: RawFindingAlerts) -> Option<FindingAlerts> {
        let before = self.problems.len();
        let rule_name = self.aws_name(
            raw.rule_name,
            "watchpost-guardduty-findings",
            "EventBridge rule name",
            64,
            "._-",
        );
        let min_severity = match raw.min_severity {
            None => 7.0,
            Some(value) => {
                let severity = *value.get_ref();
                if !(1.0..=10.0).contains(&severity) {
                    self.error(
                        value.span(),
                        format!("min_severity = {severity} is not a GuardDuty severity"),
                        format!("{SEVERITY_BANDS}; 7 sends high and critical findings"),
                    );
                }
                severity
            }
        };
        (self.problems.len() == before).then_some(FindingAlerts {
            rule_name,
            min_severity,
        })
    }
}
