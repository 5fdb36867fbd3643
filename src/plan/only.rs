//! `--only KIND[/REGION[/NAME]]`: a plan narrowed to part of the baseline, for targeted
//! repairs. Changes it leaves out may be what the rest depends on, hence the warning.

use std::fmt;
use std::str::FromStr;

use super::Plan;
use crate::model::{Kind, ResourceId};

#[derive(Clone, Debug, PartialEq)]
pub struct Selector {
    kind: Kind,
    region: Option<String>,
    name: Option<String>,
}

impl FromStr for Selector {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let mut parts = text.splitn(3, '/');
        let kind_name = parts.next().unwrap_or_default();
        let Some(kind) = Kind::from_name(kind_name) else {
            let kinds: Vec<&str> = Kind::ALL.iter().map(|kind| kind.as_str()).collect();
            return Err(format!(
                "`{kind_name}` is not a resource kind; kinds: {}",
                kinds.join(", ")
            ));
        };
        let part = |part: Option<&str>| part.filter(|p| !p.is_empty()).map(str::to_owned);
        Ok(Selector {
            kind,
            region: part(parts.next()),
            name: part(parts.next()),
        })
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
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
        id.kind == self.kind
            && self
                .region
                .as_ref()
                .is_none_or(|region| *region == id.region)
            && self.name.as_ref().is_none_or(|name| *name == id.name)
    }
}

impl Plan {
    /// The part of the plan the selectors name; everything else is left as it is.
    pub fn only(mut self, selectors: &[Selector]) -> Plan {
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
    fn an_unknown_kind_lists_the_kinds() {
        let error = "config_rules".parse::<Selector>().unwrap_err();
        assert!(
            error.contains("`config_rules` is not a resource kind; kinds: log_bucket, iam_role")
        );
    }
}
