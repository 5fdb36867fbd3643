//! `[vpc_flow_logs]`: watchpost's flow log on each VPC of each region in scope, and what the log
//! bucket and its key grant the log delivery service for it.

use serde_json::{Value, json};

use super::{Context, Desired};
use crate::baseline::VpcFlowLogs;
use crate::model::{FlowLogSpec, Kind, ResourceId, Spec};

/// A flow log on every VPC the reading found in a region in scope; a region whose VPCs could
/// not be read has none planned (its gap says so).
pub fn resources(context: &Context<'_>, flow_logs: &VpcFlowLogs, desired: &mut Vec<Desired>) {
    let log_destination = format!("{}/{}", context.bucket_arn(), flow_logs.s3_key_prefix);
    for region in context.placed(Kind::FlowLog) {
        for vpc in context.observed.vpcs.get(&region).into_iter().flatten() {
            desired.push(Desired {
                id: ResourceId::new(Kind::FlowLog, &region, vpc),
                spec: Spec::FlowLog(FlowLogSpec {
                    traffic_type: flow_logs.traffic_type.clone(),
                    log_destination: log_destination.clone(),
                    max_aggregation_interval: flow_logs.max_aggregation_interval,
                }),
                // EC2 checks at creation that the bucket's policy lets the log delivery service
                // write; the bucket is made after its key, whose policy lets it encrypt.
                depends_on: vec![context.bucket_id()],
            });
        }
    }
}

/// Who may deliver: the log delivery service, for flow logs of this account's (in any region:
/// the bucket takes every region's).
fn delivered_by_this_account(context: &Context<'_>) -> Value {
    json!({
        "StringEquals": {"aws:SourceAccount": context.account},
        "ArnLike": {"aws:SourceArn": format!("arn:{}:logs:*:{}:*", context.partition, context.account)}
    })
}

/// The log bucket's statements for the log delivery service, as the VPC User Guide writes them
/// ("Amazon S3 bucket permissions for flow logs"), under its own Sids: EC2 adds them itself to
/// a bucket whose policy lacks them, so writing them first keeps the policy watchpost's.
pub fn bucket_statements(context: &Context<'_>, flow_logs: &VpcFlowLogs) -> [Value; 2] {
    let arn = context.bucket_arn();
    let mut write_condition = delivered_by_this_account(context);
    write_condition["StringEquals"]["s3:x-amz-acl"] = json!("bucket-owner-full-control");
    [
        json!({
            "Sid": "AWSLogDeliveryWrite",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": format!("{arn}/{}/AWSLogs/{}/*", flow_logs.s3_key_prefix, context.account),
            "Condition": write_condition
        }),
        json!({
            "Sid": "AWSLogDeliveryAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
            "Resource": arn,
            "Condition": delivered_by_this_account(context)
        }),
    ]
}

/// The key's statement for the log delivery service, when the log bucket is encrypted with it
/// (CloudWatch Logs User Guide, "Logs sent to Amazon S3", server-side encryption with a
/// customer managed key).
pub fn key_statement(context: &Context<'_>) -> Value {
    json!({
        "Sid": "LogDeliveryUsesKey",
        "Effect": "Allow",
        "Principal": {"Service": "delivery.logs.amazonaws.com"},
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        "Resource": "*",
        "Condition": delivered_by_this_account(context)
    })
}
