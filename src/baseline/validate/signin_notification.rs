//! `[signin_notification]`: the rule that sends console sign-ins to the alert topic.

use super::super::raw::RawSigninNotification;
use super::super::{SigninEvents, SigninNotification};
use super::checks::Checks;
use super::sections::{Sections, Written};

pub(super) fn read(checks: &mut Checks<'_>, written: Written<'_>, sections: &mut Sections) {
    sections.signin_notification = checks.declared(written, Checks::signin_notification);
}

impl Checks<'_> {
    fn signin_notification(&mut self, raw: RawSigninNotification) -> Option<SigninNotification> {
        let before = self.problems.len();
        let rule_name = self.aws_name(
            raw.rule_name,
            "watchpost-console-signin",
            "EventBridge rule name",
            64,
            "._-",
        );
        let events = match &raw.events {
            None => SigninEvents::All,
            Some(value) => match value.get_ref().as_str() {
                "all" => SigninEvents::All,
                "failures" => SigninEvents::Failures,
                "root" => SigninEvents::Root,
                _ => {
                    self.one_of(value, "sign-in event option", &["all", "failures", "root"]);
                    SigninEvents::All
                }
            },
        };
        (self.problems.len() == before).then_some(SigninNotification { rule_name, events })
    }
}
