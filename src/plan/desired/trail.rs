use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::{Context, Desired, kms};
use crate::baseline::CloudTrail;
use crate::model::policy::canonical;
use crate::model::{GLOBAL, Kind, LogGroupSpec, ResourceId, RoleSpec, Spec, TrailSpec};

pub fn log_group_arn(context: &Context<'_>, cloudtrail: &CloudTrail) -> String {
    format!(
        "arn:{}:logs:{}:{}:log-group:{}",
        context.partition, context.home, context.account, cloudtrail.log_group_name
    )
}

/// The trail, its log group, and the role through which CloudTrail writes to the log group;
/// all in the home region, the trail covering every region.
pub fn resources(context: &Context<'_>, cloudtrail: &CloudTrail, desired: &mut Vec<Desired>) {
    let home = context.home;
    let log_group_id = ResourceId::new(Kind::LogGroup, home, &cloudtrail.log_group_name);
    desired.push(Desired {
        id: log_group_id.clone(),
        spec: Spec::LogGroup(LogGroupSpec {
            retention_days: Some(cloudtrail.log_retention_days),
        }),
        depends_on: Vec::new(),
    });

    let role_id = ResourceId::new(Kind::IamRole, GLOBAL, &cloudtrail.role_name);
    // As the CloudTrail User Guide writes it, with no aws:SourceAccount or aws:SourceArn
    // condition: CloudTrail sends neither when it assumes this role, so a condition on them
    // makes CreateTrail fail with InvalidCloudWatchLogsRoleArnException or stops delivery to
    // the log group (Prowler issue #4714). The trail that may use the role is named by its
    // CloudWatchLogsRoleArn, which only this account can set.
    let trust = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "sts:AssumeRole"
        }]
    });
    let delivery = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": format!("{}:log-stream:*", log_group_arn(context, cloudtrail))
        }]
    });
    desired.push(Desired {
        id: role_id.clone(),
        spec: Spec::Role(RoleSpec {
            trust_policy: canonical(&trust),
            managed_policy_arns: BTreeSet::new(),
            inline_policies: BTreeMap::from([(
                "watchpost-cloudtrail-logs".to_owned(),
                canonical(&delivery),
            )]),
        }),
        depends_on: Vec::new(),
    });

    desired.push(Desired {
        id: ResourceId::new(Kind::CloudtrailTrail, home, &cloudtrail.name),
        spec: Spec::Trail(TrailSpec {
            s3_bucket_name: context.bucket.clone(),
            s3_key_prefix: Some(cloudtrail.s3_key_prefix.clone()),
            multi_region: true,
            include_global_service_events: true,
            log_file_validation: true,
            cloud_watch_logs_log_group_arn: Some(format!(
                "{}:*",
                log_group_arn(context, cloudtrail)
            )),
            cloud_watch_logs_role_arn: Some(context.role_arn(&cloudtrail.role_name)),
            kms_key_id: cloudtrail
                .kms_key_id
                .as_ref()
                .map(|key| kms::key_arn(context, key)),
            logging: true,
            management_events: true,
            s3_data_events: cloudtrail.s3_data_events.clone(),
            logs_data_events: false,
        }),
        // CloudTrail checks at create that it may write to the bucket and the log group (and
        // use the key).
        depends_on: [context.bucket_id(), log_group_id, role_id]
            .into_iter()
            .chain(kms::needs(context, cloudtrail.kms_key_id.as_deref()))
            .collect(),
    });
}
