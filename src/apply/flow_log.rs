use aws_sdk_ec2::types::{
    FlowLogsResourceType, LogDestinationType, ResourceType, Tag, TagSpecification, TrafficType,
    UnsuccessfulItem,
};

use super::MANAGED_TAG;
use super::{Account, Converge};
use crate::aws::{AwsError, Class, Context};
use crate::model::FlowLogSpec;
use crate::plan::{Action, Change};

impl Converge for FlowLogSpec {
    /// EC2 changes nothing of a flow log but its tags, so one that differs is deleted and made
    /// again; a rerun after a failure in between finds the VPC without one and makes it.
    async fn put(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let client = at.session.ec2(&change.id.region);
        if let (Action::Update, Some(old)) = (change.action, &change.live_id) {
            delete(&client, old, change).await?;
        }
        let answer = client
            .create_flow_logs()
            .resource_type(FlowLogsResourceType::Vpc)
            .resource_ids(&change.id.name)
            .traffic_type(TrafficType::from(self.traffic_type.as_str()))
            .log_destination_type(LogDestinationType::S3)
            .log_destination(&self.log_destination)
            .max_aggregation_interval(self.max_aggregation_interval)
            .tag_specifications(
                TagSpecification::builder()
                    .resource_type(ResourceType::VpcFlowLog)
                    .tags(
                        Tag::builder()
                            .key(MANAGED_TAG.0)
                            .value(MANAGED_TAG.1)
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .call("ec2:CreateFlowLogs", &change.id)?;
        refused("ec2:CreateFlowLogs", change, answer.unsuccessful())
    }

    async fn remove(&self, at: &Account<'_>, change: &Change) -> Result<(), AwsError> {
        let Some(flow_log) = &change.live_id else {
            return Ok(());
        };
        delete(&at.session.ec2(&change.id.region), flow_log, change).await
    }
}

/// Deletes the flow log; one already gone counts as deleted (a VPC deleted since the plan took
/// its flow logs with it).
async fn delete(
    client: &aws_sdk_ec2::Client,
    flow_log: &str,
    change: &Change,
) -> Result<(), AwsError> {
    let answer = client
        .delete_flow_logs()
        .flow_log_ids(flow_log)
        .send()
        .await
        .call("ec2:DeleteFlowLogs", &change.id)?;
    match refused("ec2:DeleteFlowLogs", change, answer.unsuccessful()) {
        Err(error) if error.is(Class::NotFound) => Ok(()),
        done => done,
    }
}

/// CreateFlowLogs and DeleteFlowLogs answer success whatever becomes of each resource, and
/// name the ones they could not do in `Unsuccessful`: that is this change's error.
fn refused(call: &str, change: &Change, items: &[UnsuccessfulItem]) -> Result<(), AwsError> {
    let Some(error) = items.iter().find_map(UnsuccessfulItem::error) else {
        return Ok(());
    };
    let code = error.code().map(str::to_owned);
    Err(AwsError {
        call: call.to_owned(),
        resource: change.id.to_string(),
        class: match code.as_deref() {
            Some("InvalidFlowLogId.NotFound") => Class::NotFound,
            _ => Class::Fatal,
        },
        code,
        detail: error.message().unwrap_or("refused").to_owned(),
        setup_hint: None,
    })
}
