//! `[tamper_alerts]`: the rules that raise an alert on the calls that undo watchpost's work.

use super::super::TamperAlerts;
use super::super::raw::RawTamperAlerts;
use super::checks::Checks;
use super::sections::{Sections, Written};

/// The longest group name a rule's name ends with (`-cloudtrail`), which the prefix leaves room
/// for within EventBridge's 64 characters.
const LONGEST_SUFFIX: usize = "-cloudtrail".len();

pub(super) fn read(checks: &mut Checks<'_>, written: Written<'_>, sections: &mut Sections) {
    sections.tamper_alerts = checks.declared(written, Checks::tamper_alerts);
}

impl Checks<'_> {
    fn tamper_alerts(&mut self, raw: RawTamperAlerts) -> Option<TamperAlerts> {
        let before = self.problems.len();
        let rule_prefix = self.aws_name(
            raw.rule_prefix,
            "watchpost-tamper",
            "EventBridge rule name prefix",
            64 - LONGEST_SUFFIX,
            "._-",
        );
        (self.problems.len() == before).then_some(TamperAlerts { rule_prefix })
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;

    const SCOPE: &str = "[scope]\nregions = [\"us-east-1\"]\nhome_region = \"us-east-1\"\n";
    const ALERTS: &str = "[alerts]\nemails = [\"sec@example.com\"]\n";

    /// Each problem as `message (hint)`.
    fn problems(source: &str) -> Vec<String> {
        parse(source)
            .expect_err("the baseline should be rejected")
            .into_iter()
            .map(|problem| format!("{} ({})", problem.message, problem.hint.unwrap_or_default()))
            .collect()
    }

    #[test]
    fn the_rules_are_named_after_a_prefix_with_room_for_the_service() {
        let baseline = parse(&format!("{SCOPE}{ALERTS}[tamper_alerts]\n")).unwrap();
        assert_eq!(
            baseline.tamper_alerts.unwrap().rule_prefix,
            "watchpost-tamper"
        );
        let long = "p".repeat(54);
        assert_eq!(
            problems(&format!(
                "{SCOPE}{ALERTS}[tamper_alerts]\nrule_prefix = \"{long}\"\n"
            )),
            [format!(
                "`{long}` is not a valid EventBridge rule name prefix (use 1 to 53 letters, digits and . _ -)"
            )]
        );
    }

    #[test]
    fn tamper_alerts_need_a_route() {
        let found = problems(&format!("{SCOPE}[tamper_alerts]\n"));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("[tamper_alerts] needs [alerts]"),
            "{found:?}"
        );
    }
}
