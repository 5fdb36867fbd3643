//! `[config]`: the recorder, its delivery channel and role, and the managed rules with their
//! parameters.

use std::collections::BTreeMap;

use toml::Spanned;

use super::super::catalog::{self, ParamType};
use super::super::diagnostic::suggest;
use super::super::raw::{RawConfig, RawRuleParameters};
use super::super::{Config, ConfigRule};
use super::checks::Checks;
use super::primitives::IAM_NAME_CHARACTERS;
use super::sections::{Sections, Written};

pub(super) fn read(checks: &mut Checks<'_>, written: Written<'_>, sections: &mut Sections) {
    sections.config = checks.declared(written, Checks::config);
}

impl Checks<'_> {
    fn config(&mut self, raw: RawConfig) -> Option<Config> {
        let before = self.problems.len();
        let role_name = self.aws_name(
            raw.role_name,
            "watchpost-config",
            "IAM role name",
            64,
            IAM_NAME_CHARACTERS,
        );
        let recorder_name = self.aws_name(
            raw.recorder_name,
            "watchpost",
            "recorder name",
            256,
            IAM_NAME_CHARACTERS,
        );
        let delivery_channel_name = self.aws_name(
            raw.delivery_channel_name,
            "watchpost",
            "delivery channel name",
            256,
            IAM_NAME_CHARACTERS,
        );
        let s3_key_prefix = self.key_prefix(raw.s3_key_prefix, "config");
        let snapshot_delivery_frequency = match raw.snapshot_delivery_frequency {
            Some(value) => {
                self.one_of(
                    &value,
                    "snapshot delivery frequency",
                    catalog::SNAPSHOT_DELIVERY_FREQUENCIES,
                );
                value.into_inner()
            }
            None => "TwentyFour_Hours".to_owned(),
        };
        let mut rules = BTreeMap::new();
        for (name, parameters) in raw.rules {
            if let Some(rule) = self.rule(&name, parameters) {
                rules.insert(name.into_inner(), rule);
            }
        }
        (self.problems.len() == before).then_some(Config {
            role_name,
            recorder_name,
            delivery_channel_name,
            s3_key_prefix,
            snapshot_delivery_frequency,
            rules,
        })
    }

    fn rule(
        &mut self,
        name: &Spanned<String>,
        parameters: RawRuleParameters,
    ) -> Option<ConfigRule> {
        let Some(known) = catalog::managed_rule(name.get_ref()) else {
            self.error(
                name.span(),
                format!("unknown Config rule `{}`", name.get_ref()),
                suggest(name.get_ref(), catalog::rule_names()),
            );
            return None;
        };
        let mut input_parameters = BTreeMap::new();
        for (param_name, value) in &parameters {
            let Some(param) = known.params.iter().find(|p| p.name == param_name.get_ref()) else {
                let accepted: Vec<&str> = known.params.iter().map(|p| p.name).collect();
                let hint = if accepted.is_empty() {
                    format!("`{}` takes no parameters", known.name)
                } else {
                    suggest(param_name.get_ref(), accepted)
                };
                self.error(
                    param_name.span(),
                    format!(
                        "`{}` has no parameter `{}`",
                        known.name,
                        param_name.get_ref()
                    ),
                    hint,
                );
                continue;
            };
            match parameter_text(param.kind, value.get_ref()) {
                Some(text) => {
                    input_parameters.insert(param.name.to_owned(), text);
                }
                None => self.error(
                    value.span(),
                    format!(
                        "parameter `{}` of `{}` must be {}",
                        param.name,
                        known.name,
                        param.kind.describe()
                    ),
                    format!("for example {}", example(param.kind)),
                ),
            }
        }
        let sent = serde_json::to_string(&input_parameters).expect("strings serialize");
        if sent.chars().count() > RULE_PARAMETERS_MAX {
            self.error(
                name.span(),
                format!(
                    "the parameters of `{}` are {} characters long as AWS Config receives them",
                    known.name,
                    sent.chars().count()
                ),
                format!("AWS Config takes at most {RULE_PARAMETERS_MAX} characters of parameters (as a JSON object) per rule: shorten the values"),
            );
        }
        for param in known.params.iter().filter(|p| p.required) {
            if input_parameters.contains_key(param.name) {
                continue;
            }
            // Sent with AWS's default, so that what AWS stores is what the plan shows.
            match param.default {
                Some(default) => {
                    input_parameters.insert(param.name.to_owned(), default.to_owned());
                }
                None => self.error(
                    name.span(),
                    format!("`{}` needs the parameter `{}`", known.name, param.name),
                    format!("add {} = {}", param.name, example(param.kind)),
                ),
            }
        }
        Some(ConfigRule {
            source_identifier: known.source_identifier.to_owned(),
            scope: known.scope,
            availability: known.availability,
            input_parameters,
        })
    }
}

/// The most text AWS Config takes for a rule's parameters, written as the JSON object sent.
const RULE_PARAMETERS_MAX: usize = 1024;

/// AWS Config takes every parameter value as a string; this checks the type the rule expects
/// and writes the value the way AWS stores it.
fn parameter_text(kind: ParamType, value: &toml::Value) -> Option<String> {
    match (kind, value) {
        (ParamType::String, toml::Value::String(text)) if !text.is_empty() => Some(text.clone()),
        (ParamType::Int, toml::Value::Integer(number)) => Some(number.to_string()),
        (ParamType::Boolean, toml::Value::Boolean(flag)) => Some(flag.to_string()),
        (ParamType::Csv, toml::Value::String(text)) if !text.is_empty() => Some(text.clone()),
        (ParamType::Csv, toml::Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(|items| items.join(",")),
        _ => None,
    }
}

fn example(kind: ParamType) -> &'static str {
    match kind {
        ParamType::String => "\"value\"",
        ParamType::Int => "30",
        ParamType::Boolean => "true",
        ParamType::Csv => "[\"a\", \"b\"]",
    }
}
