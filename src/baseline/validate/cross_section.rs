//! Checks between sections, once each is read: a section that needs another, two sections that
//! name the same role or rule, and a key of `[kms]` that nothing uses. A section with problems of
//! its own is not judged again.

use super::checks::Checks;
use super::sections::{Declared, Sections, valid};
use crate::model::{Encryption, partition};

pub(super) fn check(checks: &mut Checks<'_>, sections: &Sections) {
    needed_sections(checks, sections);
    role_names_apart(checks, sections);
    signin_in_commercial_partition(checks, sections);
    finding_alerts_have_a_route(checks, sections);
    hub_finding_alerts_have_a_route(checks, sections);
    tamper_alerts_have_a_route(checks, sections);
    central_bus_has_a_fleet(checks, sections);
    key_is_used(checks, sections);
}

/// The central bus admits the accounts of the fleet, which `[accounts]` names: without it the
/// planner of the security account would not know whom to admit.
fn central_bus_has_a_fleet(checks: &mut Checks<'_>, sections: &Sections) {
    if let (Some(span), None) = (sections.central_bus_span.clone(), &sections.accounts) {
        checks.error(
            span,
            "`central_bus` needs [accounts]",
            "the bus gathers the alerts of a fleet and admits the accounts [accounts] names: add [accounts] with ids = [\"111111111111\", ...] or organization = true, or remove central_bus to raise the alerts in the account itself",
        );
    }
}

/// Sections that build on others: an alarm needs the trail's log group and a topic to notify;
/// the sign-in notification needs the topic.
fn needed_sections(checks: &mut Checks<'_>, sections: &Sections) {
    let alarms_span = sections.alarms.as_ref().map(|alarms| alarms.span.clone());
    let signin_span = sections
        .signin_notification
        .as_ref()
        .map(|signin| signin.span.clone());
    if let (Some(flow_logs), None, None) = (
        &sections.vpc_flow_logs,
        &sections.cloudtrail,
        &sections.config,
    ) {
        checks.error(
            flow_logs.span.clone(),
            "[vpc_flow_logs] needs the log bucket, which [cloudtrail] or [config] makes",
            "add [cloudtrail] (the trail and the log bucket it delivers to), or [config]",
        );
    }
    if let (Some(span), None) = (alarms_span.clone(), &sections.cloudtrail) {
        checks.error(
            span,
            "[alarms] needs [cloudtrail]",
            "alarms watch the trail's log group: add a [cloudtrail] section",
        );
    }
    for (span, section) in [
        (alarms_span, "[alarms]"),
        (signin_span, "[signin_notification]"),
    ] {
        if let (Some(span), None) = (span, &sections.alerts) {
            checks.error(
                span,
                format!("{section} needs [alerts]"),
                "add [alerts] with emails = [\"security@example.com\"]: it is where notifications go",
            );
        }
    }
}

/// Each service assumes a role of its own, and IAM does not tell role names apart by case.
fn role_names_apart(checks: &mut Checks<'_>, sections: &Sections) {
    if let (
        Some(Declared {
            span,
            value: Some(trail),
        }),
        Some(config),
    ) = (&sections.cloudtrail, valid(&sections.config))
        && trail.role_name.eq_ignore_ascii_case(&config.role_name)
    {
        checks.error(
            span.clone(),
            format!(
                "[cloudtrail] and [config] both name the role `{}`",
                trail.role_name
            ),
            "each service needs its own role, and IAM does not tell role names apart by case: give [cloudtrail] a different role_name",
        );
    }
    if let Some(Declared {
        span,
        value: Some(alerts),
    }) = &sections.alerts
    {
        let other_roles = [
            valid(&sections.cloudtrail).map(|t| ("[cloudtrail]", &t.role_name)),
            valid(&sections.config).map(|c| ("[config]", &c.role_name)),
        ];
        for (section, role_name) in other_roles.into_iter().flatten() {
            if alerts.forward_role_name.eq_ignore_ascii_case(role_name) {
                checks.error(
                    span.clone(),
                    format!("[alerts] and {section} both name the role `{role_name}`"),
                    "each role serves one service, and IAM does not tell role names apart by case: give [alerts] a different forward_role_name",
                );
            }
        }
    }
}

