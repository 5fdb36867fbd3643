//! `[alerts]`: the topic notifications go to, its subscribers, and the role that forwards events
//! to it from other regions.

use super::super::Alerts;
use super::super::raw::RawAlerts;
use super::checks::Checks;
use super::primitives::{IAM_NAME_CHARACTERS, is_email_address};
use super::sections::{Sections, Written};

pub(super) fn read(checks: &mut Checks<'_>, written: Written<'_>, sections: &mut Sections) {
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
        (self.problems.len() == before).then_some(Alerts {
            topic_name,
            emails,
            forward_role_name,
        })
    }
}
