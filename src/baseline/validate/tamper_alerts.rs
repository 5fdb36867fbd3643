//! `[tamper_alerts]`: the rules that raise an alert on the calls that undo watchpost's work.

use toml::Spanned;

use super::super::raw::{RawTamperAlerts, RawTamperRepair};
use super::super::{TamperAlerts, TamperRepair};
use super::checks::Checks;
use super::primitives::IAM_NAME_CHARACTERS;
use super::sections::{Sections, Written};

/// What RunTask's `awsvpcConfiguration` takes.
const MOST_SUBNETS: usize = 16;
const MOST_SECURITY_GROUPS: usize = 5;

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
        let repair = raw.repair.map(|repair| self.tamper_repair(repair));
        (self.problems.len() == before).then_some(TamperAlerts {
            rule_prefix,
            repair,
        })
    }

    fn tamper_repair(&mut self, raw: RawTamperRepair) -> TamperRepair {
        let cluster = self.ecs_name(raw.cluster, "an ECS cluster name", false);
        let task_definition = self.ecs_name(raw.task_definition, "a task definition", true);
        let span = raw.subnets.span();
        let subnets = raw.subnets.into_inner();
        if subnets.is_empty() || subnets.len() > MOST_SUBNETS {
            self.error(
                span,
                format!(
                    "[tamper_alerts.repair] subnets has {} subnet(s)",
                    subnets.len()
                ),
                format!("name 1 to {MOST_SUBNETS} subnets the task may run in, e.g. [\"subnet-0123456789abcdef0\"]"),
            );
        }
        let security_groups = match raw.security_groups {
            Some(groups) => {
                if groups.get_ref().len() > MOST_SECURITY_GROUPS {
                    self.error(
                        groups.span(),
                        format!(
                            "[tamper_alerts.repair] security_groups has {} groups",
                            groups.get_ref().len()
                        ),
                        format!(
                            "name at most {MOST_SECURITY_GROUPS}, or none for the VPC's default"
                        ),
                    );
                }
                groups.into_inner()
            }
            None => Vec::new(),
        };
        let subnets = self.resource_ids(subnets, "subnet-", "subnet id");
        let security_groups = self.resource_ids(security_groups, "sg-", "security group id");
        let role = |checks: &mut Self, value, default| {
            checks.aws_name(value, default, "IAM role name", 64, IAM_NAME_CHARACTERS)
        };
        TamperRepair {
            cluster,
            task_definition,
            subnets,
            security_groups,
            assign_public_ip: raw.assign_public_ip,
            task_role_name: role(self, raw.task_role_name, "watchpost-repairer"),
            execution_role_name: role(self, raw.execution_role_name, "watchpost-task-execution"),
            role_name: role(self, raw.role_name, "watchpost-tamper-repair"),
        }
    }

    /// A cluster's name or a task definition's family (`:REVISION` after it where `revision`),
    /// as ECS names them; an ARN is refused, since the rule can start a task in its own region
    /// and account only.
    fn ecs_name(&mut self, value: Spanned<String>, what: &str, revision: bool) -> String {
        let text = value.get_ref();
        let (name, pinned) = match text.split_once(':') {
            Some((name, pinned)) if revision && !text.starts_with("arn:") => (name, Some(pinned)),
            _ => (text.as_str(), None),
        };
        let valid_name = !name.is_empty()
            && name.len() <= 255
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        let valid_revision =
            pinned.is_none_or(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if !(valid_name && valid_revision) {
            let form = if revision {
                "its family (1 to 255 letters, digits, - and _), with :REVISION to pin one"
            } else {
                "its name (1 to 255 letters, digits, - and _)"
            };
            self.error(
                value.span(),
                format!("`{text}` is not {what} watchpost can use"),
                format!("give {form}, not an ARN: it must be in the home region, where the rules start it"),
            );
        }
        value.into_inner()
    }

    /// EC2 resource ids of `prefix` followed by 8 or 17 hexadecimal digits.
    fn resource_ids(&mut self, ids: Vec<Spanned<String>>, prefix: &str, what: &str) -> Vec<String> {
        ids.into_iter()
            .map(|id| {
                let text = id.get_ref();
                let hex = text.strip_prefix(prefix).unwrap_or_default();
                if !matches!(hex.len(), 8 | 17) || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    self.error(
                        id.span(),
                        format!("`{text}` is not a {what}"),
                        format!(
                            "write it as AWS shows it: {prefix} and 8 or 17 hexadecimal digits"
                        ),
                    );
                }
                id.into_inner()
            })
            .collect()
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

    const REPAIR: &str = "[tamper_alerts.repair]\ncluster = \"watchpost\"\ntask_definition = \"watchpost-apply\"\nsubnets = [\"subnet-0123456789abcdef0\"]\n";

    #[test]
    fn the_repair_takes_the_scheduled_repairers_task_and_roles() {
        let baseline = parse(&format!("{SCOPE}{ALERTS}[tamper_alerts]\n{REPAIR}")).unwrap();
        let repair = baseline.tamper_alerts.unwrap().repair.unwrap();
        assert_eq!(repair.cluster, "watchpost");
        assert_eq!(repair.task_definition, "watchpost-apply");
        assert_eq!(repair.subnets, ["subnet-0123456789abcdef0"]);
        assert!(repair.security_groups.is_empty());
        assert!(!repair.assign_public_ip);
        assert_eq!(repair.task_role_name, "watchpost-repairer");
        assert_eq!(repair.execution_role_name, "watchpost-task-execution");
        assert_eq!(repair.role_name, "watchpost-tamper-repair");
    }

    #[test]
    fn a_repair_names_its_task_in_the_home_region_and_real_network_ids() {
        let source = format!(
            "{SCOPE}{ALERTS}[tamper_alerts.repair]\ncluster = \"arn:aws:ecs:us-east-1:123456789012:cluster/watchpost\"\ntask_definition = \"watchpost-apply:latest\"\nsubnets = [\"subnet-12\"]\nsecurity_groups = [\"sg-0123456789abcdef0\"]\n"
        );
        assert_eq!(
            problems(&source),
            [
                "`arn:aws:ecs:us-east-1:123456789012:cluster/watchpost` is not an ECS cluster name watchpost can use (give its name (1 to 255 letters, digits, - and _), not an ARN: it must be in the home region, where the rules start it)",
                "`watchpost-apply:latest` is not a task definition watchpost can use (give its family (1 to 255 letters, digits, - and _), with :REVISION to pin one, not an ARN: it must be in the home region, where the rules start it)",
                "`subnet-12` is not a subnet id (write it as AWS shows it: subnet- and 8 or 17 hexadecimal digits)",
            ]
        );
        assert!(
            parse(
                &format!("{SCOPE}{ALERTS}[tamper_alerts]\n{REPAIR}")
                    .replace("watchpost-apply", "watchpost-apply:7")
            )
            .is_ok()
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
