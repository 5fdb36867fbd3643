//! `[alerts]`: the topic notifications go to, its subscribers, the role that forwards events
//! to it from other regions, and the central bus a fleet may gather its alerts on instead.

use toml::Spanned;

use super::super::raw::RawAlerts;
use super::super::{Alerts, CentralBus, is_account_id};
use super::checks::Checks;
use super::guardduty::subtable_span;
use super::primitives::{IAM_NAME_CHARACTERS, is_email_address};
use super::sections::{Sections, Written};
use crate::model::partition;

/// How a central bus is written, for every hint about one.
const CENTRAL_BUS_FORM: &str = "arn:aws:events:REGION:ACCOUNT:event-bus/NAME";

pub(super) fn read(checks: &mut Checks<'_>, written: Written<'_>, sections: &mut Sections) {
    sections.central_bus_span = subtable_span(written.value.as_ref(), "central_bus");
    sections.alerts = checks.declared(written, Checks::alerts);
}

impl Checks<'_> {
    fn alerts(&mut self, raw: RawAlerts) -> Option<Alerts> {
        let before = self.problems.len();
        let topic_name = self.aws_name(
            raw.topic_name,
            "watchpost-security-alerts",
            "SNS topic name",
            256,
            "_-",
        );
        if raw.emails.get_ref().is_empty() {
            self.error(
                raw.emails.span(),
                "`emails` is empty: alerts would reach no one",
                "list at least one address, e.g. emails = [\"security@example.com\"]",
            );
        }
        let forward_role_name = self.aws_name(
            raw.forward_role_name,
            "watchpost-alert-forwarding",
            "IAM role name",
            64,
            IAM_NAME_CHARACTERS,
        );
        let mut emails: Vec<String> = Vec::new();
        for email in raw.emails.into_inner() {
            let text = email.get_ref();
            if !is_email_address(text) {
                self.error(
                    email.span(),
                    format!("`{text}` is not an email address"),
                    "write a plain address such as \"security@example.com\": at most 254 characters, no display name, no address in brackets",
                );
            } else if emails.iter().any(|seen| seen.eq_ignore_ascii_case(text)) {
                self.error(
                    email.span(),
                    format!("`{text}` is listed twice"),
                    "list each address once",
                );
            } else {
                emails.push(email.into_inner());
            }
        }
        let central_bus = raw.central_bus.and_then(|arn| self.central_bus(arn));
        (self.problems.len() == before).then_some(Alerts {
            topic_name,
            emails,
            forward_role_name,
            central_bus,
        })
    }

    /// `arn:PARTITION:events:REGION:ACCOUNT:event-bus/NAME`, in the home region: the alert
    /// topic is there, and EventBridge sends to a topic of the rule's own region only.
    fn central_bus(&mut self, arn: Spanned<String>) -> Option<CentralBus> {
        let span = arn.span();
        let text = arn.get_ref();
        let parts: Vec<&str> = text.splitn(6, ':').collect();
        let [prefix, arn_partition, service, region, account, resource] = parts[..] else {
            self.error(
                span,
                format!("`{text}` is not an ARN"),
                format!("write the event bus's ARN: {CENTRAL_BUS_FORM}"),
            );
            return None;
        };
        if prefix != "arn" || service != "events" {
            self.error(
                span,
                format!("`{text}` is not the ARN of an EventBridge event bus"),
                format!("the central bus is an EventBridge event bus: {CENTRAL_BUS_FORM}"),
            );
            return None;
        }
        let Some(name) = resource.strip_prefix("event-bus/") else {
            self.error(
                span,
                format!("`{text}` names an EventBridge `{resource}`, not an event bus"),
                format!("the resource part is event-bus/NAME: {CENTRAL_BUS_FORM}"),
            );
            return None;
        };
        let before = self.problems.len();
        if !is_account_id(account) {
            self.error(
                span.clone(),
                format!("`{account}` in central_bus is not an AWS account id"),
                format!("the account part is the security account's 12 digits: {CENTRAL_BUS_FORM}"),
            );
        }
        let name_characters = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
        if name.is_empty() || name.len() > 256 || !name.chars().all(name_characters) {
            self.error(
                span.clone(),
                format!("`{name}` is not a valid event bus name"),
                "use 1 to 256 letters, digits and . _ -",
            );
        } else if name == "default" {
            self.error(
                span.clone(),
                "the default event bus cannot be the central bus",
                "every covered account's alert rules sit on its default bus and forward to the central bus, the security account's too, and a rule cannot forward to the bus it sits on: name a bus of its own, e.g. event-bus/watchpost-alerts, which watchpost creates",
            );
        }
        if let Some(home) = self.home_region.clone() {
            if region != home {
                self.error(
                    span.clone(),
                    format!("central_bus is in `{region}`, not in the home region `{home}`"),
                    format!(
                        "the bus raises the emails through the alert topic, which is in the home region, and EventBridge sends to a topic of the rule's own region only: put the bus in {home} (arn:{}:events:{home}:{account}:event-bus/{name}), or make {region} scope.home_region",
                        partition(&home)
                    ),
                );
            } else if arn_partition != partition(&home) {
                self.error(
                    span.clone(),
                    format!("central_bus is in the partition `{arn_partition}`, but `{home}` is in `{}`", partition(&home)),
                    format!("write arn:{}:events:{home}:...", partition(&home)),
                );
            }
        }
        (self.problems.len() == before).then(|| CentralBus {
            arn: text.clone(),
            account: account.to_owned(),
            name: name.to_owned(),
        })
    }
}
