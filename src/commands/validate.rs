use std::path::Path;
use std::process::ExitCode;

use super::read::read_baseline;
use crate::baseline::RegionSelection;
use crate::output::outln;

pub fn run(path: &Path) -> anyhow::Result<ExitCode> {
    let (baseline, _) = read_baseline(path)?;
    let regions = match &baseline.scope.regions {
        RegionSelection::All => "every enabled region".to_owned(),
        RegionSelection::Listed(regions) => regions.join(", "),
    };
    let mut parts = Vec::new();
    if let Some(guardduty) = &baseline.guardduty {
        parts.push(match &guardduty.finding_alerts {
            Some(alerts) => format!(
                "GuardDuty with alerts on findings of severity {} or more",
                alerts.min_severity
            ),
            None => "GuardDuty".to_owned(),
        });
    }
    if let Some(config) = &baseline.config {
        parts.push(format!(
            "AWS Config with {} managed rules",
            config.rules.len()
        ));
    }
    if let Some(cloudtrail) = &baseline.cloudtrail {
        parts.push(match &cloudtrail.s3_data_events {
            Some(_) => "CloudTrail with S3 data events".to_owned(),
            None => "CloudTrail".to_owned(),
        });
    }
    if (baseline.config.is_some() || baseline.cloudtrail.is_some())
        && baseline.log_bucket.access_logs.is_some()
    {
        parts.push("the log bucket's access logs".to_owned());
    }
    if let Some(flow_logs) = &baseline.vpc_flow_logs {
        parts.push(format!(
            "VPC flow logs ({} traffic)",
            flow_logs.traffic_type.to_lowercase()
        ));
    }
    if let Some(hub) = &baseline.security_hub {
        parts.push(format!(
            "Security Hub with {} standards",
            hub.standards.len()
        ));
    }
    if let Some(kms) = &baseline.kms {
        parts.push(format!("the KMS key {}", kms.alias));
    }
    if let Some(alerts) = &baseline.alerts {
        parts.push(format!("alerts to {} address(es)", alerts.emails.len()));
    }
    if baseline.signin_notification.is_some() {
        parts.push("the console sign-in notification".to_owned());
    }
    if let Some(alarms) = &baseline.alarms {
        parts.push(format!("{} metric-filter alarms", alarms.filters.len()));
    }
    let watched = baseline.watched();
    if !watched.is_empty() {
        let repair = baseline
            .tamper_alerts
            .as_ref()
            .is_some_and(|tamper| tamper.repair.is_some());
        parts.push(format!(
            "tamper alerts on {} services{}",
            watched.len(),
            if repair {
                " with repair on the spot"
            } else {
                ""
            }
        ));
    }
    for (present, setting) in [
        (baseline.password_policy.is_some(), "the password policy"),
        (
            baseline.account_public_access_block.is_some(),
            "account-wide S3 Block Public Access",
        ),
        (
            baseline.ebs_encryption.is_some(),
            "EBS encryption by default",
        ),
        (baseline.access_analyzer.is_some(), "IAM Access Analyzer"),
        (baseline.security_contact.is_some(), "the security contact"),
        (baseline.support_role.is_some(), "the support role"),
    ] {
        if present {
            parts.push(setting.to_owned());
        }
    }
    let manages = match parts.is_empty() {
        true => "nothing yet".to_owned(),
        false => parts.join(", "),
    };
    outln!(
        "{} is valid. It manages {manages}; regions: {regions}; home region: {}.",
        path.display(),
        baseline.scope.home_region
    );
    Ok(ExitCode::SUCCESS)
}
