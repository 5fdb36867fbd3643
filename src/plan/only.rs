//! `--only KIND[/REGION[/NAME]]`: a plan narrowed to part of the baseline, for targeted
//! repairs. Changes it leaves out may be what the rest depends on, hence the warning.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use super::Plan;
use crate::error::Hinted;
use crate::model::{Kind, ResourceId};

#[derive(Clone, Debug, PartialEq)]
pub struct Selector {
    what: Selected,
    region: Option<String>,
    name: Option<String>,
}

/// A resource kind, or a baseline section standing for every kind it declares.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Selected {
    Kind(Kind),
    Section(&'static str),
}

impl Selected {
    fn covers(self, kind: Kind) -> bool {
        match self {
            Selected::Kind(selected) => selected == kind,
            Selected::Section(section) => kind.section() == Some(section),
        }
    }
}

/// The baseline sections that declare resources, in the order of the kinds.
fn sections() -> Vec<&'static str> {
    let mut sections: Vec<&'static str> = Vec::new();
    for section in Kind::all().filter_map(Kind::section) {
        if !sections.contains(&section) {
            sections.push(section);
        }
    }
    sections
}

impl FromStr for Selector {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let mut parts = text.splitn(3, '/');
        let first = parts.next().unwrap_or_default();
        let what = match Kind::from_name(first) {
            Some(kind) => Selected::Kind(kind),
            None => match sections().into_iter().find(|section| *section == first) {
                Some(section) => Selected::Section(section),
                None => return Err(unknown_kind(first)),
            },
        };
        let part = |part: Option<&str>| part.filter(|p| !p.is_empty()).map(str::to_owned);
        Ok(Selector {
            what,
            region: part(parts.next()),
            name: part(parts.next()),
        })
    }
}

fn unknown_kind(given: &str) -> String {
    let kinds: Vec<&str> = Kind::all().map(Kind::as_str).collect();
    let sections = sections();
    let names = kinds.iter().chain(&sections).copied();
    match crate::baseline::closest(given, names).filter(|(score, _)| *score > 0.85) {
        Some((_, nearest)) => format!(
            "`{given}` is neither a resource kind nor a baseline section; did you mean `{nearest}`?"
        ),
        None => format!(
            "`{given}` is neither a resource kind nor a baseline section; kinds: {}; sections: {}",
            kinds.join(", "),
            sections.join(", ")
        ),
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.what {
            Selected::Kind(kind) => write!(f, "{kind}")?,
            Selected::Section(section) => f.write_str(section)?,
        }
        if let Some(region) = &self.region {
            write!(f, "/{region}")?;
        }
        if let Some(name) = &self.name {
            write!(f, "/{name}")?;
        }
        Ok(())
    }
}

impl Selector {
    pub fn matches(&self, id: &ResourceId) -> bool {
        self.what.covers(id.kind)
            && self
                .region
                .as_ref()
                .is_none_or(|region| *region == id.region)
            && self.name.as_ref().is_none_or(|name| *name == id.name)
    }

    /// Why nothing in `ids` matches: what there is of the kind, or of the region, instead.
    fn nothing_matched<'a>(&self, ids: impl Iterator<Item = &'a ResourceId> + Clone) -> String {
        let of_kind = ids.filter(|id| self.what.covers(id.kind));
        let kinds: BTreeSet<&str> = of_kind.clone().map(|id| id.kind.as_str()).collect();
        let regions: BTreeSet<&str> = of_kind.clone().map(|id| id.region.as_str()).collect();
        let what = self.what_text();
        if kinds.is_empty() {
            return format!("the plan has no {what}");
        }
        match &self.region {
            Some(region) if regions.contains(region.as_str()) => {
                let names: BTreeSet<&str> = of_kind
                    .filter(|id| id.region == *region)
                    .map(|id| id.name.as_str())
                    .collect();
                let names: Vec<&str> = names.into_iter().collect();
                format!("{what} in {region} is named {}", names.join(", "))
            }
            _ => {
                let regions: Vec<&str> = regions.into_iter().collect();
                format!("{what} is planned in {}", regions.join(", "))
            }
        }
    }

    fn what_text(&self) -> String {
        match self.what {
            Selected::Kind(kind) => kind.to_string(),
            Selected::Section(section) => format!("resource of [{section}]"),
        }
    }
}

impl Plan {
    /// The part of the plan the selectors name; everything else is left as it is. A selector
    /// that matches nothing planned, changed or not, is an error: a typo would otherwise read
    /// as "no changes".
    pub fn only(self, selectors: &[Selector]) -> Result<Plan, Hinted> {
        let ids = self
            .changes
            .iter()
            .map(|change| &change.id)
            .chain(self.unchanged.iter().map(|(id, _)| id));
        if let Some(unmatched) = selectors
            .iter()
            .find(|selector| !ids.clone().any(|id| selector.matches(id)))
        {
            let kinds: BTreeSet<&str> = ids.clone().map(|id| id.kind.as_str()).collect();
            let planned = match kinds.is_empty() {
                true => "nothing".to_owned(),
                false => kinds.into_iter().collect::<Vec<&str>>().join(", "),
            };
            let unread = match self.gaps.len() {
                0 => String::new(),
                gaps => format!("; {gaps} part(s) of the account could not be read"),
            };
            return Err(Hinted::new(
                format!(
                    "--only {unmatched} matches nothing in the plan of account {}",
                    self.account_id
                ),
                format!(
                    "{}; the plan has {} in {}{unread}",
                    unmatched.nothing_matched(ids),
                    planned,
                    self.regions.join(", "),
                ),
            ));
        }
        Ok(self.narrow(selectors))
    }