fn signin_in_commercial_partition(checks: &mut Checks<'_>, sections: &Sections) {
    if let (Some(signin), Some(scope)) = (&sections.signin_notification, &sections.scope)
        && partition(&scope.home_region) != "aws"
    {
        checks.error(
            signin.span.clone(),
            format!("[signin_notification] is not available in the partition of `{}`", scope.home_region),
            "watchpost places sign-in rules where the CloudTrail User Guide says the commercial partition records console sign-ins, and knows no such list for other partitions; remove the section",
        );
    }
}

/// Finding alerts go to the alert topics, under a rule name of their own.
fn finding_alerts_have_a_route(checks: &mut Checks<'_>, sections: &Sections) {
    let Some(span) = sections.finding_alerts_span.clone() else {
        return;
    };
    if sections.alerts.is_none() {
        checks.error(
            span.clone(),
            "[guardduty.finding_alerts] needs [alerts]",
            "add [alerts] with emails = [\"security@example.com\"]: it is where the findings go",
        );
    }
    let finding_rule =
        valid(&sections.guardduty).and_then(|guardduty| guardduty.finding_alerts.as_ref());
    if let (Some(findings), Some(signin)) = (finding_rule, valid(&sections.signin_notification))
        && findings.rule_name == signin.rule_name
    {
        checks.error(
            span,
            format!(
                "[guardduty.finding_alerts] and [signin_notification] both name the rule `{}`",
                findings.rule_name
            ),
            "both rules live in every region in scope: give finding_alerts a rule_name of its own",
        );
    }
}

/// Security Hub's finding alerts go to the alert topic.
fn hub_finding_alerts_have_a_route(checks: &mut Checks<'_>, sections: &Sections) {
    if let (Some(span), None) = (sections.hub_finding_alerts_span.clone(), &sections.alerts) {
        checks.error(
            span,
            "[security_hub.finding_alerts] needs [alerts]",
            "add [alerts] with emails = [\"security@example.com\"]: it is where the findings go",
        );
    }
}

/// Tamper alerts go where the other alerts go.
fn tamper_alerts_have_a_route(checks: &mut Checks<'_>, sections: &Sections) {
    if let (Some(tamper), None) = (&sections.tamper_alerts, &sections.alerts) {
        checks.error(
            tamper.span.clone(),
            "[tamper_alerts] needs [alerts]",
            "add [alerts] with emails = [\"security@example.com\"]: it is where the tamper alerts go",
        );
    }
}

/// The key of `[kms]` must be used by the bucket or the trail.
fn key_is_used(checks: &mut Checks<'_>, sections: &Sections) {
    let Some(Declared {
        span,
        value: Some(kms),
    }) = &sections.kms
    else {
        return;
    };
    let ours = Encryption::Kms {
        kms_key_id: kms.alias.clone(),
    };
    let bucket_exists = sections.config.is_some() || sections.cloudtrail.is_some();
    let bucket_uses = match &sections.log_bucket {
        Some(bucket) => bucket_exists && bucket.encryption == ours,
        None => true,
    };
    let trail_uses = match &sections.cloudtrail {
        Some(Declared {
            value: Some(trail), ..
        }) => trail.kms_key_id.as_deref() == Some(kms.alias.as_str()),
        Some(Declared { value: None, .. }) => true,
        None => false,
    };
    if !bucket_uses && !trail_uses {
        checks.error(
            span.clone(),
            "[kms] makes a key that nothing uses",
            "the key encrypts the trail's log files and the log bucket unless they name a key of their own: add [cloudtrail] (or [config], for the bucket), drop kms_key_id or encryption = \"SSE-S3\" where one should use it, or remove [kms]",
        );
    }
}