    /// [`Plan::only`] without the check, for a plan made after the changes: what was
    /// selected may be gone by then, as it should after a removal.
    pub fn narrow(mut self, selectors: &[Selector]) -> Plan {
        if selectors.is_empty() {
            return self;
        }
        let selected = |id: &ResourceId| selectors.iter().any(|s| s.matches(id));
        self.changes.retain(|change| selected(&change.id));
        self.unchanged.retain(|(id, _)| selected(id));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_narrow_by_kind_region_and_name() {
        let rule = ResourceId::new(Kind::ConfigRule, "eu-west-1", "restricted-ssh");
        let matches = |text: &str| text.parse::<Selector>().unwrap().matches(&rule);
        assert!(matches("config_rule"));
        assert!(matches("config_rule/eu-west-1"));
        assert!(matches("config_rule/eu-west-1/restricted-ssh"));
        assert!(!matches("config_rule/us-east-1"));
        assert!(!matches("config_rule/eu-west-1/eip-attached"));
        assert!(!matches("guardduty_detector"));
    }

    #[test]
    fn a_misspelt_kind_or_section_gets_the_nearest() {
        let error = "config_rules".parse::<Selector>().unwrap_err();
        assert!(error.ends_with("did you mean `config_rule`?"), "{error}");
        let error = "gaurdduty".parse::<Selector>().unwrap_err();
        assert!(error.ends_with("did you mean `guardduty`?"), "{error}");
    }

    #[test]
    fn an_unknown_kind_lists_the_kinds_and_sections() {
        let error = "xyz".parse::<Selector>().unwrap_err();
        assert!(
            error.contains(
                "kinds: log_bucket, access_log_bucket, bucket_logging, iam_role, guardduty_detector"
            ) && error.contains("sections: log_bucket, guardduty, config, cloudtrail"),
            "{error}"
        );
    }

    #[test]
    fn a_section_selects_every_kind_it_declares() {
        let detector = ResourceId::singleton(Kind::GuarddutyDetector, "eu-west-1");
        let findings = ResourceId::new(Kind::FindingRule, "eu-west-1", "watchpost-findings");
        let rule = ResourceId::new(Kind::ConfigRule, "eu-west-1", "restricted-ssh");
        let guardduty: Selector = "guardduty".parse().unwrap();
        assert!(guardduty.matches(&detector) && guardduty.matches(&findings));
        assert!(!guardduty.matches(&rule));
        let in_region: Selector = "guardduty/us-east-1".parse().unwrap();
        assert!(!in_region.matches(&detector));
        assert_eq!(in_region.to_string(), "guardduty/us-east-1");
    }

    fn plan_of(ids: &[ResourceId]) -> Plan {
        Plan {
            account_id: "123456789012".to_owned(),
            home_region: "us-east-1".to_owned(),
            regions: vec!["eu-west-1".to_owned(), "us-east-1".to_owned()],
            changes: Vec::new(),
            unchanged: ids
                .iter()
                .map(|id| {
                    (
                        id.clone(),
                        crate::model::Spec::EbsEncryption(crate::model::EbsEncryptionSpec {
                            enabled: true,
                            kms_key_id: None,
                        }),
                    )
                })
                .collect(),
            gaps: Vec::new(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn a_selector_that_matches_nothing_says_what_there_is() {
        let plan = plan_of(&[
            ResourceId::singleton(Kind::GuarddutyDetector, "eu-west-1"),
            ResourceId::singleton(Kind::GuarddutyDetector, "us-east-1"),
            ResourceId::new(Kind::ConfigRule, "us-east-1", "restricted-ssh"),
        ]);
        let only = |text: &str| {
            plan.clone()
                .only(&[text.parse().unwrap()])
                .map(|plan| plan.unchanged.len())
        };
        assert_eq!(only("guardduty_detector"), Ok(2));
        assert_eq!(only("guardduty"), Ok(2));
        assert_eq!(
            only("guardduty_detector/eu-west-9").unwrap_err(),
            Hinted::new(
                "--only guardduty_detector/eu-west-9 matches nothing in the plan of account 123456789012",
                "guardduty_detector is planned in eu-west-1, us-east-1; the plan has config_rule, guardduty_detector in eu-west-1, us-east-1"
            )
        );
        assert!(
            only("config_rule/us-east-1/eip-attached")
                .unwrap_err()
                .hint
                .starts_with("config_rule in us-east-1 is named restricted-ssh;")
        );
        assert!(
            only("kms")
                .unwrap_err()
                .hint
                .starts_with("the plan has no resource of [kms];")
        );
    }
}
